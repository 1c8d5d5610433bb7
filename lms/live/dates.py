"""Times are stored in UTC and shown, entered and sent in Belgian time (Europe/Brussels).

The zone is ``LMS_TIMEZONE``; the helpers take it explicitly so that services and commands
need no request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from flask import current_app, has_app_context

DEFAULT_ZONE = "Europe/Brussels"


def zone() -> ZoneInfo:
    name = current_app.config.get("LMS_TIMEZONE", DEFAULT_ZONE) if has_app_context() else None
    return ZoneInfo(name or DEFAULT_ZONE)


def to_utc(day: date, at: time, tz: ZoneInfo | None = None) -> datetime:
    """A wall-clock time in the local zone as an aware UTC datetime (DST handled by zoneinfo;
    in the hour that happens twice, the first one)."""
    return datetime.combine(day, at, tzinfo=tz or zone()).astimezone(UTC)


def to_local(value: datetime, tz: ZoneInfo | None = None) -> datetime:
    return value.astimezone(tz or zone())


#: "3 mrt 2027, 14:00": day, abbreviated month, year and time without seconds.
DATETIME_PATTERN = "d MMM y, HH:mm"


def local_datetime(value: datetime | None, language: str, form: str = DATETIME_PATTERN) -> str:
    """``value`` in local time, written the way ``language`` writes dates."""
    if value is None:
        return ""
    return format_datetime(value, format=form, tzinfo=zone(), locale=language)


def local_date(value: datetime, language: str, form: str = "full") -> str:
    return format_date(to_local(value), format=form, locale=language)


def local_time(value: datetime, language: str) -> str:
    return format_time(value, format="short", tzinfo=zone(), locale=language)


def template_helpers(language: str) -> dict[str, Callable[[datetime], str]]:
    """``day``, ``hour`` and ``when`` for pages: a stored UTC time as the reader writes it."""
    return {
        "day": lambda value: local_date(value, language),
        "hour": lambda value: local_time(value, language),
        "when": lambda value: local_datetime(value, language),
    }
