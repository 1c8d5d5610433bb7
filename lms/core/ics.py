"""Writing iCalendar (RFC 5545) text by hand: content lines, escaping, folding, times, and a
VTIMEZONE for a named zone.

Lines end in CRLF and are folded at 75 octets (never inside a character); text values escape
backslash, semicolon, comma and newlines. Times are written in UTC (``...Z``) or as local
wall-clock times with a ``TZID`` whose VTIMEZONE the calendar carries (``vtimezone``), so a
repeating event keeps its time of day across daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

PRODID = "-//Connectoo LMS//{}//EN"


def escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets, never inside a character."""
    out: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            out.append(current)
            current = char
            limit = 74  # continuation lines start with a space
        else:
            current += char
    out.append(current)
    return "\r\n ".join(out)


def utc_stamp(value: datetime) -> str:
    """An aware datetime as a UTC DATE-TIME (``20270301T170000Z``)."""
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def local_stamp(value: datetime) -> str:
    """A wall-clock DATE-TIME without zone (``20270301T183000``), for ``;TZID=``."""
    return value.strftime("%Y%m%dT%H%M%S")


def calendar(lines: Iterable[str]) -> str:
    """Content lines -> the text of a .ics file (folded, CRLF)."""
    return "".join(fold(line) + "\r\n" for line in lines)


def _offset(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


def _transitions(tz: ZoneInfo, year: int) -> list[datetime]:
    """The moments (UTC, to the minute) in ``year`` at which ``tz`` changes its offset."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(hours=1)
    before = moment.astimezone(tz).utcoffset()
    while moment < end:
        after = (moment + step).astimezone(tz).utcoffset()
        if after != before:
            low, high = moment, moment + step  # narrow down to the minute
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if middle.astimezone(tz).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            found.append(high)
            before = after
        moment += step
    return found


def _byday(day: date) -> str:
    """The RRULE BYDAY of ``day`` in its month: ``-1SU`` when it is the last such weekday,
    else ``2SU`` (the second Sunday)."""
    name = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[day.weekday()]
    if (day + timedelta(days=7)).month != day.month:
        return f"-1{name}"
    return f"{(day.day - 1) // 7 + 1}{name}"


def _nth_weekday(year: int, month: int, byday: str) -> date:
    """The day ``byday`` (``-1SU``, ``2SU``...) names in ``month`` of ``year``."""
    weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU").index(byday[-2:])
    number = int(byday[:-2])
    if number > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (number - 1))
    last = (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


@lru_cache(maxsize=16)
def vtimezone(name: str, year: int) -> tuple[str, ...]:
    """The VTIMEZONE of zone ``name`` as yearly rules read from ``year``'s transitions
    (Europe/Brussels: CET from the last Sunday of October, CEST from the last Sunday of
    March). A zone without daylight-saving time has one STANDARD part."""
    tz = ZoneInfo(name)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{name}"]
    changes = _transitions(tz, year)
    if not changes:
        moment = datetime(year, 1, 1, tzinfo=UTC).astimezone(tz)
        offset = _offset(moment.utcoffset())
        lines += [
            "BEGIN:STANDARD",
            "DTSTART:19700101T000000",
            f"TZOFFSETFROM:{offset}",
            f"TZOFFSETTO:{offset}",
            f"TZNAME:{moment.tzname()}",
            "END:STANDARD",
        ]
    for change in changes:
        before = (change - timedelta(minutes=1)).astimezone(tz)
        after = change.astimezone(tz)
        kind = "DAYLIGHT" if after.dst() else "STANDARD"
        # DTSTART is the wall-clock time of the change in the offset before it.
        wall = change.astimezone(tz).replace(tzinfo=None) - (after.utcoffset() - before.utcoffset())
        byday = _byday(wall.date())
        first = datetime.combine(_nth_weekday(1970, wall.month, byday), wall.time())
        lines += [
            f"BEGIN:{kind}",
            f"DTSTART:{local_stamp(first)}",
            f"RRULE:FREQ=YEARLY;BYMONTH={wall.month};BYDAY={byday}",
            f"TZOFFSETFROM:{_offset(before.utcoffset())}",
            f"TZOFFSETTO:{_offset(after.utcoffset())}",
            f"TZNAME:{after.tzname()}",
            f"END:{kind}",
        ]
    lines.append("END:VTIMEZONE")
    return tuple(lines)
