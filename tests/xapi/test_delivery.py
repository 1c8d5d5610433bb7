"""The delivery worker against a fake LRS on 127.0.0.1: batches, cursors, back-off,
rejections, conflicts and timeouts."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lms.core.db import db, utcnow
from lms.xapi import delivery, transport
from lms.xapi.models import XapiDeliveryIssue, XapiEndpoint, XapiStatement
from tests.conftest import login, post_form
from tests.xapi.conftest import rows
from tests.xapi.fake_lrs import FakeLRS
from tests.xapi.learner import WALK_TOTAL, walk


@pytest.fixture
def app_config(fake_lrs):
    return {
        "LMS_LRS_ENDPOINTS": [fake_lrs.endpoint()],
        "LMS_XAPI_BATCH_SIZE": 4,
        "LMS_XAPI_BACKOFF_BASE": 30.0,
        "LMS_XAPI_MAX_ATTEMPTS": 3,
        "LMS_XAPI_TIMEOUT": 0.3,
    }


@pytest.fixture
def walked(app, db_session, course, make_learner):
    """The statements of one learner who walked the whole course, committed."""
    learner = make_learner()
    walk(db_session, learner.enrolment, learner.user, course)
    db_session.commit()
    return [str(row.statement_id) for row in rows(db_session)]


def deliver(app, session) -> list[delivery.EndpointReport]:
    settings = transport.Settings.from_config(app.config)
    http = transport.Transport(settings)
    try:
        return delivery.deliver_round(
            session, transport.endpoints_from_config(app.config), settings, http
        )
    finally:
        http.close()


def time_passes(session) -> None:
    """Make every back-off and retry due now."""
    session.execute(update(XapiEndpoint).values(next_attempt_at=None))
    session.execute(
        update(XapiDeliveryIssue)
        .where(XapiDeliveryIssue.status == "retrying")
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    session.commit()


def state(session, name="fake") -> XapiEndpoint:
    session.expire_all()
    return session.scalar(select(XapiEndpoint).where(XapiEndpoint.name == name))


def test_batches_in_commit_order_with_a_cursor(app, db_session, fake_lrs, walked):
    [report] = deliver(app, db_session)
    assert report.sent == WALK_TOTAL and report.error is None
    assert [r["size"] for r in fake_lrs.requests] == [4, 4, 4, 4, 2, 1][: len(fake_lrs.requests)]
    assert sum(r["size"] for r in fake_lrs.requests) == WALK_TOTAL
    assert [s["id"] for s in fake_lrs.received] == walked
    headers = fake_lrs.requests[0]["headers"]
    assert headers["X-Experience-API-Version"] == "1.0.3"
    assert headers["Authorization"].startswith("Basic ")
    assert fake_lrs.requests[0]["path"] == "/xAPI/statements"
    endpoint = state(db_session)
    assert endpoint.delivered == WALK_TOTAL
    assert endpoint.cursor == max(row.sequence for row in rows(db_session))

    [report] = deliver(app, db_session)  # nothing new: no request at all
    assert report.sent == 0
    assert sum(r["size"] for r in fake_lrs.requests) == WALK_TOTAL


def test_a_row_that_commits_late_is_not_skipped(app, db_session, fake_lrs, walked):
    template = rows(db_session)[0]
    deliver(app, db_session)

    def add(row_id: int) -> None:
        db_session.add(
            XapiStatement(
                id=row_id,
                statement_id=uuid.uuid4(),
                verb=template.verb,
                payload=template.payload.replace(str(template.statement_id), str(uuid.uuid4())),
                user_id=template.user_id,
                created_at=utcnow(),
            )
        )
        db_session.commit()

    highest = max(row.id for row in rows(db_session))
    add(highest + 10)
    deliver(app, db_session)
    # A transaction that took its id earlier but committed later (as on PostgreSQL).
    add(highest + 5)
    deliver(app, db_session)
    assert len(fake_lrs.received) == WALK_TOTAL + 2
    sequences = {row.id: row.sequence for row in rows(db_session)}
    assert sequences[highest + 5] > sequences[highest + 10]


def test_each_endpoint_keeps_its_own_cursor(app, db_session, fake_lrs, walked):
    down = FakeLRS().start()
    try:
        down.answer = lambda _statements: 503
        app.config["LMS_LRS_ENDPOINTS"] = [fake_lrs.endpoint(), down.endpoint("second")]
        up_report, down_report = deliver(app, db_session)
        assert up_report.sent == WALK_TOTAL
        assert down_report.sent == 0 and "HTTP 503" in down_report.error
        second = state(db_session, "second")
        assert (second.cursor, second.failures) == (0, 1)
        assert second.next_attempt_at > utcnow() + timedelta(seconds=25)

        down.answer = lambda _statements: 200
        _up, waiting = deliver(app, db_session)  # still backing off: not even tried
        assert waiting.waiting_until is not None and len(down.received) == 0
        time_passes(db_session)
        up_report, down_report = deliver(app, db_session)
        assert (up_report.sent, down_report.sent) == (0, WALK_TOTAL)
        assert [s["id"] for s in down.received] == walked
        assert state(db_session, "second").failures == 0
    finally:
        down.stop()


def test_back_off_doubles_and_the_cursor_waits(app, db_session, fake_lrs, walked):
    fake_lrs.answer = lambda _statements: 500
    waits = []
    for _round in range(3):
        [report] = deliver(app, db_session)
        assert report.error
        endpoint = state(db_session)
        waits.append(round((endpoint.next_attempt_at - endpoint.last_error_at).total_seconds()))
        time_passes(db_session)
    assert waits == [30, 60, 120]
    assert state(db_session).cursor == 0
    fake_lrs.answer = lambda _statements: 200
    [report] = deliver(app, db_session)
    assert report.sent == WALK_TOTAL


def test_a_rejected_statement_is_retried_then_becomes_a_dead_letter(
    app, db_session, fake_lrs, walked
):
    bad = walked[5]
    fake_lrs.answer = lambda statements: 400 if bad in [s["id"] for s in statements] else 200
    [report] = deliver(app, db_session)
    assert (report.sent, report.rejected) == (WALK_TOTAL - 1, 1)
    assert state(db_session).cursor == max(row.sequence for row in rows(db_session))
    for _round in range(2):
        time_passes(db_session)
        deliver(app, db_session)
    issue = db_session.scalar(select(XapiDeliveryIssue))
    assert (issue.status, issue.attempts, issue.http_status) == ("failed", 3, 400)
    time_passes(db_session)
    deliver(app, db_session)
    assert db_session.scalar(select(XapiDeliveryIssue)).attempts == 3  # not sent again

    runner = app.test_cli_runner()
    listing = runner.invoke(args=["lms", "xapi", "failed"])
    assert bad in listing.output and "failed" in listing.output
    fake_lrs.answer = lambda _statements: 200
    retried = runner.invoke(args=["lms", "xapi", "retry", "--all"])
    assert "1 statement(s)" in retried.output
    [report] = deliver(app, db_session)
    assert report.sent == 1 and fake_lrs.received[-1]["id"] == bad
    assert db_session.scalar(select(XapiDeliveryIssue)) is None
    assert "No failed statements" in runner.invoke(args=["lms", "xapi", "failed"]).output


def test_a_conflict_is_reported_and_not_retried(app, db_session, fake_lrs, walked):
    clash = walked[2]
    fake_lrs.answer = lambda statements: 409 if clash in [s["id"] for s in statements] else 200
    [report] = deliver(app, db_session)
    assert (report.sent, report.conflicts) == (WALK_TOTAL - 1, 1)
    posted = len(fake_lrs.requests)
    time_passes(db_session)
    deliver(app, db_session)
    assert len(fake_lrs.requests) == posted
    issue = db_session.scalar(select(XapiDeliveryIssue))
    assert (issue.status, issue.http_status) == ("conflict", 409)
    runner = app.test_cli_runner()
    assert "conflict" in runner.invoke(args=["lms", "xapi", "failed"]).output
    assert runner.invoke(args=["lms", "xapi", "retry"]).exit_code != 0  # ids or --all
    fake_lrs.answer = lambda _statements: 200
    runner.invoke(args=["lms", "xapi", "retry", str(issue.id)])
    [report] = deliver(app, db_session)
    assert report.sent == 1


def test_every_request_has_a_timeout(app, db_session, fake_lrs, walked):
    fake_lrs.delay = 2.0
    started = time.monotonic()
    [report] = deliver(app, db_session)
    assert time.monotonic() - started < 1.5
    assert "Timeout" in report.error
    endpoint = state(db_session)
    assert (endpoint.cursor, endpoint.failures) == (0, 1)


def test_deliver_command_once(app, db_session, fake_lrs, walked):
    result = app.test_cli_runner().invoke(args=["lms", "xapi", "deliver", "--once"])
    assert result.exit_code == 0, result.output
    assert f"fake: sent {WALK_TOTAL}" in result.output
    assert len(fake_lrs.received) == WALK_TOTAL


def test_the_admin_page_shows_the_queue_per_endpoint(
    app, client, course, fake_lrs, make_learner, make_user
):
    # No app context stays open here: requests would share its ``g`` (and its login).
    learner = make_learner()
    with app.app_context():
        walk(db.session, learner.enrolment, learner.user, course)
        db.session.commit()
        clash = str(rows(db.session)[0].statement_id)
        fake_lrs.answer = lambda statements: 409 if clash in [s["id"] for s in statements] else 200
        deliver(app, db.session)
        issue_id = db.session.scalar(select(XapiDeliveryIssue.id))
    login(client, learner.user)
    assert client.get("/admin/xapi/").status_code == 403

    client = app.test_client()
    login(client, make_user(roles=("admin",)))
    page = client.get("/admin/xapi/").get_data(as_text=True)
    assert "fake" in page and fake_lrs.url in page
    assert "<caption>" in page and 'scope="col"' in page
    assert clash in page and "secret" not in page
    response = post_form(client, "/admin/xapi/retry", {"issue": str(issue_id)}, page="/admin/xapi/")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(XapiDeliveryIssue.status)) == "retrying"
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "notice-success" in follow
