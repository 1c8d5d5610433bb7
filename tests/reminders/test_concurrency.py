"""Two reminder jobs started at the same moment send nobody a reminder twice and skip nobody.

Real commits on separate connections (``committing_app``), two threads released together by
a barrier, several rounds; on SQLite (one writer at a time: the second run waits) and on
PostgreSQL (each batch claims its rows with FOR UPDATE SKIP LOCKED, and the UNIQUE key
refuses a reminder the other run committed).
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from lms.accounts.services import create_user
from lms.authoring.importer import import_paths
from lms.catalog.models import Course
from lms.catalog.queries import get_course_def
from lms.core.db import db
from lms.learning.services import enrol
from lms.learning.statuses import StatusSettings, end_of_day
from lms.mail.models import OutgoingMail
from lms.reminders import jobs
from lms.reminders.models import Reminder
from lms.reminders.services import ReminderSettings
from tests.learning.conftest import course_yaml

ROUNDS = 5
PEOPLE = 12


@pytest.fixture
def race_app(committing_app):
    yield committing_app
    with committing_app.extensions["lms"].engine.begin() as connection:
        connection.execute(update(Course).values(current_version_id=None))


def _setup(app, tmp_path) -> set[int]:
    path = tmp_path / "race.yaml"
    path.write_text(course_yaml("race", 1, lessons=1, sections=2), encoding="utf-8")
    with app.app_context():
        import_paths(db.session, [path], certificates_dir=None)
        db.session.commit()
        course = get_course_def(db.session, "race")
        today = StatusSettings.from_config(app.config).today
        ids = set()
        for n in range(PEOPLE):
            person = create_user(
                db.session, full_name=f"Racer {n}", email=f"racer{n}@race.be", roles=[]
            )
            # Half due in two days, half overdue.
            due = end_of_day(today + timedelta(days=2 if n % 2 else -3))
            enrolment, _ = enrol(db.session, person, course, due_at=due)
            enrolment.mandatory = True
            ids.add(enrolment.id)
        db.session.commit()
        return ids


def _run(app, results: list[int], barrier: threading.Barrier) -> None:
    with app.app_context():
        settings = StatusSettings.from_config(app.config)
        rules = ReminderSettings.from_config(app.config)
        barrier.wait()
        results.append(jobs.send_automatic(db.session, settings, rules, batch_size=3))


def test_two_runs_at_once_remind_everyone_exactly_once(race_app, tmp_path):
    app = race_app
    expected = _setup(app, tmp_path)
    for _round in range(ROUNDS):
        results: list[int] = []
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=_run, args=(app, results, barrier)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(results) == 2, "a run failed"
        with app.app_context():
            per_enrolment = Counter(db.session.scalars(select(Reminder.enrolment_id)))
            mails = Counter(
                db.session.scalars(
                    select(OutgoingMail.recipient).where(OutgoingMail.template == "reminder")
                )
            )
            assert set(per_enrolment) == expected
            assert set(per_enrolment.values()) == {1}
            assert sum(mails.values()) == PEOPLE and set(mails.values()) == {1}
            assert sum(results) == PEOPLE  # what the two runs printed adds up
            db.session.execute(delete(Reminder))
            db.session.execute(delete(OutgoingMail))
            db.session.commit()
