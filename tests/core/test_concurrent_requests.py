"""Several people at once, on a real database file (and on PostgreSQL): no request fails.

Learners open lessons (each visit is written), save test answers and post in a forum, from
several threads released together, each thread with its own connection and real commits. On
SQLite a request that reads and then writes could not upgrade its lock when another writer
had committed in between ("database is locked", about half the requests under load); requests
that write now take the write lock when their transaction begins (see docs/architecture.md).
"""

from __future__ import annotations

import re
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select, update

from lms.accounts.services import create_user
from lms.assessment.models import Attempt
from lms.authoring.importer import import_paths
from lms.catalog.models import Course, QuestionBank
from lms.catalog.queries import get_course_def
from lms.core.db import db
from lms.forums.models import ForumPost
from lms.learning.models import SectionVisit
from lms.learning.services import enrol
from tests.assessment.conftest import activity_yaml, bank_yaml
from tests.conftest import CSRF_RE, PASSWORD
from tests.forums.conftest import FORUMS
from tests.learning.conftest import course_yaml

LEARNERS = 4
TABS_PER_LEARNER = 2  # the same person on a PC and a phone
ROUNDS = 6
SECTIONS = [f"m1-l{lesson}-s{s}" for lesson in (1, 2) for s in (1, 2, 3)]
COURSE = "samen"
TEST = f"/courses/{COURSE}/tests/m1-test"
FORUM = f"/courses/{COURSE}/forums/f-course"
ATTEMPT_RE = re.compile(r'name="attempt" value="(\d+)"')


@pytest.fixture
def busy_app(committing_app, tmp_path):
    app = committing_app
    (tmp_path / "courses").mkdir()
    (tmp_path / "quizzes").mkdir()
    course = tmp_path / "courses" / f"{COURSE}.yaml"
    course.write_text(
        course_yaml(COURSE, 1, lessons=2, sections=3, extra_activities=activity_yaml() + FORUMS),
        encoding="utf-8",
    )
    bank = tmp_path / "quizzes" / "alles.yaml"
    bank.write_text(bank_yaml(), encoding="utf-8")
    with app.app_context():
        import_paths(db.session, [course, bank], certificates_dir=None)
        course_def = get_course_def(db.session, COURSE)
        for n in range(LEARNERS):
            user = create_user(
                db.session,
                full_name=f"Lerende {n}",
                email=f"lerende{n}@example.be",
                password=PASSWORD,
                organisation=None,
                department=None,
                roles=[],
                language="nl",
            )
            db.session.flush()
            enrol(db.session, user, course_def)
        db.session.commit()
    yield app
    with app.extensions["lms"].engine.begin() as connection:
        connection.execute(update(Course).values(current_version_id=None))
        connection.execute(update(QuestionBank).values(current_version_id=None))


def _client(app, n: int):
    client = app.test_client()
    token = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/login",
        data={"login": f"lerende{n}@example.be", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    return client


def _token(client, page: str) -> str:
    return CSRF_RE.search(client.get(page).get_data(as_text=True)).group(1)


def _session_of_work(client, tab: int, statuses: Counter, barrier: threading.Barrier) -> None:
    """One tab: open every section, save an answer, post a message; ROUNDS times."""
    barrier.wait(timeout=30)
    for round_ in range(ROUNDS):
        for section in SECTIONS:
            statuses[client.get(f"/courses/{COURSE}/learn/{section}").status_code] += 1
        page = f"{TEST}/question?n=1"
        shown = client.get(page)
        statuses[("question", shown.status_code)] += 1
        attempt = ATTEMPT_RE.search(shown.get_data(as_text=True))
        if attempt:
            response = client.post(
                page,
                data={
                    "attempt": attempt.group(1),
                    "answer": ["a"],
                    "go": "next",
                    "csrf_token": _token(client, page),
                },
            )
            # 302 when saved; 422 with a message when question 1 is not a choice question.
            statuses[("answer", response.status_code)] += 1
        response = client.post(
            f"{FORUM}/threads",
            data={
                "title": f"Vraag {tab}-{round_}",
                "body": "Hoe leg ik itsme uit aan iemand zonder smartphone?",
                "csrf_token": _token(client, FORUM),
            },
        )
        statuses[response.status_code] += 1


def test_many_learners_at_once_never_fail(busy_app):
    app = busy_app
    clients = []
    for n in range(LEARNERS):
        for _ in range(TABS_PER_LEARNER):
            client = _client(app, n)
            clients.append(client)
    # Every tab starts the test first (one attempt per person, whichever tab wins).
    for client in clients:
        response = client.post(f"{TEST}/start", data={"csrf_token": _token(client, TEST)})
        assert response.status_code == 302

    barrier = threading.Barrier(len(clients))
    statuses: Counter = Counter()
    errors: list[BaseException] = []

    def run(client, tab):
        try:
            _session_of_work(client, tab, statuses, barrier)
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=(client, tab)) for tab, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    codes = Counter()
    for key, count in statuses.items():
        codes[key[1] if isinstance(key, tuple) else key] += count
    assert {code: n for code, n in codes.items() if code >= 500} == {}, statuses
    tabs = len(clients)
    assert statuses[200] == tabs * ROUNDS * len(SECTIONS)  # every lesson page answered
    assert statuses[302] == tabs * ROUNDS  # every message posted
    assert statuses[("question", 200)] == tabs * ROUNDS
    assert statuses[("answer", 302)] + statuses[("answer", 422)] == tabs * ROUNDS, statuses

    with app.app_context():
        visits = db.session.scalar(select(func.count()).select_from(SectionVisit))
        assert visits == LEARNERS * len(SECTIONS)  # one row per person and section
        posts = db.session.scalar(select(func.count()).select_from(ForumPost))
        assert posts == tabs * ROUNDS
        attempts = db.session.scalar(select(func.count()).select_from(Attempt))
        assert attempts == LEARNERS


def test_progress_summaries_stay_equal_to_the_engine_under_concurrent_writes(busy_app):
    """One learner in several tabs at once: lesson pages (which store the summary they
    computed) against forum posts and test answers (which change the records). Every summary
    left is the engine's value: a writer locks the enrolment before reading the records it
    computes from, and every change of a record sets the summary to NULL in its transaction."""
    from lms.learning import summary
    from tests.learning.test_summary import check_all

    app = busy_app
    tabs = 6
    clients = [_client(app, 0) for _ in range(tabs)]
    response = clients[0].post(f"{TEST}/start", data={"csrf_token": _token(clients[0], TEST)})
    assert response.status_code == 302
    barrier = threading.Barrier(tabs)
    errors: list[BaseException] = []
    statuses: Counter = Counter()

    def run(client, tab):
        try:
            barrier.wait(timeout=30)
            order = SECTIONS[tab % len(SECTIONS) :] + SECTIONS[: tab % len(SECTIONS)]
            for section in order:
                statuses[client.get(f"/courses/{COURSE}/learn/{section}").status_code] += 1
                if tab % 2:
                    response = client.post(
                        f"{FORUM}/threads",
                        data={
                            "title": f"Vraag {tab} {section}",
                            "body": "Hoe leg ik itsme uit?",
                            "csrf_token": _token(client, FORUM),
                        },
                    )
                    statuses[response.status_code] += 1
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c, tab)) for tab, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    assert {code for code in statuses if code >= 500} == set(), statuses
    with app.app_context():
        check_all(db.session)
        summary.refresh(db.session)
        db.session.commit()
        assert check_all(db.session) == LEARNERS
