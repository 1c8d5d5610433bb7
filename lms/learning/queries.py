"""Reads for the learner's pages and the coordinators' views.

Every function costs a fixed number of queries whatever the number of courses, modules or
enrolments: enrolments (1), current versions (1, plus 1 on a cold cache), visits (1),
completions (1), and one per activity type that has a progress provider.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from lms.catalog.models import Course
from lms.catalog.queries import get_current_course_defs
from lms.catalog.readmodel import CourseDef, SectionDef
from lms.learning import engine, statuses
from lms.learning.models import Completion, Enrolment, SectionVisit


def load_records(
    session: Session, user_id: int, course_ids: Iterable[int], courses: dict[int, CourseDef]
) -> dict[int, engine.LearnerRecords]:
    """One learner's records in the given courses, by course id."""
    course_ids = list(course_ids)
    loaded = load_records_for(session, [user_id], course_ids, courses)
    return {cid: loaded.get((user_id, cid), engine.LearnerRecords()) for cid in course_ids}


def load_records_for(
    session: Session,
    user_ids: Iterable[int] | Select,
    course_ids: Iterable[int],
    courses: dict[int, CourseDef],
) -> dict[tuple[int, int], engine.LearnerRecords]:
    """The records of many learners at once, by (user id, course id): the same facts the
    learner's own pages read, in a fixed number of queries (visits, completions, one per
    progress provider) whatever the number of people. ``user_ids`` is a list of ids or a
    SELECT of ids (a coordinator's scope, built from ``people_visible_to``). Pairs without any
    record are absent (the engine reads them as not started)."""
    course_ids = list(course_ids)
    if not course_ids:
        return {}
    users = user_ids if isinstance(user_ids, Select) else list(user_ids)
    # The sections opened, one row per (person, course) with the ids joined by the database:
    # a learner opens dozens of sections, and a row each cost most of a coordinator's report
    # (section ids are slugs: never a space).
    visits: dict[tuple[int, int], frozenset[str]] = {}
    for user_id, course_id, section_ids in session.execute(
        select(
            SectionVisit.user_id,
            SectionVisit.course_id,
            func.aggregate_strings(SectionVisit.section_id, " "),
        )
        .where(SectionVisit.user_id.in_(users), SectionVisit.course_id.in_(course_ids))
        .group_by(SectionVisit.user_id, SectionVisit.course_id)
    ):
        visits[(user_id, course_id)] = frozenset(section_ids.split(" "))
    completions: dict[tuple[int, int], dict[tuple[str, str], object]] = defaultdict(dict)
    for user_id, course_id, kind, item_id, at in session.execute(
        select(
            Completion.user_id,
            Completion.course_id,
            Completion.kind,
            Completion.item_id,
            Completion.completed_at,
        ).where(Completion.user_id.in_(users), Completion.course_id.in_(course_ids))
    ):
        completions[(user_id, course_id)][(kind, item_id)] = at
    types_present = {a.type for c in courses.values() for m in c.modules for a in m.activities}
    reports: dict[tuple[int, int], dict[str, engine.ActivityReport]] = defaultdict(dict)
    called = set()
    for activity_type, provider in engine.providers().items():
        # One provider may serve several types (webinar and session): ask it once.
        if activity_type in types_present and provider not in called:
            called.add(provider)
            for (user_id, course_id, activity_id), report in provider(
                session, users, course_ids
            ).items():
                reports[(user_id, course_id)][activity_id] = report
    keys = set(visits) | set(completions) | set(reports)
    return {
        key: engine.LearnerRecords(
            visited_sections=visits.get(key, frozenset()),
            completions=completions.get(key, {}),
            reports=reports.get(key, {}),
        )
        for key in keys
    }


@dataclass(frozen=True)
class EnrolmentView:
    enrolment: Enrolment
    course: CourseDef
    state: engine.CourseState
    records: engine.LearnerRecords
    #: The statuses (``learning.statuses``): the same the coordinators' reports show.
    status: statuses.EnrolmentStatus | None = None
    certificate: statuses.CertificateFact | None = None

    def next_section(self) -> SectionDef | None:
        """Where "Continue" goes: the last section opened, else the first not yet opened."""
        return resume_section(self.course, self.enrolment, self.records)


def resume_section(
    course: CourseDef, enrolment: Enrolment, records: engine.LearnerRecords
) -> SectionDef | None:
    last = course.sections_by_id.get(enrolment.last_section_id or "")
    if last is not None:
        return last
    for section in course.sections:
        if section.id not in records.visited_sections:
            return section
    return course.sections[0] if course.sections else None


def my_enrolments(
    session: Session, user_id: int, settings: statuses.StatusSettings | None = None
) -> list[EnrolmentView]:
    """The learner's courses with their states, for "My learning" and the profile."""
    enrolments = list(
        session.scalars(
            select(Enrolment)
            .where(Enrolment.user_id == user_id)
            .order_by(Enrolment.completed_at.is_not(None), Enrolment.due_at, Enrolment.id)
        )
    )
    courses = get_current_course_defs(session, [e.course_id for e in enrolments])
    records = load_records(session, user_id, courses.keys(), courses)
    certificates = (
        statuses.load_certificates(session, [user_id], courses.keys()) if settings else {}
    )
    return [
        _view(e, courses[e.course_id], records[e.course_id], certificates, settings)
        for e in enrolments
        if e.course_id in courses
    ]


def _view(
    enrolment: Enrolment,
    course: CourseDef,
    records: engine.LearnerRecords,
    certificates: dict,
    settings: statuses.StatusSettings | None,
) -> EnrolmentView:
    state = engine.compute(course, records)
    certificate = certificates.get((enrolment.user_id, enrolment.course_id))
    status = (
        settings.status(state.course, statuses.terms_of(enrolment), certificate)
        if settings is not None
        else None
    )
    return EnrolmentView(enrolment, course, state, records, status, certificate)


def enrolment_view(
    session: Session,
    user_id: int,
    course: CourseDef,
    settings: statuses.StatusSettings | None = None,
) -> EnrolmentView | None:
    enrolment = session.scalar(
        select(Enrolment).where(
            Enrolment.user_id == user_id, Enrolment.course_id == course.course_id
        )
    )
    if enrolment is None:
        return None
    records = load_records(session, user_id, [course.course_id], {course.course_id: course})
    certificates = (
        statuses.load_certificates(session, [user_id], [course.course_id]) if settings else {}
    )
    return _view(enrolment, course, records[course.course_id], certificates, settings)


def open_courses(session: Session, user_id: int) -> list[CourseDef]:
    """Courses the learner may enrol in by themselves and has not yet."""
    enrolled = select(Enrolment.course_id).where(Enrolment.user_id == user_id)
    ids = list(
        session.scalars(
            select(Course.id).where(
                Course.current_version_id.is_not(None), Course.id.not_in(enrolled)
            )
        )
    )
    courses = get_current_course_defs(session, ids)
    return sorted((c for c in courses.values() if c.enrolment == "open"), key=lambda c: c.slug)
