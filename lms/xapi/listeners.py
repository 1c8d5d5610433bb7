"""Signal listeners that turn learning events into outbox rows.

They run inside the transaction of the service that sent the signal: they add rows and
flush, never commit, so a statement exists exactly when the learning record it describes
does. ``connect()`` is idempotent; ``lms.xapi.views`` calls it when the extension imports
the feature blueprints.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, object_session

from lms.core import signals
from lms.core.db import db
from lms.xapi import builder


def _session(enrolment: Any) -> Session:
    return object_session(enrolment) or db.session


def _add(enrolment: Any, user: Any, *statements: builder.Statement) -> None:
    session = _session(enrolment)
    if enrolment.id is None:
        session.flush()
    builder.enqueue_many(session, statements, user_id=user.id, enrolment_id=enrolment.id)


def on_section_experienced(enrolment, *, user, course, at, section, **_: Any) -> None:
    statement = builder.section_experienced(
        enrolment=enrolment, user=user, course=course, section=section, at=at
    )
    _add(enrolment, user, statement)


def on_lesson_progressed(enrolment, *, user, course, at, lesson, progress, **_: Any) -> None:
    statement = builder.lesson_progressed(
        enrolment=enrolment, user=user, course=course, lesson=lesson, progress=progress, at=at
    )
    _add(enrolment, user, statement)


def on_activity_completed(enrolment, *, user, course, at, activity, **_: Any) -> None:
    # Tests, forums and live sessions report through their own verbs (passed, commented,
    # attended); "completed" is the e-learning's.
    if activity.type != "elearning":
        return
    statement = builder.activity_completed(
        enrolment=enrolment, user=user, course=course, activity=activity, at=at
    )
    _add(enrolment, user, statement)


def on_module_completed(enrolment, *, user, course, at, module, **_: Any) -> None:
    kwargs = {"enrolment": enrolment, "user": user, "course": course, "module": module, "at": at}
    _add(enrolment, user, builder.module_completed(**kwargs), builder.module_satisfied(**kwargs))


def on_course_completed(enrolment, *, user, course, at, **_: Any) -> None:
    kwargs = {"enrolment": enrolment, "user": user, "course": course, "at": at}
    _add(enrolment, user, builder.course_completed(**kwargs), builder.course_satisfied(**kwargs))


CONNECTIONS = (
    (signals.section_experienced, on_section_experienced),
    (signals.lesson_progressed, on_lesson_progressed),
    (signals.activity_completed, on_activity_completed),
    (signals.module_completed, on_module_completed),
    (signals.course_completed, on_course_completed),
)


def connect() -> None:
    """Listen to the learning signals (calling it again changes nothing)."""
    for signal, receiver in CONNECTIONS:
        signal.connect(receiver, weak=False)
