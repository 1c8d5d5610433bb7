"""iCalendar (RFC 5545) invitations, written by hand: one VEVENT, times in UTC.

Lines end in CRLF and are folded at 75 octets; text values escape backslash, semicolon,
comma and newlines. Every change people are told about raises the event's SEQUENCE (same
UID), so a calendar replaces the event it has; a cancelled date is published with
``METHOD:CANCEL`` and ``STATUS:CANCELLED``, which removes or strikes it out.
"""

from __future__ import annotations

from datetime import UTC, datetime

from lms.core.db import utcnow


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
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


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


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
        "PRODID:-//Connectoo LMS//Live sessions//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'PUBLISH'}",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"SEQUENCE:{sequence}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        f"DTSTAMP:{_stamp(now or utcnow())}",
        f"DTSTART:{_stamp(starts_at)}",
        f"DTEND:{_stamp(ends_at)}",
        f"SUMMARY:{_escape(summary)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{_escape(description)}")
    if location:
        lines.append(f"LOCATION:{_escape(location)}")
    if url:
        lines.append(f"URL:{url}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(_fold(line) + "\r\n" for line in lines)
