"""Delivery to a real Ralph LRS on 127.0.0.1 (file-system backend), and to LRSs that fail.

These tests commit for real (``live_app``): the worker and the web pages run side by side.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from sqlalchemy import select

from lms.accounts.services import RoleSpec, create_user
from lms.core.db import db
from lms.xapi import delivery, transport
from lms.xapi.models import XapiEndpoint, XapiStatement
from lms.xapi.validation import problems
from lms.xapi.vocabulary import VERBS
from tests.conftest import PASSWORD, login
from tests.xapi.conftest import every_statement
from tests.xapi.learner import WALK_COUNTS, enrol, import_course, walk
from tests.xapi.ralph import validate_with_ralph

pytestmark = pytest.mark.lrs

NAMES = {iri: name for name, iri in VERBS.items()}


def setup_learners(app, tmp_path, count: int):
    """Import the course and enrol ``count`` learners (committed); returns (course, pairs)."""
    with app.app_context():
        course = import_course(db.session, tmp_path / "content")
        pairs = []
        for n in range(count):
            user = create_user(
                db.session,
                full_name=f"Learner {n}",
                email=f"learner{n}@example.be",
                password=PASSWORD,
                organisation=None,
                department=None,
                roles=[RoleSpec("learner")],
                language=("nl", "fr")[n % 2],
            )
            pairs.append((user, enrol(db.session, user, course)))
        db.session.commit()
    return course, pairs


def outbox(app) -> list[XapiStatement]:
    with app.app_context():
        return list(db.session.scalars(select(XapiStatement).order_by(XapiStatement.id)))


def deliver_once(app) -> str:
    result = app.test_cli_runner().invoke(args=["lms", "xapi", "deliver", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def test_statements_arrive_and_are_fetched_back_by_registration(
    live_app, ralph, ralph_python, tmp_path
):
    app = live_app(LMS_LRS_ENDPOINTS=[ralph.endpoint()], LMS_XAPI_BATCH_SIZE=7)
    course, learners = setup_learners(app, tmp_path, 2)
    with app.app_context():
        for user, enrolment in learners:
            walk(db.session, enrolment, user, course)
        db.session.commit()
    rows = outbox(app)
    payloads = [json.loads(row.payload) for row in rows]
    assert validate_with_ralph(ralph_python, payloads) == []
    assert [problems(statement) for statement in payloads] == [[]] * len(payloads)

    assert f"ralph: sent {len(rows)}" in deliver_once(app)
    for user, enrolment in learners:
        fetched = ralph.statements(registration=str(enrolment.registration))
        mine = [row for row in rows if row.enrolment_id == enrolment.id]
        assert sorted(s["id"] for s in fetched) == sorted(str(r.statement_id) for r in mine)
        assert Counter(NAMES[s["verb"]["id"]] for s in fetched) == WALK_COUNTS
        assert {s["actor"]["account"]["name"] for s in fetched} == {str(user.public_id)}
    assert len(ralph.stored_lines()) == len(rows)
    assert "ralph: sent 0" in deliver_once(app)  # nothing twice


def test_every_kind_of_statement_passes_ralphs_model(app, db_session, course, who, ralph_python):
    statements = list(every_statement(course, who).values())
    assert validate_with_ralph(ralph_python, statements) == []


def test_statements_queue_while_the_lrs_is_down_and_all_arrive_once(live_app, ralph, tmp_path):
    app = live_app(
        LMS_LRS_ENDPOINTS=[ralph.endpoint()], LMS_XAPI_BATCH_SIZE=10, LMS_XAPI_BACKOFF_BASE=0.2
    )
    course, [(first, first_enrolment), (second, second_enrolment)] = setup_learners(
        app, tmp_path, 2
    )
    with app.app_context():
        walk(db.session, first_enrolment, first, course, sections=2)
        db.session.commit()
    assert "ralph: sent 4" in deliver_once(app)

    ralph.stop()
    with app.app_context():  # learning goes on while the LRS is away
        walk(db.session, first_enrolment, first, course)
        walk(db.session, second_enrolment, second, course)
        db.session.commit()
    output = deliver_once(app)
    assert "ralph: sent 0; failed: ConnectionError" in output
    with app.app_context():
        state = db.session.scalar(select(XapiEndpoint))
        assert state.failures == 1 and state.delivered == 4
    rows = outbox(app)
    assert len(rows) > 4 + 2 * 10

    ralph.start()
    time.sleep(0.25)  # the back-off after one failure
    assert f"ralph: sent {len(rows) - 4}" in deliver_once(app)
    stored = ralph.stored_lines()
    assert len(stored) == len(rows)  # none lost, none twice
    assert sorted(s["id"] for s in stored) == sorted(str(row.statement_id) for row in rows)
    for enrolment in (first_enrolment, second_enrolment):
        fetched = ralph.statements(registration=str(enrolment.registration))
        assert len(fetched) == sum(row.enrolment_id == enrolment.id for row in rows)


class LossyProxy:
    """Forwards to the LRS, but loses the answers to the first ``lose`` requests (as a
    network that fails after the LRS stored the batch)."""

    def __init__(self, target: str, lose: int) -> None:
        self.posted = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                answer = requests.post(
                    target + "statements", data=body, headers=headers, timeout=30
                )
                proxy.posted += 1
                if proxy.posted <= lose:
                    self.close_connection = True
                    return  # stored by the LRS, but the worker never hears so
                self.send_response(answer.status_code)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def log_message(self, *_args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/xAPI/"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_batch_whose_answer_was_lost_is_resent_and_stored_once(live_app, ralph, tmp_path):
    proxy = LossyProxy(ralph.url, lose=2)
    try:
        endpoint = {**ralph.endpoint(), "url": proxy.url}
        app = live_app(
            LMS_LRS_ENDPOINTS=[endpoint], LMS_XAPI_BATCH_SIZE=6, LMS_XAPI_BACKOFF_BASE=0.05
        )
        course, [(user, enrolment)] = setup_learners(app, tmp_path, 1)
        with app.app_context():
            walk(db.session, enrolment, user, course)
            db.session.commit()
        for _round in range(3):
            deliver_once(app)
            time.sleep(0.2)
        rows = outbox(app)
        stored = ralph.stored_lines()
        assert proxy.posted > len(rows) / 6  # some batches went twice...
        assert len(stored) == len(rows)  # ...and were stored once
        assert len({s["id"] for s in stored}) == len(rows)
    finally:
        proxy.stop()


@pytest.fixture
def silent_lrs():
    """An address that accepts connections (the kernel does) and never answers."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    yield f"http://127.0.0.1:{silent.getsockname()[1]}/xAPI/"
    silent.close()


def test_an_lrs_that_never_answers_times_out_while_pages_keep_answering(
    live_app, silent_lrs, tmp_path
):
    url = silent_lrs
    app = live_app(
        LMS_LRS_ENDPOINTS=[{"name": "silent", "url": url}],
        LMS_XAPI_TIMEOUT=1.5,
        LMS_XAPI_BACKOFF_BASE=0.2,
        LMS_XAPI_BACKOFF_MAX=0.4,
    )
    course, [(user, enrolment)] = setup_learners(app, tmp_path, 1)
    with app.app_context():
        admin = create_user(
            db.session,
            full_name="Admin",
            email="admin@example.be",
            password=PASSWORD,
            organisation=None,
            department=None,
            roles=[RoleSpec("admin")],
        )
        db.session.commit()
    stop = threading.Event()
    worker = threading.Thread(
        target=delivery.run,
        args=(
            app.extensions["lms"].session_factory,
            transport.endpoints_from_config(app.config),
            transport.Settings.from_config(app.config),
        ),
        kwargs={"interval": 0.05, "should_stop": stop.is_set},
    )
    client = app.test_client()
    login(client, admin)
    timings: list[float] = []
    statuses: list[int] = []

    def timed(operation) -> None:
        started = time.monotonic()
        operation()
        timings.append(time.monotonic() - started)

    def learner_progress() -> None:  # a learner's lesson page writes and commits
        with app.app_context():
            walk(db.session, enrolment, user, course, sections=1)
            db.session.commit()

    def failures() -> int:
        with app.app_context():
            return db.session.scalar(select(XapiEndpoint.failures)) or 0

    worker.start()
    try:
        deadline = time.monotonic() + 10
        while failures() < 2 and time.monotonic() < deadline:
            for page in ("/admin/xapi/", "/healthz"):
                timed(lambda page=page: statuses.append(client.get(page).status_code))
            timed(learner_progress)
            time.sleep(0.05)
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()
    # Every request to the LRS waited 1.5 s for nothing; no page ever waited for it.
    assert len(timings) > 10 and max(timings) < 1.0, timings
    assert set(statuses) == {200}
    with app.app_context():
        state = db.session.scalar(select(XapiEndpoint))
        assert state.failures >= 2  # timed out, backed off, tried again
        assert "ReadTimeout" in state.last_error
        assert state.cursor == 0 and state.delivered == 0
        count = db.session.scalar(select(XapiStatement.id).order_by(XapiStatement.id.desc()))
        assert count is not None  # the statements wait in the outbox
