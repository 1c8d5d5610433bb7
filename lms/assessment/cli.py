"""``lms tests``: chores for tests that run outside a request."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from lms.core.db import db, utcnow


@click.group("tests")
def tests_group() -> None:
    """Tests (assessment)."""


@tests_group.command("close-expired")
@with_appcontext
def close_expired_cmd() -> None:
    """Score open attempts whose time is up (learners who never came back); run from cron."""
    from datetime import timedelta

    from flask import current_app

    from lms.accounts.models import User
    from lms.assessment import services
    from lms.assessment.models import OPEN, Attempt
    from lms.catalog.queries import get_current_course_defs
    from lms.learning.models import Enrolment

    now = utcnow()
    grace = timedelta(seconds=current_app.config["LMS_TEST_GRACE_SECONDS"])
    candidates = db.session.scalars(
        select(Attempt.id).where(Attempt.status == OPEN, Attempt.deadline_at < now - grace)
    ).all()
    closed = 0
    for attempt_id in candidates:
        db.session.commit()  # each attempt in its own transaction
        attempt = db.session.get(Attempt, attempt_id)
        if attempt is None or not attempt.is_open:
            continue
        course = get_current_course_defs(db.session, [attempt.course_id]).get(attempt.course_id)
        activity = course.activities_by_id.get(attempt.activity_id) if course else None
        user = db.session.get(User, attempt.user_id)
        enrolment = db.session.get(Enrolment, attempt.enrolment_id)
        if course is None or activity is None or user is None or enrolment is None:
            continue
        if services.close_if_expired(
            db.session,
            attempt,
            user=user,
            enrolment=enrolment,
            course=course,
            activity=activity,
            now=now,
            grace=grace,
        ):
            closed += 1
        db.session.commit()
    click.echo(f"{closed} attempt(s) closed")
