"""``lms plans nudge`` (hourly from cron): a short e-mail at a planned learning time to
people who have not been active in that course that week. Commits per batch.

A nudge is due for an occurrence of a plan (read from the plan's own rule, like the .ics)
from ``LMS_PLAN_NUDGE_BEFORE_MINUTES`` before it until ``LMS_PLAN_NUDGE_LATE_HOURS``
after it, when the course is not completed and the person has opened nothing in it and
completed nothing in it since the Monday of that week (in ``LMS_TIMEZONE``). One nudge per
occurrence: a UNIQUE (plan, occurrence) row inserted with the e-mail in one transaction;
plans are claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, as in the reminder job.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_time
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.catalog.queries import get_current_course_defs
from lms.core.db import utcnow
from lms.core.urls import external_url
from lms.learning.models import Completion, Enrolment
from lms.mail.services import queue_mail
from lms.plans.models import LearningPlan, PlanNudge
from lms.plans.queries import when_of

BATCH_SIZE = 500


def week_start(moment: datetime, timezone: str) -> datetime:
    """Monday 00:00 (local) of the week of ``moment``, as aware UTC."""
    tz = ZoneInfo(timezone)
    local = moment.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(0, 0), tzinfo=tz).astimezone(moment.tzinfo)


def send_nudges(
    session: Session,
    *,
    now: datetime | None = None,
    before_minutes: int = 60,
    late_hours: int = 3,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Queue the nudges due now; returns how many."""
    now = now or utcnow()
    window = (now - timedelta(hours=late_hours), now + timedelta(minutes=before_minutes))
    session.commit()
    after_id = 0
    queued = 0
    while True:
        rows = session.execute(
            select(LearningPlan, Enrolment.last_activity_at)
            .join(Enrolment, Enrolment.id == LearningPlan.enrolment_id)
            .join(User, User.id == LearningPlan.user_id)
            .where(
                LearningPlan.id > after_id,
                Enrolment.completed_at.is_(None),
                User.active.is_(True),
                User.email.is_not(None),
            )
            .order_by(LearningPlan.id)
            .limit(batch_size)
            .with_for_update(of=LearningPlan, skip_locked=True)
        ).all()
        if not rows:
            session.commit()
            return queued
        after_id = rows[-1][0].id
        queued += _nudge_batch(session, rows, window)
        session.commit()


def _nudge_batch(session: Session, rows, window: tuple[datetime, datetime]) -> int:
    due = []
    for plan, last_activity in rows:
        moment = next(iter(when_of(plan).occurrences(*window)), None)
        if moment is not None:
            due.append((plan, last_activity, moment))
    if not due:
        return 0
    plans = [plan for plan, _a, _m in due]
    completions = {
        (u, c): at
        for u, c, at in session.execute(
            select(Completion.user_id, Completion.course_id, func.max(Completion.completed_at))
            .where(Completion.user_id.in_(sorted({p.user_id for p in plans})))
            .group_by(Completion.user_id, Completion.course_id)
        )
    }
    people = {
        u.id: u
        for u in session.scalars(select(User).where(User.id.in_({p.user_id for p in plans})))
    }
    courses = get_current_course_defs(session, {p.course_id for p in plans})
    queued = 0
    for plan, last_activity, moment in due:
        since = week_start(moment, plan.timezone)
        latest = [t for t in (last_activity, completions.get((plan.user_id, plan.course_id))) if t]
        course = courses.get(plan.course_id)
        if course is None or (latest and max(latest) >= since):
            continue  # active this week: no need to nudge
        nudge = PlanNudge(plan_id=plan.id, occurrence_at=moment)
        try:
            with session.begin_nested():
                session.add(nudge)
                session.flush()
        except IntegrityError:  # already nudged for this occurrence
            continue
        person = people[plan.user_id]
        language = person.preferred_language
        content = language if language in course.languages else course.default_language
        mail = queue_mail(
            session,
            recipient=person.email,
            template="plan_nudge",
            language=language,
            name=person.full_name,
            course_title=course.text(course.title, content),
            at=format_time(moment, "short", tzinfo=ZoneInfo(plan.timezone), locale=language),
            place=plan.place,
            place_other=plan.place_other,
            first_step=plan.first_step,
            if_then=plan.if_then,
            resume_url=external_url("lms.learning.resume", slug=course.slug),
            plan_url=external_url("lms.plans.prompt", slug=course.slug),
        )
        nudge.mail_id = mail.id
        session.flush()
        queued += 1
    return queued
