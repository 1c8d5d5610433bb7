"""Issue a certificate when a course is completed, inside the completing transaction.

``connect()`` is idempotent; ``lms.certification.views`` calls it when the extension imports
the feature blueprints.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import object_session

from lms.certification.services import issue_certificate
from lms.core import signals
from lms.core.db import db


def on_course_completed(enrolment, *, user, course, at, **_: Any) -> None:
    if not course.certificate_template:
        return
    session = object_session(enrolment) or db.session
    issue_certificate(session, enrolment, user, course, completed_at=at)


def connect() -> None:
    """Listen to ``course_completed`` (calling it again changes nothing)."""
    signals.course_completed.connect(on_course_completed, weak=False)
