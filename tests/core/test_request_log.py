"""Request ids (header and error pages) and the JSON request log (LMS_LOG_FORMAT=json)."""

from __future__ import annotations

import json
import logging

import pytest

from tests.conftest import login

app_config = pytest.fixture(lambda: {"LMS_LOG_FORMAT": "json", "PROPAGATE_EXCEPTIONS": False})


@pytest.fixture
def log_lines(caplog):
    caplog.set_level(logging.INFO, logger="lms.request")
    logger = logging.getLogger("lms.request")
    logger.addHandler(caplog.handler)  # the logger does not propagate to the root
    yield lambda: [json.loads(r.getMessage()) for r in caplog.records if r.name == "lms.request"]
    logger.removeHandler(caplog.handler)


def test_a_sane_request_id_is_kept_and_a_strange_one_replaced(client):
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123.x:9"}).headers["X-Request-ID"]
        == "abc-123.x:9"
    )
    for strange in ("<script>", "a b", "x" * 129, "é"):
        rid = client.get("/healthz", headers={"X-Request-ID": strange}).headers["X-Request-ID"]
        assert rid != strange and len(rid) == 32 and int(rid, 16) >= 0
    first = client.get("/healthz").headers["X-Request-ID"]
    assert first != client.get("/healthz").headers["X-Request-ID"]


def test_error_pages_show_the_request_id(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    for url, code in (("/no/such/page", 404), ("/boom", 500)):
        response = client.get(url, headers={"X-Request-ID": "ref-4711"})
        assert response.status_code == code
        html = response.get_data(as_text=True)
        assert "ref-4711" in html and response.headers["X-Request-ID"] == "ref-4711"
        assert "Vraagt u hulp? Geef dan deze referentie: ref-4711" in html


def test_one_json_line_per_request_with_the_path_template_and_no_personal_data(
    client, make_user, log_lines
):
    learner = make_user(name="Jeanne Dupont-Lefèvre", email="jeanne.secret@example.be")
    login(client, learner)
    before = len(log_lines())
    response = client.get("/certificates/verify?code=K7QM-2XRD-9TPA&name=Jeanne")
    lines = log_lines()[before:]
    assert len(lines) == 1
    line = lines[0]
    assert set(line) == {
        "time",
        "request_id",
        "method",
        "path",
        "endpoint",
        "status",
        "duration_ms",
        "user_id",
    }
    assert line["method"] == "GET" and line["path"] == "/certificates/verify"
    assert line["status"] == response.status_code
    assert line["user_id"] == learner.id
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    raw = json.dumps(line)
    for personal in ("Jeanne", "Dupont", "jeanne.secret", "K7QM", "example.be"):
        assert personal not in raw


def test_the_path_is_the_route_template_not_the_address(client, make_user, log_lines):
    login(client, make_user())
    before = len(log_lines())
    client.get("/courses/no-such-course")
    client.get("/nowhere/at/all")
    paths = [line["path"] for line in log_lines()[before:]]
    assert paths[0] is not None and "<" in paths[0] and "no-such-course" not in paths[0]
    assert paths[1] is None  # no route matched: nothing of the address is logged


def test_no_request_log_unless_configured(app, client, log_lines):
    app.config["LMS_LOG_FORMAT"] = ""
    client.get("/healthz")
    assert log_lines() == []
