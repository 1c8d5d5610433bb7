"""A plan's "when" as RFC 5545 reads it, written once and read by the .ics file and the
nudge job alike.

A plan is either one moment (no rule) or a weekly rule ``FREQ=WEEKLY;INTERVAL=n;BYDAY=...``
from a first wall-clock time (DTSTART) in a named zone. Occurrences keep their wall-clock
time across daylight-saving changes, as RFC 5545 says for a DTSTART with a TZID; weeks start
on Monday (WKST=MO, the default). A time that does not exist on a given night (the clocks
go forward) is refused when the plan is made (``gaps``), so no occurrence falls in a gap.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: RFC 5545 weekday codes, Monday first (``date.weekday()`` order).
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: Repeat every 1 to this many weeks.
MAX_INTERVAL = 12


class RuleError(ValueError):
    """A recurrence this module does not write (and so cannot have stored)."""


@dataclass(frozen=True)
class When:
    """When a person plans to learn."""

    #: Weekday codes in week order; empty: once, on ``start_date``.
    weekdays: tuple[str, ...]
    #: Every ``interval`` weeks (1: every week).
    interval: int
    start_date: date
    start_time: time
    timezone: str
    duration_minutes: int

    @property
    def repeats(self) -> bool:
        return bool(self.weekdays)

    @property
    def rrule(self) -> str | None:
        """The RRULE value, or None for a single moment."""
        if not self.weekdays:
            return None
        return f"FREQ=WEEKLY;INTERVAL={self.interval};BYDAY={','.join(self.weekdays)}"

    @classmethod
    def from_rule(
        cls,
        rrule: str | None,
        start_date: date,
        start_time: time,
        timezone: str,
        duration_minutes: int,
    ) -> When:
        weekdays, interval = parse_rrule(rrule)
        return cls(weekdays, interval, start_date, start_time, timezone, duration_minutes)

    def first_moment(self) -> datetime:
        """DTSTART as an aware local datetime."""
        return datetime.combine(self.start_date, self.start_time, tzinfo=ZoneInfo(self.timezone))

    def local_days(self, until: date, since: date | None = None) -> Iterator[date]:
        """The days of the occurrences from ``start_date`` (or ``since``, if later) to
        ``until``, inclusive."""
        first = max(self.start_date, since or self.start_date)
        if not self.weekdays:
            if first == self.start_date <= until:
                yield self.start_date
            return
        wanted = sorted(WEEKDAYS.index(code) for code in self.weekdays)
        week = self.start_date - timedelta(days=self.start_date.weekday())  # its Monday
        # Skip whole periods of ``interval`` weeks before ``first``.
        periods = max(0, (first - week).days // 7 // self.interval)
        week += timedelta(weeks=periods * self.interval)
        while week <= until:
            for weekday in wanted:
                day = week + timedelta(days=weekday)
                if first <= day <= until:
                    yield day
            week += timedelta(weeks=self.interval)

    def occurrences(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """The occurrences (aware UTC) from ``start`` to ``end`` (inclusive), in order."""
        tz = ZoneInfo(self.timezone)
        last_day = end.astimezone(tz).date() + timedelta(days=1)
        first_day = start.astimezone(tz).date() - timedelta(days=1)
        for day in self.local_days(last_day, since=first_day):
            moment = datetime.combine(day, self.start_time, tzinfo=tz).astimezone(UTC)
            if moment > end:
                return
            if moment >= start:
                yield moment


def parse_rrule(rrule: str | None) -> tuple[tuple[str, ...], int]:
    """(weekdays, interval) of a stored RRULE value; ((), 1) for None."""
    if not rrule:
        return (), 1
    parts = dict(part.split("=", 1) for part in rrule.split(";") if "=" in part)
    if parts.get("FREQ") != "WEEKLY" or set(parts) - {"FREQ", "INTERVAL", "BYDAY"}:
        raise RuleError(rrule)
    days = tuple(code for code in WEEKDAYS if code in parts.get("BYDAY", "").split(","))
    interval = int(parts.get("INTERVAL", "1"))
    if not days or not 1 <= interval <= MAX_INTERVAL:
        raise RuleError(rrule)
    return days, interval


def exists(day: date, at: time, timezone: str) -> bool:
    """Whether ``at`` happens on ``day`` in ``timezone`` (not in the hour skipped when the
    clocks go forward)."""
    tz = ZoneInfo(timezone)
    local = datetime.combine(day, at, tzinfo=tz)
    back = local.astimezone(UTC).astimezone(tz)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def gaps(when: When, years: int = 3) -> Sequence[date]:
    """The days within ``years`` of the start on which the plan's time does not exist."""
    until = when.start_date + timedelta(days=366 * years)
    return [
        day for day in when.local_days(until) if not exists(day, when.start_time, when.timezone)
    ]
