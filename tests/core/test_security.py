"""CSRF, the login rate limit, security headers on every route, error pages."""

from __future__ import annotations

import re

import pytest

from lms.core.security import SECURITY_HEADERS
from tests.conftest import PASSWORD, login, post_form


def test_form_posted_without_csrf_token_is_rejected(client, make_user):
    user = make_user()
    response = client.post("/login", data={"login": user.login_name, "password": PASSWORD})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "nothing was saved" in html.lower() or "niets bewaard" in html.lower()
    # ... and the person is not logged in.
    assert client.get("/").status_code == 302


def test_form_with_a_forged_token_is_rejected(client, make_user):
    user = make_user()
    response = client.post(
        "/login", data={"login": user.login_name, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400


@pytest.fixture
def app_config():
    return {"LMS_LOGIN_RATE_LIMIT": "5 per minute"}


def test_failed_logins_are_rate_limited_with_a_readable_page(client, make_user):
    """Failures from one address, each for another name (so the per-name limit is not hit)."""
    user = make_user()
    for n in range(5):
        response = post_form(client, "/login", {"login": f"guess{n}", "password": "wrong"})
        assert response.status_code == 422
    response = post_form(client, "/login", {"login": user.login_name, "password": PASSWORD})
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "<h1>" in html and "lms.css" in html  # our page, not a bare error
    assert "Te veel pogingen" in html
    # Reading the login page is not limited.
    assert client.get("/login").status_code == 200


def _example_url(rule) -> str:
    values = {}
    for arg in rule.arguments:
        converter = rule._converters[arg].__class__.__name__
        values[arg] = (
            1
            if converter in ("IntegerConverter", "IdConverter")
            else "nl"
            if arg == "code"
            else "x"
        )
    url = rule.build(values, append_unknown=False)[1]
    return url


def test_security_headers_on_every_route(app, client, make_user, make_organisation):
    admin = make_user(roles=("admin",))
    login(client, admin)
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods]
    assert len(rules) > 10
    checked = 0
    for rule in rules:
        url = _example_url(rule)
        if rule.endpoint.endswith("set_language"):
            continue  # checked below, it would change the language mid-test
        response = client.get(url)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (url, name)
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "script-src 'self'" in csp
        checked += 1
    assert checked == len(rules) - 1
    response = client.get("/language/fr")
    assert (
        response.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    )


def test_no_inline_script_or_style_in_pages(client, make_user):
    admin = make_user(roles=("admin",))
    login(client, admin)
    for url in ["/login", "/", "/profile", "/admin/", "/admin/people", "/admin/organisations"]:
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert " style=" not in html and "<style" not in html, url
        assert not re.search(r"\son[a-z]+=", html), url


@pytest.mark.parametrize(
    "language,title",
    [
        ("nl", "Pagina niet gevonden"),
        ("fr", "Page introuvable"),
        ("de", "Seite nicht gefunden"),
        ("en", "Page not found"),
    ],
)
def test_error_pages_in_four_languages(client, language, title):
    client.get(f"/language/{language}")
    response = client.get("/does-not-exist")
    assert response.status_code == 404
    assert f"<h1>{title}</h1>" in response.get_data(as_text=True)


def test_403_page_for_a_learner_on_admin_pages(client, make_user):
    login(client, make_user())
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "geen toegang" in response.get_data(as_text=True)


@pytest.fixture
def crashing_app(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    return app


def test_500_page_hides_the_details(crashing_app):
    response = crashing_app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "kaboom" not in html
    assert "Sorry" in html or "Er ging iets mis" in html


def test_405_page(client):
    response = client.put("/login")
    assert response.status_code in (400, 405)
