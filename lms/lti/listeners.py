"""Scores for the platforms' grade books, queued in the transaction that recorded the
result (a test scored, a module or course completed). ``connect()`` is idempotent;
``lms.lti.views`` calls it when the extension imports the feature blueprints."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import object_session

from lms.core import signals
from lms.core.db import db
from lms.lti.services import queue_scores


def _session(enrolment):
    return object_session(enrolment) or db.session


def on_test_submitted(enrolment, *, user, course, at, activity, **_: Any) -> None:
    queue_scores(
        _session(enrolment), user.id, course, module_id=activity.module_id, at=at, test_taken=True
    )


def on_module_completed(enrolment, *, user, course, at, module, **_: Any) -> None:
    queue_scores(_session(enrolment), user.id, course, module_id=module.id, at=at)


def on_course_completed(enrolment, *, user, course, at, **_: Any) -> None:
    queue_scores(_session(enrolment), user.id, course, module_id=None, at=at)


def connect() -> None:
    signals.test_submitted.connect(on_test_submitted, weak=False)
    signals.module_completed.connect(on_module_completed, weak=False)
    signals.course_completed.connect(on_course_completed, weak=False)
