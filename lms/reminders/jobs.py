"""The reminder job (``lms reminders send``, daily from cron): automatic reminders and the
optional weekly summaries to coordinators. Unlike services, a job commits: once per batch.

Safe to run twice, at the same time on several hosts, or again after a crash:

- it walks the enrolments that may need a reminder (not completed, a due date within
  the horizon or past, an active person with an e-mail address) in batches by id; on
  PostgreSQL each batch claims its rows with ``FOR UPDATE SKIP LOCKED``, so two runs work on
  different rows at the same moment (SQLite has one writer at a time: the second run waits);
- every reminder is inserted with its UNIQUE key (enrolment, kind, key) in the same
  transaction as its e-mail, so a reminder that another run already committed fails on the
  key and queues nothing;
- each batch commits on its own: a run killed half-way keeps what it committed, and the
  next run sends what was not (the keys are the due day and the reminder's number, not
  the day of the run, so a late run still sends them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.accounts.models import RoleAssignment, User
from lms.catalog.queries import get_current_course_defs
from lms.core.db import utcnow
from lms.core.urls import external_url
from lms.learning import engine
from lms.learning import summary as progress_summary
from lms.learning.models import Enrolment
from lms.learning.queries import load_records_for
from lms.learning.statuses import (
    OVERDUE,
    StatusSettings,
    Terms,
    due_day,
    end_of_day,
    load_certificates,
)
from lms.mail.services import queue_mail
from lms.reminders import services
from lms.reminders.models import NORMAL, Reminder, ReminderPreference, ReminderSummary
from lms.reporting.filters import ReportFilters
from lms.reporting.reports import build_rows

BATCH_SIZE = 500


@dataclass(frozen=True)
class _Candidate:
    enrolment_id: int
    user_id: int
    course_id: int
    mandatory: bool
    due_at: datetime | None
    renews: bool
    frequency: str
    #: The enrolment's stored progress summary (``lms.learning.summary``), if any.
    summary_version_id: int | None = None
    summary_progress: float | None = None
    summary_status: str | None = None
    summary_modules_done: str | None = None
    summary_last_completion_at: datetime | None = None


def _candidates(session: Session, after_id: int, horizon: datetime, limit: int) -> list[_Candidate]:
    """The next batch of enrolments that may need an automatic reminder, claimed."""
    rows = session.execute(
        select(
            Enrolment.id,
            Enrolment.user_id,
            Enrolment.course_id,
            Enrolment.mandatory,
            Enrolment.due_at,
            Enrolment.renews,
            ReminderPreference.voluntary,
            *(getattr(Enrolment, name) for name in progress_summary.SUMMARY_COLUMNS),
        )
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(ReminderPreference, ReminderPreference.user_id == Enrolment.user_id)
        .where(
            Enrolment.id > after_id,
            Enrolment.completed_at.is_(None),
            Enrolment.due_at.is_not(None),
            Enrolment.due_at <= horizon,
            User.active.is_(True),
            User.email.is_not(None),
        )
        .order_by(Enrolment.id)
        .limit(limit)
        # PostgreSQL: two runs at once take different rows (SQLite: ignored, one writer).
        .with_for_update(of=Enrolment, skip_locked=True)
    ).all()
    return [
        _Candidate(*row[:6], row[6] or NORMAL, *row[7:])  # type: ignore[misc]
        for row in rows
    ]


def send_automatic(
    session: Session,
    settings: StatusSettings,
    rules: services.ReminderSettings,
    *,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Queue every automatic reminder due today; commits after each batch. Returns how many
    were queued by this run."""
    now = now or utcnow()
    horizon = end_of_day(settings.today + timedelta(days=rules.horizon))
    session.commit()  # each batch in a transaction of its own, from here on
    after_id = 0
    queued = 0
    while True:
        batch = _candidates(session, after_id, horizon, batch_size)
        if not batch:
            session.commit()
            return queued
        after_id = batch[-1].enrolment_id
        queued += _remind_batch(session, batch, settings, rules, now)
        session.commit()
        if on_batch is not None:
            on_batch(queued)


def _remind_batch(
    session: Session,
    batch: list[_Candidate],
    settings: StatusSettings,
    rules: services.ReminderSettings,
    now: datetime,
) -> int:
    user_ids = sorted({c.user_id for c in batch})
    course_ids = sorted({c.course_id for c in batch})
    courses = get_current_course_defs(session, course_ids)
    # The stored summaries where current (as the reports read them); the engine computes the
    # others, from the records of those people only.
    stored = {
        c.enrolment_id: found
        for c in batch
        if c.course_id in courses
        and (found := progress_summary.current_for(c, courses[c.course_id])) is not None
    }
    missing = sorted({c.user_id for c in batch if c.enrolment_id not in stored})
    records = load_records_for(session, missing, course_ids, courses) if missing else {}
    certificates = load_certificates(session, user_ids, course_ids)
    sent = set(
        session.execute(
            select(Reminder.enrolment_id, Reminder.kind, Reminder.due_key).where(
                Reminder.enrolment_id.in_([c.enrolment_id for c in batch])
            )
        ).all()
    )
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))}
    empty = engine.LearnerRecords()
    queued = 0
    for candidate in batch:
        course = courses.get(candidate.course_id)
        if course is None:
            continue
        key = (candidate.user_id, candidate.course_id)
        found = stored.get(candidate.enrolment_id)
        course_state = (
            found.course_state
            if found is not None
            else engine.compute(course, records.get(key, empty), lessons=False).course
        )
        status = settings.status(
            course_state,
            Terms(candidate.mandatory, due_day(candidate.due_at), candidate.renews),
            certificates.get(key),
        )
        due = services.automatic_reminder(status, rules, candidate.frequency)
        if due is None or (candidate.enrolment_id, due.kind, due.key) in sent:
            continue
        reminder = services.remind(
            session,
            enrolment_id=candidate.enrolment_id,
            person=people[candidate.user_id],
            course=course,
            status=status,
            kind=due.kind,
            key=due.key,
            at=now,
        )
        queued += reminder is not None
    return queued


# Weekly summaries ----------------------------------------------------------------------------


def iso_week(settings: StatusSettings) -> str:
    year, week, _day = settings.today.isocalendar()
    return f"{year}-W{week:02d}"


#: At most this many overdue courses are listed in one summary (the link shows them all).
SUMMARY_LINES = 50


def send_summaries(session: Session, settings: StatusSettings) -> int:
    """Queue, once per ISO week, a summary of who is overdue to each coordinator who has
    overdue people; commits after each. Returns how many were queued."""
    week = iso_week(settings)
    session.commit()
    coordinators = list(
        session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.email.is_not(None),
                User.id.in_(select(RoleAssignment.user_id).where(RoleAssignment.role == "manager")),
                User.id.not_in(
                    select(ReminderSummary.coordinator_id).where(ReminderSummary.week == week)
                ),
            )
            .order_by(User.id)
        )
    )
    queued = 0
    for coordinator in coordinators:
        language = coordinator.preferred_language
        filters = ReportFilters(status=OVERDUE)
        _scope, rows, _people = build_rows(
            session, coordinator, filters, settings, language=language, with_scores=False
        )
        if not rows:
            continue
        rows.sort(key=lambda r: (r.status.due_on, r.full_name.casefold(), r.course_title))
        summary = ReminderSummary(coordinator_id=coordinator.id, week=week, overdue=len(rows))
        try:
            with session.begin_nested():
                session.add(summary)
                session.flush()
        except IntegrityError:  # another run sent it
            session.commit()
            continue
        mail = queue_mail(
            session,
            recipient=coordinator.email,
            template="reminder_summary",
            language=language,
            name=coordinator.full_name,
            rows=rows[:SUMMARY_LINES],
            more=max(0, len(rows) - SUMMARY_LINES),
            total=len(rows),
            people=len({r.user_id for r in rows}),
            today=settings.today,
            table_url=external_url("lms.reporting.people", status=OVERDUE),
        )
        summary.mail_id = mail.id
        session.commit()
        queued += 1
    return queued
