"""iCalendar (RFC 5545) invitations, written by hand (``lms.core.ics``): one VEVENT, times
in UTC. Every change people are told about raises the event's SEQUENCE (same
UID), so a calendar replaces the event it has; a cancelled date is published with
``METHOD:CANCEL`` and ``STATUS:CANCELLED``, which removes or strikes it out.
"""

from __future__ import annotations

from datetime import datetime

from lms.core.db import utcnow
from lms.core.ics import PRODID, calendar, escape, utc_stamp


def invitation(
    *,
    uid: str,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    description: str = "",
    location: str = "",
    url: str = "",
    sequence: int = 0,
    cancelled: bool = False,
    now: datetime | None = None,
) -> str:
    """The text of a .ics file with one event; ``starts_at``/``ends_at`` are aware UTC."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID.format('Live sessions')}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'PUBLISH'}",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"SEQUENCE:{sequence}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        f"DTSTAMP:{utc_stamp(now or utcnow())}",
        f"DTSTART:{utc_stamp(starts_at)}",
        f"DTEND:{utc_stamp(ends_at)}",
        f"SUMMARY:{escape(summary)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape(description)}")
    if location:
        lines.append(f"LOCATION:{escape(location)}")
    if url:
        lines.append(f"URL:{url}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return calendar(lines)
