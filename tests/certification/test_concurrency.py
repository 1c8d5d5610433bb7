"""Two completions at the same moment issue one certificate (real commits, two connections).

Each round releases two threads together with a ``threading.Barrier``; 20 rounds, on SQLite
and on PostgreSQL. On SQLite, where one writer at a time holds the database, the thread that
loses the race may instead fail with "database is locked" and roll back; what matters, and is
asserted, is that exactly one certificate and one ``earned`` statement exist.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from lms.accounts.models import User
from lms.accounts.services import create_user
from lms.authoring.importer import import_paths
from lms.catalog.models import Course
from lms.catalog.queries import get_course_def
from lms.certification import services
from lms.certification.models import Certificate
from lms.core.db import db
from lms.learning import services as learning
from lms.learning.models import Enrolment
from lms.xapi.models import XapiStatement
from lms.xapi.vocabulary import VERBS
from tests.certification.conftest import certified_course_yaml

ROUNDS = 20
LIVE = (
    "      - {id: m1-live, type: session, title: {nl: Terugkommoment, fr: Retour}, "
    "duration_minutes: 60}\n"
)


@pytest.fixture
def race_app(committing_app):
    """``committing_app`` that can empty its tables afterwards although a course was imported:
    a course and its current version point at each other, so the pointer goes first."""
    yield committing_app
    with committing_app.extensions["lms"].engine.begin() as connection:
        connection.execute(update(Course).values(current_version_id=None))


def _setup(app, tmp_path: Path) -> None:
    folder = tmp_path / "race"
    folder.mkdir()
    (folder / "race.yaml").write_text(certified_course_yaml("race", extra_activities=LIVE))
    with app.app_context():
        import_paths(db.session, [folder / "race.yaml"], certificates_dir=None)
        db.session.commit()


def _learner_ready(app, n: int) -> int:
    """A learner who has read the e-learning; the live session is all that is left."""
    with app.app_context():
        session = db.session
        course = get_course_def(session, "race")
        user = create_user(
            session, full_name=f"Racer {n}", email=f"racer{n}@example.be", password="x" * 12
        )
        enrolment, _ = learning.enrol(session, user, course)
        for section in course.sections:
            learning.open_section(session, enrolment, user, course, section.id)
        session.commit()
        return user.id


def _race(app, work) -> list[BaseException]:
    """Run ``work(session)`` in two threads released together; returns their errors."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def thread_main() -> None:
        with app.app_context():
            session = db.session
            try:
                args = work.prepare(session)
                session.commit()  # no transaction open when the race starts
                barrier.wait()
                work.run(session, *args)
                session.commit()
            except OperationalError as exc:
                session.rollback()
                if session.bind.dialect.name != "sqlite" or "locked" not in str(exc):
                    errors.append(exc)
            except BaseException as exc:  # reported by the test
                errors.append(exc)

    threads = [threading.Thread(target=thread_main) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def _counts(app, user_id: int) -> tuple[int, int]:
    with app.app_context():
        certificates = db.session.scalar(
            select(func.count()).select_from(Certificate).where(Certificate.user_id == user_id)
        )
        earned = db.session.scalar(
            select(func.count())
            .select_from(XapiStatement)
            .where(XapiStatement.user_id == user_id, XapiStatement.verb == VERBS["earned"])
        )
        return certificates, earned


class _Load:
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id

    def prepare(self, session):
        user = session.get(User, self.user_id)
        course = get_course_def(session, "race")
        enrolment = session.scalar(select(Enrolment).where(Enrolment.user_id == self.user_id))
        return user, course, enrolment


class CompleteTheLastActivity(_Load):
    """What a trainer's attendance list and a second request would both do."""

    def run(self, session, user, course, enrolment) -> None:
        learning.record_activity_completion(session, enrolment, user, course, "m1-live")


class IssueDirectly(_Load):
    """Two listeners at once, past the learning layer's own guard: our unique constraint."""

    def run(self, session, user, course, enrolment) -> None:
        certificate, _ = services.issue_certificate(
            session, enrolment, user, course, completed_at=services.utcnow()
        )
        assert certificate is not None


def test_two_concurrent_completions_issue_one_certificate(race_app, tmp_path):
    _setup(race_app, tmp_path)
    for n in range(ROUNDS):
        user_id = _learner_ready(race_app, n)
        assert _race(race_app, CompleteTheLastActivity(user_id)) == []
        assert _counts(race_app, user_id) == (1, 1), f"round {n}"


def test_two_concurrent_issues_give_one_certificate(race_app, tmp_path):
    _setup(race_app, tmp_path)
    for n in range(ROUNDS):
        user_id = _learner_ready(race_app, 100 + n)
        # The course is not completed yet (the live session is open): issue by hand, twice.
        assert _race(race_app, IssueDirectly(user_id)) == []
        assert _counts(race_app, user_id) == (1, 1), f"round {n}"
