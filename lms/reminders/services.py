"""Writes for reminders: which reminder is due, sending one, previews of a coordinator's
reminders, and a person's preference (flush only; the jobs in ``jobs.py`` commit).

The rules (also in docs/monitoring.md):

- A reminder is about one enrolment (a person in a course) that is not done (the statuses
  of ``learning.statuses``: never to someone who completed or is certified), to an active
  person with an e-mail address.
- Automatic, before the due day: ``LMS_REMINDER_DAYS_BEFORE`` (e.g. [14, 3]); the reminder of
  the smallest number of days that is still at least the days left is due, once per due
  day (a missed run sends it the next day; a due date 2 days away gets only the 3-day one).
- Automatic, overdue: the day after the due day, then every
  ``LMS_REMINDER_OVERDUE_EVERY_DAYS`` days (7: weekly) while the course is not done.
- Voluntary courses follow the person's preference: normal, only when overdue, or none.
  Mandatory courses always get reminders.
- A coordinator may remind anyone in her scope who is not done, at most once a day per
  course (a second click the same day sends nothing).

Each reminder is a row with a UNIQUE key (enrolment, kind, key), inserted in a savepoint in
the same transaction as its e-mail in the outbox: a second insert (a second run, a
concurrent run, a double click) fails on the key and queues nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.catalog.readmodel import CourseDef
from lms.core.db import utcnow
from lms.core.urls import external_url
from lms.learning.statuses import EnrolmentStatus, StatusSettings
from lms.mail.services import queue_mail
from lms.reminders.models import (
    BEFORE_DUE,
    FREQUENCIES,
    MANUAL,
    NONE,
    NORMAL,
    ONLY_OVERDUE,
    OVERDUE,
    Reminder,
    ReminderPreference,
)
from lms.reporting.filters import ReportFilters
from lms.reporting.reports import PeopleRow, people_report


class ReminderError(ValueError):
    """A reminder that cannot be sent; the message is for the person."""


@dataclass(frozen=True)
class ReminderSettings:
    """The reminder rules, from the configuration."""

    #: Days before the due day, largest first (e.g. (14, 3)).
    days_before: tuple[int, ...] = (14, 3)
    #: Days between overdue reminders (0: only one).
    overdue_every: int = 7

    @classmethod
    def from_config(cls, config: Mapping) -> ReminderSettings:
        days = config.get("LMS_REMINDER_DAYS_BEFORE", [14, 3])
        if isinstance(days, int | str):
            days = [days]
        return cls(
            days_before=tuple(sorted({int(d) for d in days if int(d) >= 0}, reverse=True)),
            overdue_every=max(0, int(config.get("LMS_REMINDER_OVERDUE_EVERY_DAYS", 7))),
        )

    @property
    def horizon(self) -> int:
        """How many days ahead a due day can need a reminder."""
        return max(self.days_before, default=0)


@dataclass(frozen=True)
class Due:
    """An automatic reminder an enrolment is due for today."""

    kind: str
    key: str
    due_on: date


def automatic_reminder(
    status: EnrolmentStatus, settings: ReminderSettings, frequency: str = NORMAL
) -> Due | None:
    """The automatic reminder due today for an enrolment with ``status`` (None: none).

    ``frequency`` is the person's preference for voluntary courses (mandatory: ignored)."""
    if status.done or status.due_on is None or status.days_left is None:
        return None
    voluntary = not status.mandatory
    if voluntary and frequency == NONE:
        return None
    days = status.days_left
    if days >= 0:
        if voluntary and frequency == ONLY_OVERDUE:
            return None
        reached = [n for n in settings.days_before if days <= n]
        if not reached:
            return None
        return Due(BEFORE_DUE, f"{status.due_on.isoformat()}:{min(reached)}", status.due_on)
    late = -days  # 1 on the day after the due day
    period = 0 if settings.overdue_every == 0 else (late - 1) // settings.overdue_every
    return Due(OVERDUE, f"{status.due_on.isoformat()}:{period}", status.due_on)


# Reasons a person is not reminded (in a coordinator's preview) ---------------------------------

COMPLETED = "completed"
NO_EMAIL = "no_email"
ASKED_NONE = "asked_none"
ASKED_ONLY_OVERDUE = "asked_only_overdue"
ALREADY_TODAY = "already_today"


def manual_refusal(
    status: EnrolmentStatus, email: str | None, frequency: str, reminded_today: bool
) -> str | None:
    """Why a coordinator's reminder would not be sent (None: it would)."""
    if status.done:
        return COMPLETED
    if not email:
        return NO_EMAIL
    if not status.mandatory and frequency == NONE:
        return ASKED_NONE
    if not status.mandatory and frequency == ONLY_OVERDUE and not _late(status):
        return ASKED_ONLY_OVERDUE
    if reminded_today:
        return ALREADY_TODAY
    return None


def _late(status: EnrolmentStatus) -> bool:
    return status.days_left is not None and status.days_left < 0


# Sending -------------------------------------------------------------------------------------


def _course_language(course: CourseDef, language: str) -> str:
    return language if language in course.languages else course.default_language


def remind(
    session: Session,
    *,
    enrolment_id: int,
    person: User,
    course: CourseDef,
    status: EnrolmentStatus,
    kind: str,
    key: str,
    sender: User | None = None,
    at: datetime | None = None,
) -> Reminder | None:
    """Record the reminder and queue its e-mail, in the caller's transaction. None when the
    same reminder (enrolment, kind, key) is already there: nothing is queued then."""
    if not person.email:
        return None
    reminder = Reminder(
        enrolment_id=enrolment_id,
        user_id=person.id,
        course_id=course.course_id,
        kind=kind,
        due_key=key,
        due_on=status.due_on,
        sent_by_id=sender.id if sender else None,
        created_at=at or utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(reminder)
            session.flush()
    except IntegrityError:  # sent already (another run, a double click)
        return None
    language = person.preferred_language
    mail = queue_mail(
        session,
        recipient=person.email,
        template="reminder",
        language=language,
        kind=kind,
        name=person.full_name,
        course_title=course.text(course.title, _course_language(course, language)),
        mandatory=status.mandatory,
        due_on=status.due_on,
        days_left=status.days_left,
        percent=status.percent,
        sender=sender.full_name if sender else None,
        resume_url=external_url("lms.learning.resume", slug=course.slug),
        preferences_url=external_url("lms.reminders.preferences"),
    )
    reminder.mail_id = mail.id
    session.flush()
    return reminder


def manual_key(today: date) -> str:
    """A coordinator's reminders: one a day per course."""
    return today.isoformat()


# Preferences ---------------------------------------------------------------------------------


def frequencies_of(session: Session, user_ids: Iterable[int] | object) -> dict[int, str]:
    """Each person's preference for voluntary courses (absent: normal)."""
    ids = user_ids if not isinstance(user_ids, list | tuple | set | frozenset) else list(user_ids)
    return dict(
        session.execute(
            select(ReminderPreference.user_id, ReminderPreference.voluntary).where(
                ReminderPreference.user_id.in_(ids)
            )
        ).all()
    )


def frequency_of(session: Session, user_id: int) -> str:
    return frequencies_of(session, [user_id]).get(user_id, NORMAL)


def set_frequency(session: Session, user: User, frequency: str) -> None:
    """How often ``user`` wants reminders about voluntary courses."""
    if frequency not in FREQUENCIES:
        raise ReminderError("unknown frequency")
    preference = session.get(ReminderPreference, user.id)
    if preference is None:
        preference = ReminderPreference(user_id=user.id)
        session.add(preference)
    preference.voluntary = frequency
    preference.updated_at = utcnow()
    session.flush()


# A coordinator's reminders -------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewLine:
    row: PeopleRow
    email: str | None
    #: Why this person would not be reminded (None: they will be).
    refusal: str | None


@dataclass(frozen=True)
class ReminderPreview:
    """Who a coordinator's reminder would reach: every row of the filtered people table
    that is not done, with the reason for those who would not get one."""

    filters: ReportFilters
    #: Rows that will get a reminder.
    to_remind: tuple[PreviewLine, ...]
    #: Rows (not done) that will not, with the reason.
    not_reminded: tuple[PreviewLine, ...]
    #: Rows of the view that are done (completed or certified): never reminded.
    done: int
    report: object

    @property
    def people(self) -> int:
        return len({line.row.user_id for line in self.to_remind})


def preview(
    session: Session,
    actor: User,
    filters: ReportFilters,
    settings: StatusSettings,
    *,
    language: str,
) -> ReminderPreview:
    """The coordinator's reminder for a filtered view of the people table (raises
    ``OutOfScope`` like the table for a filter she may not use)."""
    report = people_report(session, actor, filters, settings, language=language, page_size=50)
    rows = list(report.iter_rows())
    open_rows = [row for row in rows if not row.status.done]
    user_ids = sorted({row.user_id for row in open_rows})
    emails = (
        dict(session.execute(select(User.id, User.email).where(User.id.in_(user_ids))).all())
        if user_ids
        else {}
    )
    frequencies = frequencies_of(session, user_ids) if user_ids else {}
    today_key = manual_key(settings.today)
    reminded = (
        set(
            session.scalars(
                select(Reminder.enrolment_id).where(
                    Reminder.enrolment_id.in_([row.enrolment_id for row in open_rows]),
                    Reminder.kind == MANUAL,
                    Reminder.due_key == today_key,
                )
            )
        )
        if open_rows
        else set()
    )
    lines = [
        PreviewLine(
            row,
            emails.get(row.user_id),
            manual_refusal(
                row.status,
                emails.get(row.user_id),
                frequencies.get(row.user_id, NORMAL),
                row.enrolment_id in reminded,
            ),
        )
        for row in open_rows
    ]
    return ReminderPreview(
        filters=filters,
        to_remind=tuple(line for line in lines if line.refusal is None),
        not_reminded=tuple(line for line in lines if line.refusal is not None),
        done=len(rows) - len(open_rows),
        report=report,
    )


def send_preview(
    session: Session,
    actor: User,
    lines: Sequence[PreviewLine],
    courses: Mapping[int, CourseDef],
    *,
    today: date,
    only: Iterable[int] | None = None,
) -> int:
    """Send the coordinator's reminder to the previewed ``lines`` (restricted to the
    enrolment ids in ``only``: what she saw); returns how many were queued."""
    wanted = set(only) if only is not None else None
    people = {
        u.id: u
        for u in session.scalars(
            select(User).where(User.id.in_(sorted({line.row.user_id for line in lines})))
        )
    }
    sent = 0
    for line in lines:
        row = line.row
        if line.refusal is not None or (wanted is not None and row.enrolment_id not in wanted):
            continue
        course = courses.get(row.course_id)
        person = people.get(row.user_id)
        if course is None or person is None:
            continue
        sent += (
            remind(
                session,
                enrolment_id=row.enrolment_id,
                person=person,
                course=course,
                status=row.status,
                kind=MANUAL,
                key=manual_key(today),
                sender=actor,
            )
            is not None
        )
    return sent


def reminder_settings() -> ReminderSettings:
    return ReminderSettings.from_config(current_app.config)
