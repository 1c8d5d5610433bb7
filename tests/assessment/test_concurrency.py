"""Two simultaneous submissions of one attempt produce exactly one score (design.md,
"Testing notes"): real commits on separate connections, two threads released together by a
barrier, 20 times. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import re
import threading

import pytest
from sqlalchemy import func, select, update

from lms.accounts.services import create_user
from lms.assessment.models import Answer, Attempt
from lms.authoring.importer import import_paths
from lms.catalog.models import Course, QuestionBank
from lms.catalog.queries import get_course_def
from lms.core.db import db
from lms.learning.services import enrol
from lms.xapi.models import XapiStatement
from tests.assessment.conftest import activity_yaml, bank_yaml
from tests.conftest import CSRF_RE, PASSWORD
from tests.learning.conftest import course_yaml

ROUNDS = 20
BASE = "/courses/gelijk/tests/m1-test"


@pytest.fixture
def race_app(committing_app):
    """``committing_app``, with the catalog's version pointers cleared at the end so that its
    clean-up can empty the catalog tables (they refer to each other)."""
    yield committing_app
    with committing_app.extensions["lms"].engine.begin() as connection:
        connection.execute(update(Course).values(current_version_id=None))
        connection.execute(update(QuestionBank).values(current_version_id=None))


def _setup(app, tmp_path):
    (tmp_path / "courses").mkdir()
    (tmp_path / "quizzes").mkdir()
    course = tmp_path / "courses" / "gelijk.yaml"
    course.write_text(
        course_yaml("gelijk", 1, lessons=1, sections=1, extra_activities=activity_yaml()),
        encoding="utf-8",
    )
    bank = tmp_path / "quizzes" / "alles.yaml"
    bank.write_text(bank_yaml(), encoding="utf-8")
    with app.app_context():
        import_paths(db.session, [course, bank], certificates_dir=None)
        user = create_user(
            db.session,
            full_name="Gelijktijdig",
            email="samen@example.be",
            password=PASSWORD,
            organisation=None,
            department=None,
            roles=[],
            language="nl",
        )
        db.session.flush()
        enrol(db.session, user, get_course_def(db.session, "gelijk"))
        db.session.commit()
        return user.login_name


def _logged_in(app, login_name: str):
    client = app.test_client()
    token = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/login", data={"login": login_name, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return client


def _token(client, page: str) -> str:
    return CSRF_RE.search(client.get(page).get_data(as_text=True)).group(1)


def _race(requests) -> list[int]:
    """Send the (client, url, data) requests from threads released together; their statuses."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def send(client, url, data):
        try:
            barrier.wait(timeout=10)
            statuses.append(client.post(url, data=data).status_code)
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=send, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return statuses


def test_two_simultaneous_starts_and_submissions_count_once(race_app, tmp_path):
    """Both tabs press "Start" at once, then both press "Submit" at once: one attempt, scored
    once, with one set of statements."""
    app = race_app
    login_name = _setup(app, tmp_path)
    tabs = (_logged_in(app, login_name), _logged_in(app, login_name))
    for round_ in range(1, ROUNDS + 1):
        starts = [(tab, f"{BASE}/start", {"csrf_token": _token(tab, BASE)}) for tab in tabs]
        assert _race(starts) == [302, 302]
        review = tabs[1].get(f"{BASE}/review").get_data(as_text=True)
        assert re.search(rf'name="attempt" value="{round_}"', review)
        submits = [
            (
                tab,
                f"{BASE}/submit",
                {"attempt": str(round_), "csrf_token": _token(tab, f"{BASE}/review")},
            )
            for tab in tabs
        ]
        assert _race(submits) == [302, 302]

        with app.app_context():
            attempts = db.session.scalars(select(Attempt).order_by(Attempt.number)).all()
            assert len(attempts) == round_
            assert all(a.status == "submitted" and a.raw_score is not None for a in attempts)
            scored = db.session.scalar(
                select(func.count()).select_from(Answer).where(Answer.score.is_not(None))
            )
            assert scored == 7 * round_  # one row per question, scored once
            verbs = [
                json.loads(p)["verb"]["id"].rsplit("/", 1)[-1]
                for p in db.session.scalars(select(XapiStatement.payload))
            ]
            assert verbs.count("failed") + verbs.count("passed") == round_
            assert verbs.count("answered") == 7 * round_
