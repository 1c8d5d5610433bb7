"""The per-enrolment progress summary (``lms.learning.summary``) is the engine's value.

Every non-NULL summary equals a fresh computation by the engine after random sequences of real
service calls (visits, tests, forum posts, live registrations and attendance, completions),
with every summary filled before each step so that a write that forgot to invalidate shows;
every record type the engine reads invalidates; a new course version makes a summary outdated
(never used); the refresh command fills them and is idempotent.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import make_transient

from lms.accounts.models import User
from lms.assessment import services as assessment
from lms.catalog.queries import get_course_def, get_current_course_defs
from lms.core.db import Base, db
from lms.forums import services as forums
from lms.forums.access import forum_access
from lms.learning import engine, summary
from lms.learning import services as learning
from lms.learning.models import Enrolment
from lms.learning.queries import load_records_for
from lms.learning.statuses import StatusSettings
from lms.live.models import LiveRegistration, LiveSession
from lms.reporting.filters import ReportFilters
from lms.reporting.reports import build_rows
from tests.assessment.conftest import activity_yaml, bank_yaml
from tests.forums.conftest import FORUMS
from tests.learning.conftest import course_yaml
from tests.live.conftest import LIVE

LEARNERS = 3
STEPS = 40


@pytest.fixture
def world(app, import_course, make_organisation, make_user):
    """Two courses (one with a test, two forums and two live activities), three learners
    enrolled in both, a coordinator."""
    big = import_course(
        course_yaml(
            "alles",
            2,
            lessons=2,
            sections=2,
            extra_activities=activity_yaml(pass_mark="0.0") + FORUMS + LIVE,
        ),
        banks={"alles": bank_yaml()},
    )
    small = import_course(course_yaml("klein", 2, lessons=1, sections=2))
    org = make_organisation("De Panne")
    people = [make_user(name=f"Lerende {n}", organisation=org) for n in range(LEARNERS)]
    manager = make_user(name="An Vermeulen", organisation=org, roles=(), manages=[org])
    with app.app_context():
        for person in people:
            user = db.session.get(User, person.id)
            for course in (big, small):
                learning.enrol(db.session, user, get_course_def(db.session, course.slug))
        start = datetime.now(UTC) + timedelta(days=3)
        for activity in ("webinar-1", "terugkom"):
            db.session.add(
                LiveSession(
                    course_id=big.course_id,
                    activity_id=activity,
                    starts_at=start,
                    ends_at=start + timedelta(hours=2),
                )
            )
        db.session.commit()
    return {"courses": (big.slug, small.slug), "people": [p.id for p in people], "manager": manager}


def fresh(session, enrolments: list[Enrolment]) -> dict[int, summary.Summary]:
    """The engine's values now, by enrolment id."""
    courses = get_current_course_defs(session)
    records = load_records_for(session, [e.user_id for e in enrolments], list(courses), courses)
    found = {}
    for e in enrolments:
        learner = records.get((e.user_id, e.course_id), engine.LearnerRecords())
        course = courses[e.course_id]
        found[e.id] = summary.of(engine.compute(course, learner), learner)
    return found


def check_all(session) -> int:
    """Every non-NULL summary is the engine's value; returns how many were non-NULL."""
    session.expire_all()
    enrolments = list(session.scalars(select(Enrolment)))
    courses = get_current_course_defs(session)
    expected = fresh(session, enrolments)
    stored = 0
    for e in enrolments:
        kept = summary.current_for(e, courses[e.course_id])
        if e.summary_version_id is not None:
            stored += 1
            assert kept == expected[e.id], (e.user_id, courses[e.course_id].slug)
    return stored


KINDS = ("visit", "test", "forum", "live", "attend", "complete")


def _step(rng: random.Random, session, world, number: int) -> str:
    """One random service call (the first ones: one of each kind, in the big course)."""
    user = session.get(User, rng.choice(world["people"]))
    course = get_course_def(
        session, world["courses"][0] if number < len(KINDS) else rng.choice(world["courses"])
    )
    enrolment = learning.get_enrolment(session, user.id, course.course_id)
    activities = [a for m in course.modules for a in m.activities]
    kind = KINDS[number] if number < len(KINDS) else rng.choice(("visit", "visit", *KINDS))
    if kind == "visit" or len(activities) < 4:
        learning.visit_section(session, enrolment, user, course, rng.choice(course.sections).id)
        return "visit"
    if kind == "test":
        activity = course.activities_by_id["m1-test"]
        attempt = assessment.start_attempt(
            session, user=user, enrolment=enrolment, course=course, activity=activity
        )
        if rng.random() < 0.6:
            assessment.submit_attempt(
                session, attempt.id, user=user, enrolment=enrolment, course=course,
                activity=activity,
            )  # fmt: skip
        return kind
    if kind == "forum":
        activity = course.activities_by_id[rng.choice(["f-course", "f-org"])]
        access = forum_access(session, user, course, activity)
        forums.start_thread(session, access, f"Vraag {rng.random()}", "Hoe doe ik dat?")
        return kind
    lives = list(
        session.scalars(select(LiveSession).where(LiveSession.course_id == course.course_id))
    )
    live = rng.choice(lives)
    registration = session.scalar(
        select(LiveRegistration).where(
            LiveRegistration.user_id == user.id, LiveRegistration.session_id == live.id
        )
    )
    if kind == "live":
        if registration is None:
            session.add(LiveRegistration(session_id=live.id, user_id=user.id, status="registered"))
        else:
            session.delete(registration)
        session.flush()
        return kind
    if kind == "attend":
        if registration is None:
            registration = LiveRegistration(
                session_id=live.id, user_id=user.id, status="registered"
            )
            session.add(registration)
        registration.attended_at = datetime.now(UTC)
        session.flush()
        learning.record_activity_completion(session, enrolment, user, course, live.activity_id)
        return kind
    activity = rng.choice([a for a in activities if a.type != "elearning"])
    learning.record_activity_completion(session, enrolment, user, course, activity.id)
    return kind


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_summaries_equal_the_engine_after_random_service_calls(app, world, seed):
    rng = random.Random(seed)
    done = set()
    with app.app_context():
        for number in range(STEPS):
            # Every summary filled before the step: a write that does not invalidate the
            # summary it changes leaves a wrong one, which ``check_all`` finds.
            summary.refresh(db.session)
            db.session.commit()
            assert check_all(db.session) == LEARNERS * 2
            done.add(_step(rng, db.session, world, number))
            db.session.commit()
            check_all(db.session)
    assert {"visit", "test", "forum", "live", "attend", "complete"} <= done


def test_the_lesson_page_stores_the_summary_it_computed(app, world):
    with app.app_context():
        user = db.session.get(User, world["people"][0])
        course = get_course_def(db.session, "klein")
        enrolment = learning.get_enrolment(db.session, user.id, course.course_id)
        for section in course.sections[:3]:
            learning.visit_section(db.session, enrolment, user, course, section.id)
            db.session.commit()
            assert check_all(db.session) == 1
        db.session.expire_all()
        enrolment = learning.get_enrolment(db.session, user.id, course.course_id)
        assert summary.current_for(enrolment, course).progress == 0.75


# Every record type the engine reads invalidates ---------------------------------------------


def _tables_read_by_the_engine(app, session) -> set[str]:
    tables: set[str] = set()
    engine_ = app.extensions["lms"].engine
    known = set(Base.metadata.tables)

    def seen(_conn, _cursor, statement, *_args):
        tables.update(t for t in known if re.search(rf"\b{t}\b", statement))

    courses = get_current_course_defs(session)
    event.listen(engine_, "before_cursor_execute", seen)
    try:
        load_records_for(session, [1], list(courses), courses)
    finally:
        event.remove(engine_, "before_cursor_execute", seen)
    return tables


def test_every_record_type_the_engine_reads_is_a_source(app, world):
    with app.app_context():
        read = _tables_read_by_the_engine(app, db.session)
    registered = {model.__tablename__ for model in summary.sources()}
    # The engine reads visits, completions and what each progress provider reads.
    assert {"lms_section_visit", "lms_completion", "lms_test_attempt", "lms_forum_progress",
            "lms_live_registration", "lms_live_session"} <= read  # fmt: skip
    assert read - registered == set(), "records read without invalidating the summaries"


def test_inserting_or_deleting_any_source_row_invalidates(app, world):
    rng = random.Random(7)
    with app.app_context():
        for number in range(STEPS):  # records of every type
            _step(rng, db.session, world, number)
            db.session.commit()
        for model in summary.sources():
            rows = list(db.session.scalars(select(model)))
            assert rows, model
            row = rows[0]
            changes = ("delete", "insert") if summary.sources()[model].inserts else ("delete",)
            for change in changes:
                summary.refresh(db.session)
                db.session.commit()
                filled = db.session.scalar(
                    select(func.count()).where(Enrolment.summary_version_id.is_not(None))
                )
                assert filled == LEARNERS * 2
                if change == "delete":
                    db.session.delete(row)
                else:
                    make_transient(row)
                    db.session.add(row)
                db.session.flush()
                nulled = db.session.scalar(
                    select(func.count()).where(Enrolment.summary_version_id.is_(None))
                )
                assert nulled >= 1, (model.__name__, change)
                db.session.commit()
                check_all(db.session)


def test_a_bulk_update_of_a_read_column_invalidates(app, world):
    with app.app_context():
        user = db.session.get(User, world["people"][0])
        course = get_course_def(db.session, "alles")
        enrolment = learning.get_enrolment(db.session, user.id, course.course_id)
        activity = course.activities_by_id["m1-test"]
        assessment.start_attempt(
            db.session, user=user, enrolment=enrolment, course=course, activity=activity
        )
        db.session.commit()
        summary.refresh(db.session)
        db.session.commit()
        from lms.assessment.models import Attempt

        db.session.execute(update(Attempt).values(passed=True, status="submitted"))
        db.session.commit()
        db.session.expire_all()
        changed = learning.get_enrolment(db.session, user.id, course.course_id)
        assert changed.summary_version_id is None
        # A column the engine does not read leaves the summaries alone.
        summary.refresh(db.session)
        db.session.commit()
        db.session.execute(update(Attempt).values(last_saved_at=datetime.now(UTC)))
        db.session.commit()
        assert check_all(db.session) == LEARNERS * 2


# Outdated summaries are never used ----------------------------------------------------------


def test_a_new_course_version_makes_the_summary_outdated(app, world, import_course):
    with app.app_context():
        user = db.session.get(User, world["people"][0])
        course = get_course_def(db.session, "klein")
        enrolment = learning.get_enrolment(db.session, user.id, course.course_id)
        for section in course.sections[:3]:  # 3 of 4 sections
            learning.visit_section(db.session, enrolment, user, course, section.id)
        db.session.commit()
        assert summary.current_for(enrolment, course).progress == 0.75
    # Version 2 has a third module: the learner has not finished it.
    new = import_course(course_yaml("klein", 3, lessons=1, sections=2))
    with app.app_context():
        course = get_course_def(db.session, "klein")
        assert course.version_id == new.version_id
        enrolment = learning.get_enrolment(db.session, user.id, course.course_id)
        assert enrolment.summary_version_id is not None
        assert summary.current_for(enrolment, course) is None
        manager = db.session.get(User, world["manager"].id)
        settings = StatusSettings(today=date.today())
        _, rows, _ = build_rows(
            db.session, manager, ReportFilters(course="klein"), settings, language="nl"
        )
        row = next(r for r in rows if r.user_id == user.id)
        expected = fresh(db.session, [enrolment])[enrolment.id]
        assert row.status.percent == int(expected.progress * 100 + 1e-9)
        assert row.modules_done == len(expected.modules_done) == 1
        assert row.status.percent < 75  # not the stored summary of version 1


# The refresh command -------------------------------------------------------------------------


def test_refresh_command_fills_and_is_idempotent(app, world):
    with app.app_context():
        db.session.execute(update(Enrolment).values(dict.fromkeys(summary.SUMMARY_COLUMNS)))
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "reports", "refresh-summaries", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert f"{LEARNERS * 2} progress summary(ies) computed" in result.output
    with app.app_context():
        assert check_all(db.session) == LEARNERS * 2
    again = runner.invoke(args=["lms", "reports", "refresh-summaries"])
    assert again.exit_code == 0, again.output
    assert "0 progress summary(ies) computed" in again.output
    bad = runner.invoke(args=["lms", "reports", "refresh-summaries", "--batch-size", "0"])
    assert bad.exit_code == 2 and "--batch-size" in bad.output
    help_ = runner.invoke(args=["lms", "reports", "refresh-summaries", "--help"])
    assert help_.exit_code == 0 and "progress summaries" in help_.output


def test_scheduling_a_live_date_leaves_the_summaries(app, world):
    """A new date has no registrations: the course's summaries (thousands, in a large
    organisation) are not set to NULL, nor locked, by scheduling one."""
    with app.app_context():
        summary.refresh(db.session)
        db.session.commit()
        course = get_course_def(db.session, "alles")
        start = datetime.now(UTC) + timedelta(days=9)
        db.session.add(
            LiveSession(
                course_id=course.course_id,
                activity_id="terugkom",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
            )
        )
        db.session.commit()
        assert check_all(db.session) == LEARNERS * 2


def test_an_enrolment_held_from_an_earlier_transaction_still_invalidates(app, world):
    """Sessions do not expire on commit: an enrolment loaded before another connection stored
    its summary still shows NULL in the session; a record written then must still null it."""
    from lms.learning.models import Completion

    with app.app_context():
        db.session.execute(update(Enrolment).values(dict.fromkeys(summary.SUMMARY_COLUMNS)))
        db.session.commit()
        user = db.session.get(User, world["people"][0])
        course = get_course_def(db.session, "klein")
        enrolment = learning.get_enrolment(db.session, user.id, course.course_id)
        assert enrolment.summary_version_id is None
        db.session.commit()
        # Another connection stores the summaries (here: a statement that bypasses the
        # session's objects, with the same effect on them).
        db.session.connection().execute(
            update(Enrolment.__table__).values(
                summary.values_of(summary.Summary(0.0, "x", frozenset(), None), course)
            )
        )
        db.session.commit()
        assert enrolment.summary_version_id is None  # what this session still holds
        db.session.add(
            Completion(user_id=user.id, course_id=course.course_id, kind="activity", item_id="m1-e")
        )
        db.session.commit()
        db.session.expire_all()
        changed = learning.get_enrolment(db.session, user.id, course.course_id)
        assert changed.summary_version_id is None
