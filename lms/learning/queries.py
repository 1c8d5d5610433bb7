"""Reads for the learner's pages and the coordinators' views.

Every function costs a fixed number of queries whatever the number of courses, modules or
enrolments: enrolments (1), current versions (1, plus 1 on a cold cache), visits (1),
completions (1), and one per activity type that has a progress provider.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.catalog.models import Course
from lms.catalog.queries import get_current_course_defs
from lms.catalog.readmodel import CourseDef, SectionDef
from lms.learning import engine
from lms.learning.models import Completion, Enrolment, SectionVisit


def load_records(
    session: Session, user_id: int, course_ids: Iterable[int], courses: dict[int, CourseDef]
) -> dict[int, engine.LearnerRecords]:
    course_ids = list(course_ids)
    if not course_ids:
        return {}
    visits: dict[int, set[str]] = defaultdict(set)
    for course_id, section_id in session.execute(
        select(SectionVisit.course_id, SectionVisit.section_id).where(
            SectionVisit.user_id == user_id, SectionVisit.course_id.in_(course_ids)
        )
    ):
        visits[course_id].add(section_id)
    completions: dict[int, dict[tuple[str, str], object]] = defaultdict(dict)
    for course_id, kind, item_id, at in session.execute(
        select(
            Completion.course_id, Completion.kind, Completion.item_id, Completion.completed_at
        ).where(Completion.user_id == user_id, Completion.course_id.in_(course_ids))
    ):
        completions[course_id][(kind, item_id)] = at
    types_present = {a.type for c in courses.values() for m in c.modules for a in m.activities}
    reports: dict[int, dict[str, engine.ActivityReport]] = defaultdict(dict)
    for activity_type, provider in engine.providers().items():
        if activity_type in types_present:
            for (course_id, activity_id), report in provider(session, user_id, course_ids).items():
                reports[course_id][activity_id] = report
    return {
        cid: engine.LearnerRecords(
            visited_sections=frozenset(visits[cid]),
            completions=completions[cid],
            reports=reports[cid],
        )
        for cid in course_ids
    }


@dataclass(frozen=True)
class EnrolmentView:
    enrolment: Enrolment
    course: CourseDef
    state: engine.CourseState
    records: engine.LearnerRecords

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


def my_enrolments(session: Session, user_id: int) -> list[EnrolmentView]:
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
    return [
        EnrolmentView(
            e,
            courses[e.course_id],
            engine.compute(courses[e.course_id], records[e.course_id]),
            records[e.course_id],
        )
        for e in enrolments
        if e.course_id in courses
    ]


def enrolment_view(session: Session, user_id: int, course: CourseDef) -> EnrolmentView | None:
    enrolment = session.scalar(
        select(Enrolment).where(
            Enrolment.user_id == user_id, Enrolment.course_id == course.course_id
        )
    )
    if enrolment is None:
        return None
    records = load_records(session, user_id, [course.course_id], {course.course_id: course})
    record = records[course.course_id]
    return EnrolmentView(enrolment, course, engine.compute(course, record), record)


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
