"""A plan in words, the way the reader writes days and times."""

from __future__ import annotations

from datetime import datetime, timedelta

from babel.dates import format_date, format_time, get_day_names
from babel.lists import format_list

from lms.core.i18n import gettext as _
from lms.plans.recurrence import WEEKDAYS, When

PLACE_WORDS = {
    "desk": "At my desk",
    "home": "At home",
    "training_room": "In the training room",
}


def describe_when(when: When, language: str) -> str:
    """ "Every Monday and Thursday, 09:00 to 09:30" / "Wednesday 3 March 2027, 18:30 to
    19:00" (wall-clock times of the plan's zone)."""
    start = datetime.combine(when.start_date, when.start_time)
    end = start + timedelta(minutes=when.duration_minutes)
    hours = _(
        "%(start)s to %(end)s",
        start=format_time(start, "short", locale=language),
        end=format_time(end, "short", locale=language),
    )
    if not when.weekdays:
        return _(
            "%(day)s, %(hours)s",
            day=format_date(when.start_date, "full", locale=language),
            hours=hours,
        )
    names = get_day_names("wide", locale=language)
    days = format_list([names[WEEKDAYS.index(code)] for code in when.weekdays], locale=language)
    if when.interval == 1:
        return _("Every %(days)s, %(hours)s", days=days, hours=hours)
    return _(
        "Every %(num)d weeks on %(days)s, %(hours)s",
        num=when.interval,
        days=days,
        hours=hours,
    )
