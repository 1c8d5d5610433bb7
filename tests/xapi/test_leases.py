"""Several delivery workers: one endpoint is served by one worker at a time (a lease), a
lease that expired is taken over, and a worker whose lease was taken never moves the cursor.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lms.core.db import utcnow
from lms.xapi import delivery, transport
from lms.xapi.models import XapiEndpoint
from tests.xapi.conftest import rows
from tests.xapi.learner import WALK_TOTAL, walk


@pytest.fixture
def app_config(fake_lrs):
    return {"LMS_LRS_ENDPOINTS": [fake_lrs.endpoint()], "LMS_XAPI_BATCH_SIZE": 4}


@pytest.fixture
def walked(app, db_session, course, make_learner):
    learner = make_learner()
    walk(db_session, learner.enrolment, learner.user, course)
    db_session.commit()
    return [str(row.statement_id) for row in rows(db_session)]


def deliver(app, session, worker: str) -> delivery.EndpointReport:
    settings = transport.Settings.from_config(app.config)
    http = transport.Transport(settings)
    try:
        [report] = delivery.deliver_round(
            session, transport.endpoints_from_config(app.config), settings, http, worker=worker
        )
        return report
    finally:
        http.close()


def claim(session, who: str, until) -> None:
    session.execute(update(XapiEndpoint).values(claimed_by=who, claimed_until=until))
    session.commit()


def endpoint(session) -> XapiEndpoint:
    session.expire_all()
    return session.scalars(select(XapiEndpoint)).one()


def test_an_endpoint_served_by_another_worker_is_left_alone(app, db_session, fake_lrs, walked):
    deliver(app, db_session, "first")  # creates the endpoint's row, delivers everything
    assert len(fake_lrs.received) == WALK_TOTAL
    assert endpoint(db_session).claimed_by is None  # released at the end of the round
    fake_lrs.received.clear()
    db_session.execute(update(XapiEndpoint).values(cursor=0))  # as if nothing was sent
    claim(db_session, "other-host:1:abc", utcnow() + timedelta(minutes=5))
    report = deliver(app, db_session, "second")
    assert report.sent == 0 and fake_lrs.received == []
    assert report.line() == "fake: served by another worker (other-host:1:abc)"
    assert endpoint(db_session).cursor == 0


def test_an_expired_lease_is_taken_over_from_the_cursor(app, db_session, fake_lrs, walked):
    deliver(app, db_session, "first")
    fake_lrs.received.clear()
    db_session.execute(update(XapiEndpoint).values(cursor=5, delivered=5))
    claim(db_session, "dead-host:1:abc", utcnow() - timedelta(seconds=1))
    report = deliver(app, db_session, "second")
    assert report.sent == WALK_TOTAL - 5
    assert [s["id"] for s in fake_lrs.received] == walked[5:]
    state = endpoint(db_session)
    assert (state.cursor, state.delivered, state.claimed_by) == (WALK_TOTAL, WALK_TOTAL, None)


def test_a_worker_whose_lease_was_taken_does_not_move_the_cursor(app, db_session, fake_lrs, walked):
    deliver(app, db_session, "first")
    db_session.execute(update(XapiEndpoint).values(cursor=0, delivered=0))
    db_session.commit()
    settings = transport.Settings.from_config(app.config)
    http = transport.Transport(settings)
    original = http.post
    taken = []

    def post_then_lose_the_lease(target, statements):
        answer = original(target, statements)
        if not taken:  # while the first batch is in flight, the lease expires and is taken
            claim(db_session, "other-host:2:def", utcnow() + timedelta(minutes=5))
            taken.append(True)
        return answer

    http.post = post_then_lose_the_lease
    try:
        [ep] = transport.endpoints_from_config(app.config)
        report = delivery.deliver_endpoint(db_session, ep, settings, http, worker="first")
    finally:
        http.close()
    assert report.served_by == "other-host:2:def"
    state = endpoint(db_session)
    assert (state.cursor, state.delivered) == (0, 0)  # the other worker carries on from here
