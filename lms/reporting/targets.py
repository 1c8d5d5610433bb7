"""The programme's targets (``LMS_TARGETS``) and the progress toward them.

A target is a number of people certified in a course by a date, for example::

    LMS_TARGETS = {
        "connectoo": {"certified": 10000, "by": "2027-06-30", "from": "2025-07-01"},
        "connectoo-plus": {"certified": 1000, "by": "2027-06-30"},
    }

``from`` (optional) is the day the programme started; without it, the first month in which
someone earned the certificate. The **target line** runs straight from nothing on that day
to the target on ``by``; the overview compares the people certified so far with it.

A person counts from the day they completed the course of their first certificate (its
``completed_at``, in ``LMS_TIMEZONE``); a person whose certificates for the course were all
revoked or replaced without a valid one left does not count. Expired certificates still
count: the person was certified. One query for every target together: the people's first
completion dates (one row per certified person), counted per month here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, case, func, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from lms.catalog.readmodel import CourseDef
from lms.certification.models import VALID, Certificate
from lms.core.i18n import lazy_gettext as _l


@dataclass(frozen=True)
class Target:
    course: str  # the course's slug
    certified: int
    by: date
    start: date | None = None


def parse_targets(setting: Any) -> tuple[list[Target], list[str]]:
    """``LMS_TARGETS`` as targets, and the problems with it in words (a target with a
    problem is left out; the overview shows the problems to the administrator)."""
    targets: list[Target] = []
    problems: list[str] = []
    if not setting:
        return targets, problems
    if not isinstance(setting, Mapping):
        return targets, [str(_l("LMS_TARGETS must map course ids to targets."))]
    for slug, spec in setting.items():
        try:
            targets.append(_parse_one(str(slug), spec))
        except ValueError as error:
            problems.append(
                str(_l("The target of %(course)s is left out: %(why)s", course=slug, why=error))
            )
    return targets, problems


def _parse_one(slug: str, spec: Any) -> Target:
    if not isinstance(spec, Mapping):
        raise ValueError(str(_l('write it like {"certified": 10000, "by": "2027-06-30"}.')))
    number = spec.get("certified")
    if isinstance(number, bool) or not isinstance(number, int) or number <= 0:
        raise ValueError(str(_l('"certified" must be a whole number above 0.')))
    by = _day(spec.get("by"), "by")
    start = _day(spec["from"], "from") if spec.get("from") is not None else None
    if start is not None and start >= by:
        raise ValueError(str(_l('"from" must come before "by".')))
    return Target(slug, number, by, start)


def _day(value: Any, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(str(_l('"%(name)s" must be a date like 2027-06-30.', name=name))) from None


@dataclass(frozen=True)
class MonthPoint:
    """One month of the chart and its table."""

    #: The first day of the month.
    month: date
    #: People certified in this month (0 for months still to come).
    new: int
    #: People certified up to the end of this month; None for months still to come.
    cumulative: int | None
    #: On the target line at the end of the month.
    expected_at_end: int


@dataclass(frozen=True)
class TargetProgress:
    """How far a course is toward its target."""

    target: Target
    #: The first day of the line (``from``, or the first month with a certificate).
    start: date
    #: People certified so far.
    earned: int
    #: On the target line today.
    expected: int
    months: tuple[MonthPoint, ...]
    course_title: str = ""

    @property
    def percent(self) -> int:
        return self.earned * 100 // self.target.certified

    @property
    def difference(self) -> int:
        """Ahead of the line (positive) or behind it (negative)."""
        return self.earned - self.expected

    @property
    def reached(self) -> bool:
        return self.earned >= self.target.certified


def line_value(target: Target, start: date, day: date) -> int:
    """The target line on ``day``: from 0 on ``start`` to the target on ``by``, rounded down."""
    total = (target.by - start).days
    if total <= 0 or day >= target.by:
        return target.certified
    if day <= start:
        return 0
    return target.certified * (day - start).days // total


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def first_certified_days(
    session: Session, course_ids: Sequence[int], timezone: str
) -> dict[int, Counter[date]]:
    """Per course: how many certified people first completed it on each (local) day, from
    one query with a row per certified person.

    At 100,000 learners that is some 27,000 rows, and turning each into a day was 40 % of the
    overview's time. So the moments come without the ORM's type conversion (PostgreSQL
    gives datetimes, SQLite its stored text, read with ``fromisoformat``), and each distinct
    UTC quarter of an hour is turned into a local day once: time zones are whole quarters of
    an hour away from UTC, so a day never begins inside one."""
    if not course_ids:
        return {}
    first = func.min(Certificate.completed_at)
    rows = session.execute(
        select(Certificate.course_id, type_coerce(first, _Raw()))
        .where(Certificate.course_id.in_(list(course_ids)))
        .group_by(Certificate.course_id, Certificate.user_id)
        .having(func.sum(case((Certificate.status == VALID, 1), else_=0)) > 0)
    )
    zone = ZoneInfo(timezone)
    per_quarter: dict[tuple[date, int, int], date] = {}
    days: dict[int, Counter[date]] = {}
    for course_id, value in rows:
        moment = _moment(value)
        key = (moment.date(), moment.hour, moment.minute // 15)
        day = per_quarter.get(key)
        if day is None:
            day = per_quarter[key] = _local_day(moment, zone)
        days.setdefault(course_id, Counter())[day] += 1
    return days


class _Raw(TypeDecorator):
    """A column read as the driver gives it (no conversion per row)."""

    impl = String
    cache_ok = True

    def result_processor(self, dialect: Any, coltype: Any) -> None:
        return None


def _moment(value: datetime | str) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def target_progress(
    session: Session,
    targets: Sequence[Target],
    courses: Mapping[str, CourseDef],
    today: date,
    timezone: str = "Europe/Brussels",
) -> list[TargetProgress]:
    """Progress toward each target (the courses by slug must contain every target's)."""
    days = first_certified_days(session, [courses[t.course].course_id for t in targets], timezone)
    result = []
    for target in targets:
        earned_on = {
            day: count
            for day, count in days.get(courses[target.course].course_id, Counter()).items()
            if day <= today
        }
        start = target.start or _first_of_month(min(earned_on, default=today))
        per_month: Counter[date] = Counter()
        for day, count in earned_on.items():
            per_month[_first_of_month(day)] += count
        this_month = _first_of_month(today)
        # People certified before the line starts (a "from" after the first certificates).
        running = sum(count for month, count in per_month.items() if month < _first_of_month(start))
        months = []
        month = _first_of_month(start)
        while month <= _first_of_month(max(target.by, today)):
            following = _next_month(month)
            future = month > this_month
            new = 0 if future else per_month.get(month, 0)
            running += new
            months.append(
                MonthPoint(
                    month=month,
                    new=new,
                    cumulative=None if future else running,
                    expected_at_end=line_value(target, start, following - timedelta(days=1)),
                )
            )
            month = following
        result.append(
            TargetProgress(
                target=target,
                start=start,
                earned=sum(earned_on.values()),
                expected=line_value(target, start, today),
                months=tuple(months),
            )
        )
    return result
