"""Time limits are enforced by the server, with a short grace; coordinators give extra time
(or none) to a person; the timer is in the page without JavaScript."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.assessment import views
from lms.assessment.models import Accommodation, Answer, Attempt
from lms.core.audit import AuditEvent
from lms.core.db import db, utcnow
from tests.assessment.conftest import RIGHT
from tests.conftest import login, post_form


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(views, "utcnow", clock)
    return clock


def the_attempt(app, user_id: int) -> Attempt:
    with app.app_context():
        return db.session.scalar(select(Attempt).where(Attempt.user_id == user_id))


def saved(app, attempt_id: int) -> dict[int, object]:
    with app.app_context():
        return {
            a.position: a.response
            for a in db.session.scalars(select(Answer).where(Answer.attempt_id == attempt_id))
        }


def test_answers_after_the_deadline_and_grace_are_not_counted(app, make_test, learner, clock):
    make_test(time_limit_minutes=10, shuffle_questions="false", pass_mark="0.1")
    person = learner()
    start = clock.now
    person.start()
    attempt = the_attempt(app, person.user.id)
    assert attempt.deadline_at == start + timedelta(minutes=10)
    # The page shows the time left, written by the server.
    html = person.client.get(f"{person.base}/question?n=1").get_data(as_text=True)
    assert 'data-seconds-left="600"' in html and "10 minut" in html
    assert "assessment-timer.js" in html
    clock.now = start + timedelta(minutes=10, seconds=20)  # within the grace
    assert person.answer(1, RIGHT["sc"]).headers["Location"].endswith("question?n=2")
    html = person.client.get(f"{person.base}/question?n=2").get_data(as_text=True)
    assert 'data-seconds-left="0"' in html and "timer-warning" in html
    clock.now = start + timedelta(minutes=10, seconds=31)  # too late: the page was open
    page = f"{person.base}/question?n=2"
    late = person.post(page, {**RIGHT["mc"], "attempt": "1", "go": "next"}, page="/")
    assert "/result?attempt=1" in late.headers["Location"]
    assert saved(app, attempt.id)[0] == "a"
    assert saved(app, attempt.id).get(1) is None
    closed = the_attempt(app, person.user.id)
    assert closed.status == "submitted" and closed.ended_by == "time"
    assert closed.raw_score == 1.0 and closed.max_score == 7.0
    result = person.client.get(late.headers["Location"]).get_data(as_text=True)
    assert "Time ran out" in result or "tijd" in result.lower()


def test_an_abandoned_attempt_is_scored_when_the_learner_comes_back(app, make_test, learner, clock):
    make_test(time_limit_minutes=5)
    person = learner()
    person.start()
    clock.now += timedelta(hours=2)
    page = person.client.get(person.base)
    assert page.status_code == 200
    attempt = the_attempt(app, person.user.id)
    assert attempt.status == "submitted" and attempt.ended_by == "time"
    assert attempt.raw_score == 0.0


def test_cli_closes_expired_attempts(app, make_test, learner, clock):
    make_test(time_limit_minutes=5)
    person = learner()
    person.start()
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        attempt.deadline_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["lms", "tests", "close-expired"])
    assert result.exit_code == 0, result.output
    assert "1 attempt(s) closed" in result.output
    assert the_attempt(app, person.user.id).ended_by == "time"


@pytest.fixture
def municipality(make_organisation, make_user):
    de_panne = make_organisation("De Panne")
    koksijde = make_organisation("Koksijde")
    return {
        "coordinator": make_user(organisation=de_panne, manages=[de_panne]),
        "other_coordinator": make_user(organisation=koksijde, manages=[koksijde]),
        "learner": make_user(name="Els Peeters", organisation=de_panne),
    }


def test_coordinator_gives_extra_time_that_applies_at_once(
    app, make_test, learner, municipality, clock
):
    make_test(time_limit_minutes=20)
    person = learner(user=municipality["learner"])
    person.start()
    start = clock.now
    coordinator = app.test_client()
    login(coordinator, municipality["coordinator"])
    person_page = coordinator.get(f"/organisation/people/{person.user.id}").get_data(as_text=True)
    url = f"/accommodations?person={person.user.id}"
    assert f'href="{url}"' in person_page
    form = coordinator.get(url)
    assert form.status_code == 200 and "Els Peeters" in form.get_data(as_text=True)
    missing = post_form(coordinator, url, {"time": "extra"}, page=url)
    assert missing.status_code == 422
    assert 'class="error-summary"' in missing.get_data(as_text=True)
    saved_ = post_form(coordinator, url, {"time": "extra", "extra_percent": "50"}, page=url)
    assert saved_.status_code == 302
    assert the_attempt(app, person.user.id).deadline_at == start + timedelta(minutes=30)
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "test_accommodation_set")
        )
        assert event.target_id == person.user.id and event.details["extra_time_percent"] == 50
    test_page = person.client.get(person.base).get_data(as_text=True)
    assert "30 minutes" in test_page or "30 minuten" in test_page
    post_form(coordinator, url, {"time": "unlimited"}, page=url)
    assert the_attempt(app, person.user.id).deadline_at is None
    post_form(coordinator, url, {"time": "standard"}, page=url)
    assert the_attempt(app, person.user.id).deadline_at == start + timedelta(minutes=20)
    with app.app_context():
        assert db.session.scalar(select(Accommodation)) is None


def test_accommodation_page_is_scoped_to_the_coordinators_people(app, client, municipality):
    learner_id = municipality["learner"].id
    login(client, municipality["other_coordinator"])
    assert client.get(f"/accommodations?person={learner_id}").status_code == 404
    response = post_form(
        client, f"/accommodations?person={learner_id}", {"time": "unlimited"}, page="/"
    )
    assert response.status_code == 404
    assert client.get("/accommodations").status_code == 404
    other = app.test_client()
    login(other, municipality["learner"])
    assert other.get(f"/accommodations?person={learner_id}").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Accommodation)) is None


def test_new_attempt_uses_the_accommodation(app, make_test, learner, municipality, clock):
    from lms.assessment.services import set_accommodation

    make_test(time_limit_minutes=10)
    with app.app_context():
        person = db.session.merge(municipality["learner"])
        actor = db.session.merge(municipality["coordinator"])
        set_accommodation(db.session, person, actor=actor, no_time_limit=True)
        db.session.commit()
    taker = learner(user=municipality["learner"])
    html = taker.client.get(taker.base).get_data(as_text=True)
    assert "no time limit" in html or "geen tijdslimiet" in html.lower()
    taker.start()
    assert the_attempt(app, taker.user.id).deadline_at is None
    page = taker.client.get(f"{taker.base}/question?n=1").get_data(as_text=True)
    assert "test-timer" not in page and "assessment-timer.js" not in page
