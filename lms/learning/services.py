"""Writes for learning: enrolments, opening sections, recording completions.

Services take explicit arguments, flush, and send their signals inside the caller's
transaction; the view commits once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.catalog.readmodel import CourseDef
from lms.core import signals
from lms.core.db import utcnow
from lms.learning import engine, summary
from lms.learning.models import Completion, Enrolment, SectionVisit
from lms.learning.queries import EnrolmentView, load_records

ENROLMENT_SOURCES = ("self", "manager", "admin", "assignment", "lti")


class LearningError(ValueError):
    """A learning action that cannot be done; the message is for the person."""


def get_enrolment(session: Session, user_id: int, course_id: int) -> Enrolment | None:
    return session.scalar(
        select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
    )


def enrol(
    session: Session,
    user: User,
    course: CourseDef,
    *,
    source: str = "self",
    actor: User | None = None,
    due_at: datetime | None = None,
) -> tuple[Enrolment, bool]:
    """Enrol ``user`` in ``course``; returns (enrolment, created). Enrolling twice is harmless:
    the existing enrolment is returned (a later due date set by a coordinator is kept)."""
    if source not in ENROLMENT_SOURCES:
        raise ValueError(f"unknown enrolment source {source!r}")
    existing = get_enrolment(session, user.id, course.course_id)
    if existing is not None:
        if due_at is not None and existing.due_at is None:
            existing.due_at = due_at
        return existing, False
    enrolment = Enrolment(
        user_id=user.id,
        course_id=course.course_id,
        source=source,
        enrolled_by_id=actor.id if actor is not None else None,
        due_at=due_at,
    )
    try:
        with session.begin_nested():
            session.add(enrolment)
            session.flush()
    except IntegrityError:  # enrolled at the same moment by another request
        existing = get_enrolment(session, user.id, course.course_id)
        assert existing is not None
        return existing, False
    signals.enrolled.send(
        enrolment, user=user, course=course, at=enrolment.enrolled_at, actor=actor, source=source
    )
    return enrolment, True


@dataclass(frozen=True)
class BulkEnrolment:
    created: int
    already: int


def enrol_many(
    session: Session,
    users: Iterable[User],
    course: CourseDef,
    *,
    source: str,
    actor: User,
    due_at: datetime | None = None,
) -> BulkEnrolment:
    created = already = 0
    for user in users:
        _, new = enrol(session, user, course, source=source, actor=actor, due_at=due_at)
        created += new
        already += not new
    return BulkEnrolment(created, already)


def _record(
    session: Session, user_id: int, course_id: int, kind: str, item_id: str, at: datetime
) -> bool:
    """Insert a completion once; False when it was already there (a concurrent request)."""
    try:
        with session.begin_nested():
            session.add(
                Completion(
                    user_id=user_id,
                    course_id=course_id,
                    kind=kind,
                    item_id=item_id,
                    completed_at=at,
                )
            )
            session.flush()
    except IntegrityError:
        return False
    return True


def _announce_activity(
    enrolment: Enrolment, user: User, course: CourseDef, activity_id: str, at: datetime
) -> None:
    activity = course.activities_by_id[activity_id]
    signals.activity_completed.send(
        enrolment,
        user=user,
        course=course,
        at=at,
        activity=activity,
        module=course.modules_by_id[activity.module_id],
    )


def update_completions(
    session: Session,
    enrolment: Enrolment,
    user: User,
    course: CourseDef,
    *,
    at: datetime | None = None,
) -> engine.CourseState:
    """Record every completion the rules now meet, once, and tell the listeners."""
    return _update_completions(session, enrolment, user, course, at=at or utcnow())[1]


def _load(session: Session, user: User, course: CourseDef) -> engine.LearnerRecords:
    return load_records(session, user.id, [course.course_id], {course.course_id: course})[
        course.course_id
    ]


def _update_completions(
    session: Session,
    enrolment: Enrolment,
    user: User,
    course: CourseDef,
    *,
    at: datetime,
    records: engine.LearnerRecords | None = None,
) -> tuple[engine.LearnerRecords, engine.CourseState]:
    """``update_completions``, from ``records`` when the caller has just loaded them (after
    ``summary.lock``); returns the records and the state after the completions recorded now,
    and keeps them as the enrolment's progress summary."""
    if records is None:
        summary.lock(session, enrolment)
        records = _load(session, user, course)
    state = engine.compute(course, records)
    changed = False
    for item in engine.new_completions(course, state, records):
        if not _record(session, user.id, course.course_id, item.kind, item.item_id, at):
            continue
        changed = True
        if item.kind == "activity":
            _announce_activity(enrolment, user, course, item.item_id, at)
        elif item.kind == "module":
            signals.module_completed.send(
                enrolment,
                user=user,
                course=course,
                at=at,
                module=course.modules_by_id[item.item_id],
            )
        else:
            enrolment.completed_at = at
            session.flush()
            signals.course_completed.send(enrolment, user=user, course=course, at=at)
    if changed:  # the states now show the recorded times
        records = _load(session, user, course)
        state = engine.compute(course, records)
    summary.store(enrolment, course, state, records)
    return records, state


def open_section(
    session: Session,
    enrolment: Enrolment,
    user: User,
    course: CourseDef,
    section_id: str,
    *,
    at: datetime | None = None,
) -> bool:
    """The learner opened a section: remember it (for resume and progress) and update the
    completions. Returns True when it was the first visit."""
    return _open_section(session, enrolment, user, course, section_id, at=at or utcnow())[0]


def visit_section(
    session: Session,
    enrolment: Enrolment,
    user: User,
    course: CourseDef,
    section_id: str,
    *,
    at: datetime | None = None,
) -> EnrolmentView:
    """``open_section``, and the learner's view of the course after it (the lesson page):
    the records are read once, for the completions and the page alike."""
    _first, records, state = _open_section(
        session, enrolment, user, course, section_id, at=at or utcnow()
    )
    if records is None:
        records = _load(session, user, course)
    if state is None:
        state = engine.compute(course, records)
    return EnrolmentView(enrolment, course, state, records)


def _open_section(
    session: Session,
    enrolment: Enrolment,
    user: User,
    course: CourseDef,
    section_id: str,
    *,
    at: datetime,
) -> tuple[bool, engine.LearnerRecords | None, engine.CourseState | None]:
    """(first visit, the records and state after it when a first visit loaded them)."""
    section = course.sections_by_id[section_id]
    lesson = course.lessons_by_id[section.lesson_id]
    activity = course.activities_by_id[section.activity_id]
    module = course.modules_by_id[section.module_id]
    visit = session.scalar(
        select(SectionVisit).where(
            SectionVisit.user_id == user.id,
            SectionVisit.course_id == course.course_id,
            SectionVisit.section_id == section_id,
        )
    )
    first = visit is None
    if visit is None:
        try:
            with session.begin_nested():
                session.add(
                    SectionVisit(
                        user_id=user.id,
                        course_id=course.course_id,
                        section_id=section_id,
                        first_visited_at=at,
                        last_visited_at=at,
                    )
                )
                # In the visit's flush: one UPDATE of the enrolment, with the summary's NULL.
                enrolment.last_section_id = section_id
                enrolment.last_activity_at = at
                session.flush()
        except IntegrityError:  # the same section opened twice at once (double click)
            first = False
    else:
        visit.last_visited_at = at
    # Again after a savepoint's rollback, which takes the enrolment's changes with it.
    enrolment.last_section_id = section_id
    enrolment.last_activity_at = at
    session.flush()
    signals.section_experienced.send(
        enrolment,
        user=user,
        course=course,
        at=at,
        section=section,
        lesson=lesson,
        activity=activity,
        module=module,
        first_visit=first,
    )
    if not first:
        return False, None, None
    # The learner's records (with this visit): the lesson's progress and the completions.
    # No ``summary.lock``: the visit's flush wrote the enrolment (its summary's NULL), so this
    # transaction holds the enrolment's row lock already.
    records = _load(session, user, course)
    signals.lesson_progressed.send(
        enrolment,
        user=user,
        course=course,
        at=at,
        lesson=lesson,
        activity=activity,
        module=module,
        progress=len(lesson.section_id_set & records.visited_sections) / len(lesson.sections),
    )
    records, state = _update_completions(session, enrolment, user, course, at=at, records=records)
    return True, records, state


def record_activity_completion(
    session: Session,
    enrolment: Enrolment,
    user: User,
    course: CourseDef,
    activity_id: str,
    *,
    at: datetime | None = None,
) -> bool:
    """For activity types whose completion is an event (a test passed, a session attended):
    record it once and update the module and course. Returns False if already recorded."""
    at = at or utcnow()
    if activity_id not in course.activities_by_id:
        raise LearningError(f"{activity_id!r} is not an activity of {course.slug!r}")
    created = _record(session, user.id, course.course_id, "activity", activity_id, at)
    if created:
        _announce_activity(enrolment, user, course, activity_id, at)
        update_completions(session, enrolment, user, course, at=at)
    return created
