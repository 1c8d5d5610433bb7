"""A learning plan as a calendar entry (RFC 5545, written with ``lms.core.ics``).

DTSTART and DTEND are wall-clock times with the plan's TZID and the calendar carries that
zone's VTIMEZONE, so a weekly plan stays at its time of day across daylight-saving changes;
RRULE is the plan's own rule (the same value the nudge job reads). A display alarm 10
minutes before, and the link back to the course.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from lms.core.db import utcnow
from lms.core.ics import PRODID, calendar, escape, local_stamp, utc_stamp, vtimezone
from lms.plans.models import LearningPlan


def plan_calendar(
    plan: LearningPlan,
    *,
    summary: str,
    description: str,
    location: str,
    url: str,
    alarm: str,
    now: datetime | None = None,
) -> str:
    start = datetime.combine(plan.start_date, plan.start_time)
    end = start + timedelta(minutes=plan.duration_minutes)
    tzid = plan.timezone
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID.format('Learning plans')}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        *vtimezone(tzid, plan.start_date.year),
        "BEGIN:VEVENT",
        f"UID:learning-plan-{plan.id}-{plan.enrolment_id}@connectoo-lms",
        # Raised by every change, so a calendar replaces the entry it has.
        f"SEQUENCE:{int((plan.updated_at - plan.created_at).total_seconds() // 60)}",
        f"DTSTAMP:{utc_stamp(now or utcnow())}",
        f"DTSTART;TZID={tzid}:{local_stamp(start)}",
        f"DTEND;TZID={tzid}:{local_stamp(end)}",
    ]
    if plan.rrule:
        lines.append(f"RRULE:{plan.rrule}")
    lines += [
        f"SUMMARY:{escape(summary)}",
        f"DESCRIPTION:{escape(description)}",
        f"LOCATION:{escape(location)}",
        f"URL:{url}",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{escape(alarm)}",
        "TRIGGER:-PT10M",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return calendar(lines)
