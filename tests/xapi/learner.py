"""A small course and a learner walking through it by the learning signals.

The learning services send these signals inside their transaction; until a test drives the
real lesson pages, ``walk`` sends them the same way (sender = the enrolment), so that the
outbox listeners run exactly as they will behind the pages.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from lms.catalog.readmodel import CourseDef
from lms.core import signals

COURSE_YAML = """\
id: xapi-demo
title: {nl: "xAPI-demo", fr: "Démo xAPI"}
languages: [nl, fr]
completion: all
modules:
  - id: m1
    title: {nl: "Digitale inclusie", fr: "Inclusion numérique"}
    completion: [m1-elearning]
    activities:
      - id: m1-elearning
        type: elearning
        title: {nl: "E-learning 1", fr: "E-learning 1"}
        lessons:
          - id: l1
            title: {nl: "Les 1", fr: "Leçon 1"}
            sections:
              - {id: s1, title: {nl: "Inleiding", fr: "Introduction"}, body: {nl: Tekst, fr: Texte}}
              - {id: s2, title: {nl: Aan het loket, fr: Au guichet}, body: {nl: Tekst, fr: Texte}}
          - id: l2
            title: {nl: "Les 2", fr: "Leçon 2"}
            sections:
              - {id: s3, title: {nl: "Itsme", fr: "Itsme"}, body: {nl: Tekst, fr: Texte}}
      - id: m1-forum
        type: forum
        title: {nl: "Forum", fr: "Forum"}
        prompt: {nl: "Deel een ervaring.", fr: "Partagez une expérience."}
        required_posts: 1
  - id: m2
    title: {nl: "Samen leren", fr: "Apprendre ensemble"}
    activities:
      - id: m2-elearning
        type: elearning
        title: {nl: "E-learning 2", fr: "E-learning 2"}
        lessons:
          - id: l3
            title: {nl: "Les 3", fr: "Leçon 3"}
            sections:
              - {id: s4, title: {nl: "CSAM", fr: "CSAM"}, body: {nl: Tekst, fr: Texte}}
              - {id: s5, title: {nl: "MyMinfin", fr: "MyMinfin"}, body: {nl: Tekst, fr: Texte}}
"""

#: Statements one complete walk through the course produces, by verb.
WALK_COUNTS = {
    "experienced": 5,  # every section
    "progressed": 5,  # every first visit raises a lesson's progress
    "completed": 2 + 2 + 1,  # two e-learnings, two modules, the course
    "satisfied": 2 + 1,  # two modules, the course
}
WALK_TOTAL = sum(WALK_COUNTS.values())


def import_course(session: Session, folder: Path) -> CourseDef:
    """Import the course above through the real importer; flushes, returns its view."""
    from lms.authoring.importer import import_paths
    from lms.catalog.queries import get_course_def

    courses = folder / "courses"
    courses.mkdir(parents=True, exist_ok=True)
    (courses / "xapi-demo.yaml").write_text(COURSE_YAML, encoding="utf-8")
    import_paths(session, [courses], None)
    course = get_course_def(session, "xapi-demo")
    assert course is not None
    return course


def enrol(session: Session, user, course: CourseDef):
    from lms.learning.models import Enrolment

    enrolment = Enrolment(user_id=user.id, course_id=course.course_id, source="self")
    session.add(enrolment)
    session.flush()
    return enrolment


def walk(
    session: Session,
    enrolment,
    user,
    course: CourseDef,
    *,
    start: datetime | None = None,
    sections: int | None = None,
) -> datetime:
    """Open the course's sections in order (the first ``sections`` of them), sending what the
    learning services send; returns the time of the last event."""
    at = start or datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    visited: set[str] = set()
    for section in course.sections[:sections]:
        at += timedelta(seconds=61, microseconds=123456)
        lesson = course.lessons_by_id[section.lesson_id]
        activity = course.activities_by_id[section.activity_id]
        module = course.modules_by_id[section.module_id]
        common = {"user": user, "course": course, "at": at}
        signals.section_experienced.send(
            enrolment,
            **common,
            section=section,
            lesson=lesson,
            activity=activity,
            module=module,
            first_visit=True,
        )
        visited.add(section.id)
        done = sum(s.id in visited for s in lesson.sections)
        signals.lesson_progressed.send(
            enrolment,
            **common,
            lesson=lesson,
            activity=activity,
            module=module,
            progress=done / len(lesson.sections),
        )
        if all(s in visited for s in activity.section_ids):
            signals.activity_completed.send(enrolment, **common, activity=activity, module=module)
            counted = [a for a in module.counted_activities if a.type == "elearning"]
            if all(all(s in visited for s in a.section_ids) for a in counted):
                signals.module_completed.send(enrolment, **common, module=module)
        if all(s.id in visited for s in course.sections):
            signals.course_completed.send(enrolment, **common)
    session.flush()
    return at
