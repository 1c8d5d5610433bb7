"""Two people asking for the last seat at the same moment: one gets it, the other waits; a
date cancelled while someone registers keeps nobody.

Real commits on separate connections (``committing_app``), two threads released together by
a barrier, 20 times; on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from lms.accounts.models import User
from lms.accounts.services import create_user
from lms.authoring.importer import import_paths
from lms.catalog.models import Course
from lms.catalog.queries import get_course_def
from lms.core.db import db
from lms.learning.services import enrol
from lms.live import services
from lms.live.access import live_access
from lms.live.models import LiveRegistration, LiveSession
from lms.mail.models import OutgoingMail
from tests.conftest import PASSWORD, csrf_token
from tests.live.conftest import in_days, live_course_yaml

REPETITIONS = 20


def _setup(app, tmp_path):
    path = tmp_path / "live.yaml"
    path.write_text(live_course_yaml("race"), encoding="utf-8")
    with app.app_context():
        import_paths(db.session, [path], certificates_dir=None)
        db.session.commit()
        course = get_course_def(db.session, "race")
        people = []
        for name in ("trainer", "first", "second"):
            people.append(
                create_user(
                    db.session, full_name=name, email=f"{name}@race.be", password=PASSWORD, roles=[]
                )
            )
        db.session.flush()
        for person in people[1:]:
            enrol(db.session, person, course)
        from lms.accounts.models import RoleAssignment

        db.session.add(RoleAssignment(user_id=people[0].id, role="trainer"))
        db.session.commit()
        return [p.id for p in people]


def _new_date(app, trainer_id):
    with app.app_context():
        course = get_course_def(db.session, "race")
        trainer = db.session.get(User, trainer_id)
        access = live_access(db.session, trainer, course, course.activities_by_id["webinar-1"])
        start = in_days(3)
        live = services.schedule(
            db.session,
            access,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            link="https://m.example.be",
            capacity=1,
        )
        db.session.commit()
        return live.id


def _clear(app, session_id) -> None:
    """Remove the date's registrations and the mail queued, for the next round."""
    with app.app_context():
        db.session.execute(
            delete(LiveRegistration).where(LiveRegistration.session_id == session_id)
        )
        db.session.execute(delete(OutgoingMail))
        db.session.commit()


def _race(*requests) -> list[int]:
    """Send the POST requests ``(client, token, url, data)`` at the same moment (released
    together by a barrier, each from its own thread); their status codes."""
    barrier = threading.Barrier(len(requests))
    codes: list[int] = []

    def send(client, token, url, data) -> None:
        barrier.wait()
        codes.append(client.post(url, data={**data, "csrf_token": token}).status_code)

    threads = [threading.Thread(target=send, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


@pytest.fixture
def race_app(committing_app):
    """``committing_app``, with the course's version pointer cleared at the end so that its
    clean-up can empty the catalog tables (they refer to each other)."""
    yield committing_app
    with committing_app.extensions["lms"].engine.begin() as connection:
        connection.execute(update(Course).values(current_version_id=None))


def test_last_seat_goes_to_exactly_one(race_app, tmp_path):
    app = race_app
    trainer_id, *learners = _setup(app, tmp_path)
    clients = []
    for email in ("first@race.be", "second@race.be"):
        client = app.test_client()
        client.post(
            "/login",
            data={"login": email, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")},
        )
        clients.append((client, csrf_token(client, "/")))
    for _ in range(REPETITIONS):
        session_id = _new_date(app, trainer_id)
        url = f"/courses/race/sessions/webinar-1/{session_id}/register"
        assert _race(*[(client, token, url, {}) for client, token in clients]) == [302, 302]
        with app.app_context():
            statuses = sorted(
                db.session.scalars(
                    select(LiveRegistration.status).where(LiveRegistration.session_id == session_id)
                )
            )
        assert statuses == ["registered", "waiting"]
        _clear(app, session_id)  # nobody is registered any more before the next round
    assert learners


def test_a_cancellation_racing_a_registration_leaves_nobody_on_the_cancelled_date(
    race_app, tmp_path
):
    """A trainer cancels a date while a learner registers for it, 20 times: whichever comes
    first, no registration is left on the cancelled date (the seat is not taken, nobody
    waits), and the learner who got in first is told like everyone else."""
    app = race_app
    trainer_id, first_id, second_id = _setup(app, tmp_path)
    clients = {}
    for email in ("trainer@race.be", "first@race.be"):
        client = app.test_client()
        client.post(
            "/login",
            data={"login": email, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")},
        )
        clients[email] = (client, csrf_token(client, "/"))
    for round_ in range(REPETITIONS):
        session_id = _new_date(app, trainer_id)
        if round_ % 2:  # every other round the date is full: the learner would wait
            with app.app_context():
                course = get_course_def(db.session, "race")
                second = db.session.get(User, second_id)
                access = live_access(
                    db.session, second, course, course.activities_by_id["webinar-1"]
                )
                services.register(db.session, access, db.session.get(LiveSession, session_id))
                db.session.commit()
        base = f"/courses/race/sessions/webinar-1/{session_id}"
        codes = _race(
            (*clients["first@race.be"], base + "/register", {}),
            (*clients["trainer@race.be"], base + "/cancel", {"reason": "ziek"}),
        )
        assert codes == [302, 302]
        with app.app_context():
            live = db.session.get(LiveSession, session_id)
            statuses = dict(
                db.session.execute(
                    select(LiveRegistration.user_id, LiveRegistration.status).where(
                        LiveRegistration.session_id == session_id
                    )
                ).all()
            )
            told = set(
                db.session.scalars(
                    select(OutgoingMail.recipient).where(OutgoingMail.template == "live_cancelled")
                )
            )
        assert live.cancelled_at is not None and live.seats_taken == 0
        assert set(statuses.values()) <= {"cancelled"}, statuses
        # The learner registered before the cancellation (and was told) or was refused;
        # both happen over the rounds.
        assert (first_id in statuses) == ("first@race.be" in told)
        _clear(app, session_id)
