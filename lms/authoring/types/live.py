"""Live activities: online webinars and in-person sessions (attendance is marked).

The course file declares the activity only; its dates (start, end, place or link, seats,
organisation) live in the database and are scheduled in the application or with
``lms sessions add`` (see ``lms.live``).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from lms.authoring.fields import FormatModel
from lms.authoring.registry import ActivityType


class LiveSettings(FormatModel):
    duration_minutes: int = Field(gt=0, description="Length of one session, in minutes.")
    capacity: int | None = Field(
        None, gt=0, description="Default seats per date (a date may change it); empty = no limit."
    )


class WebinarType(ActivityType):
    name = "webinar"
    description = "An online live session; done when attended."
    settings: ClassVar = LiveSettings


class SessionType(ActivityType):
    name = "session"
    description = "An in-person session (e.g. a collective follow-up); done when attended."
    settings: ClassVar = LiveSettings
