"""Writes for learning plans: checking what a person typed, saving, skipping and removing a
plan, a department's suggested learning time (flush only).

``check_plan`` turns the prompt's raw answers into a ``PlanValues`` or a message per field,
all at once (GOV.UK's error summary lists them together). The messages are plain and say
what to do: "31 February 2027 does not exist", "02:30 does not exist on 28 March 2027, when
the clocks go forward", "Repeat at least every week".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from babel.dates import get_month_names
from flask_babel import format_date
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core import audit
from lms.core.db import utcnow
from lms.core.i18n import current_language
from lms.core.i18n import gettext as _
from lms.learning.models import Enrolment
from lms.organisations.models import Department
from lms.plans.models import (
    NO_PROMPT,
    PLACES,
    DepartmentPlanTime,
    LearningPlan,
    PlanGroup,
    PlanNudge,
    PlanPromptSkip,
)
from lms.plans.recurrence import MAX_INTERVAL, WEEKDAYS, When, exists, gaps

WEEKLY = "weekly"
ONCE = "once"
#: How long a plan's moment lasts, in minutes (the choices offered).
DURATIONS = (15, 30, 45, 60)
#: A single date may be at most this many days ahead.
MAX_DAYS_AHEAD = 2 * 366
MAX_TEXT = 300
MAX_PLACE = 100

_TIME_RE = re.compile(r"^\s*(\d{1,2})\s*[:.hHuU]\s*(\d{2})\s*$")


class PlanError(ValueError):
    """A plan setting that cannot be used; the message is for the person."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class PlanInput:
    """What the person typed or chose in the prompt (all text, as the form sends it)."""

    when: str = ""
    weekdays: Sequence[str] = ()
    every: str = "1"
    day: str = ""
    month: str = ""
    year: str = ""
    time: str = ""
    minutes: str = "30"
    place: str = ""
    place_other: str = ""
    first_step: str = ""
    if_then: str = ""


@dataclass(frozen=True)
class PlanValues:
    when: When
    place: str
    place_other: str | None
    first_step: str
    if_then: str


@dataclass
class _Problems:
    messages: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.messages.setdefault(name, message)


def parse_time(raw: str) -> time | None:
    """ "9:30", "09.30", "9h30" -> 09:30; None when it is no time of day."""
    match = _TIME_RE.match(raw or "")
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _long_date(day: date) -> str:
    return format_date(day, "long")


def _check_time(raw: str, problems: _Problems) -> time | None:
    if not raw.strip():
        problems.add(
            "time",
            _("Give a time of day, for example 09:30. People who name a time finish more often."),
        )
        return None
    at = parse_time(raw)
    if at is None:
        problems.add("time", _("Give a time between 00:00 and 23:59, for example 09:30."))
    return at


def _check_date(data: PlanInput, today: date, problems: _Problems) -> date | None:
    parts = (data.day.strip(), data.month.strip(), data.year.strip())
    if not all(parts):
        problems.add("day", _("Give the date: day, month and year, for example 14 3 2027."))
        return None
    if not all(p.isdigit() and len(p) <= 4 for p in parts):
        problems.add("day", _("Give the day, month and year in numbers, for example 14 3 2027."))
        return None
    day, month, year = (int(p) for p in parts)
    if not 1 <= month <= 12:
        problems.add("day", _("The month must be a number from 1 to 12."))
        return None
    if not today.year <= year <= today.year + 2:
        problems.add("day", _("Give a date within the next two years."))
        return None
    try:
        chosen = date(year, month, day)
    except ValueError:
        month_name = get_month_names("wide", locale=current_language())[month]
        problems.add(
            "day",
            _(
                "%(day)d %(month)s %(year)d does not exist. Check the day and the month.",
                day=day,
                month=month_name,
                year=year,
            ),
        )
        return None
    if chosen < today:
        problems.add("day", _("This date has passed. Choose today or a later day."))
        return None
    if chosen > today + timedelta(days=MAX_DAYS_AHEAD):
        problems.add("day", _("Give a date within the next two years."))
        return None
    return chosen


def _check_interval(raw: str, problems: _Problems) -> int:
    raw = raw.strip() or "1"
    if not raw.isdigit() or len(raw) > 3 or not 1 <= int(raw) <= MAX_INTERVAL:
        problems.add(
            "every",
            _(
                "Repeat at least every week: give a whole number of weeks from 1 to %(max)d.",
                max=MAX_INTERVAL,
            ),
        )
        return 1
    return int(raw)


def _check_weekdays(chosen: Sequence[str], problems: _Problems) -> tuple[str, ...]:
    days = tuple(code for code in WEEKDAYS if code in set(chosen))
    if not days or len(days) != len(set(chosen)):
        problems.add("weekdays", _("Choose at least one day of the week."))
    return days


def first_day(weekdays: Sequence[str], today: date) -> date:
    """The first day from ``today`` on that is one of ``weekdays`` (the plan's DTSTART)."""
    for offset in range(7):
        day = today + timedelta(days=offset)
        if WEEKDAYS[day.weekday()] in weekdays:
            return day
    raise ValueError("no weekday given")


def check_plan(
    data: PlanInput, *, today: date, timezone: str
) -> tuple[PlanValues | None, dict[str, str]]:
    """The plan, or the problems by field name (every field checked at once)."""
    problems = _Problems()
    if data.when not in (WEEKLY, ONCE):
        problems.add("when", _("Choose whether you learn on set days or once, on a date."))
    weekdays: tuple[str, ...] = ()
    interval = 1
    chosen: date | None = None
    if data.when == WEEKLY:
        weekdays = _check_weekdays(data.weekdays, problems)
        interval = _check_interval(data.every, problems)
    elif data.when == ONCE:
        chosen = _check_date(data, today, problems)
    at = _check_time(data.time, problems)
    minutes = int(data.minutes) if data.minutes.isdigit() else 0
    if minutes not in DURATIONS:
        problems.add("minutes", _("Choose how long you will learn."))
    if data.place not in PLACES:
        problems.add("place", _("Choose where you will learn."))
    place_other = data.place_other.strip()
    if data.place == "other" and not place_other:
        problems.add("place_other", _("Say where you will learn."))
    if len(place_other) > MAX_PLACE:
        problems.add("place_other", _("Use at most %(max)d characters.", max=MAX_PLACE))
    for name in ("first_step", "if_then"):
        if len(getattr(data, name).strip()) > MAX_TEXT:
            problems.add(name, _("Use at most %(max)d characters.", max=MAX_TEXT))
    if at is not None and (chosen is not None or weekdays):
        start = chosen if chosen is not None else first_day(weekdays, today)
        when = When(weekdays, interval, start, at, timezone, minutes or 30)
        if chosen is not None and not exists(chosen, at, timezone):
            problems.add(
                "time",
                _(
                    "%(time)s does not exist on %(date)s: the clocks go forward that night. "
                    "Choose another time.",
                    time=at.strftime("%H:%M"),
                    date=_long_date(chosen),
                ),
            )
        elif weekdays and (missing := gaps(when)):
            problems.add(
                "time",
                _(
                    "%(time)s does not exist on %(date)s: the clocks go forward that night. "
                    "Choose another time.",
                    time=at.strftime("%H:%M"),
                    date=_long_date(missing[0]),
                ),
            )
    if problems.messages:
        return None, problems.messages
    assert at is not None
    start = chosen if chosen is not None else first_day(weekdays, today)
    return (
        PlanValues(
            when=When(weekdays, interval, start, at, timezone, minutes),
            place=data.place,
            place_other=place_other if data.place == "other" else None,
            first_step=data.first_step.strip(),
            if_then=data.if_then.strip(),
        ),
        {},
    )


# Plans ---------------------------------------------------------------------------------------


def plan_of(session: Session, enrolment_id: int) -> LearningPlan | None:
    return session.scalar(select(LearningPlan).where(LearningPlan.enrolment_id == enrolment_id))


def save_plan(
    session: Session, enrolment: Enrolment, values: PlanValues, *, at: datetime | None = None
) -> LearningPlan:
    """Make or change the plan of ``enrolment``."""
    at = at or utcnow()
    plan = plan_of(session, enrolment.id)
    if plan is None:
        plan = LearningPlan(
            enrolment_id=enrolment.id,
            user_id=enrolment.user_id,
            course_id=enrolment.course_id,
            created_at=at,
        )
        session.add(plan)
    when = values.when
    plan.rrule = when.rrule
    plan.start_date = when.start_date
    plan.start_time = when.start_time
    plan.timezone = when.timezone
    plan.duration_minutes = when.duration_minutes
    plan.place = values.place
    plan.place_other = values.place_other
    plan.first_step = values.first_step
    plan.if_then = values.if_then
    plan.updated_at = at
    session.flush()
    return plan


def remove_plan(session: Session, enrolment: Enrolment) -> bool:
    plan = plan_of(session, enrolment.id)
    if plan is None:
        return False
    session.execute(delete(PlanNudge).where(PlanNudge.plan_id == plan.id))
    session.delete(plan)
    session.flush()
    return True


def skip_prompt(session: Session, enrolment: Enrolment, *, at: datetime | None = None) -> None:
    """The person skipped the prompt: it does not come back by itself for this course."""
    if session.get(PlanPromptSkip, enrolment.id) is None:
        session.add(PlanPromptSkip(enrolment_id=enrolment.id, skipped_at=at or utcnow()))
        session.flush()


def group_of(session: Session, enrolment_id: int) -> str | None:
    return session.scalar(select(PlanGroup.grp).where(PlanGroup.enrolment_id == enrolment_id))


def should_prompt(session: Session, enrolment: Enrolment) -> bool:
    """Whether starting the course shows the prompt: no plan yet, not skipped, and not in
    the experiment's "no prompt" group."""
    if group_of(session, enrolment.id) == NO_PROMPT:
        return False
    if session.get(PlanPromptSkip, enrolment.id) is not None:
        return False
    return plan_of(session, enrolment.id) is None


# A department's suggested learning time ------------------------------------------------------


def department_time(session: Session, department_id: int | None) -> DepartmentPlanTime | None:
    if department_id is None:
        return None
    return session.get(DepartmentPlanTime, department_id)


def set_department_time(
    session: Session,
    department: Department,
    *,
    weekdays: Sequence[str],
    start_time: time,
    duration_minutes: int,
    actor: User | None = None,
) -> DepartmentPlanTime:
    days = tuple(code for code in WEEKDAYS if code in set(weekdays))
    if not days:
        raise PlanError(_("Choose at least one day of the week."), "weekdays")
    if duration_minutes not in DURATIONS:
        raise PlanError(_("Choose how long you will learn."), "minutes")
    suggestion = session.get(DepartmentPlanTime, department.id)
    if suggestion is None:
        suggestion = DepartmentPlanTime(department_id=department.id)
        session.add(suggestion)
    suggestion.weekdays = ",".join(days)
    suggestion.start_time = start_time
    suggestion.duration_minutes = duration_minutes
    suggestion.set_by_id = actor.id if actor else None
    suggestion.set_at = utcnow()
    session.flush()
    audit.record(
        session,
        "department.plan_time",
        "department",
        department.id,
        actor_id=actor.id if actor else None,
        weekdays=suggestion.weekdays,
        start_time=start_time.strftime("%H:%M"),
        minutes=duration_minutes,
    )
    return suggestion


def clear_department_time(
    session: Session, department: Department, *, actor: User | None = None
) -> bool:
    suggestion = session.get(DepartmentPlanTime, department.id)
    if suggestion is None:
        return False
    session.delete(suggestion)
    session.flush()
    audit.record(
        session,
        "department.plan_time_cleared",
        "department",
        department.id,
        actor_id=actor.id if actor else None,
    )
    return True
