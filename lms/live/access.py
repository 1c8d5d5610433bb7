"""Who may see, register for, schedule and manage the dates of a live activity.

- A learner enrolled in the course sees the dates open to everyone and those of their own
  organisation, and registers for one of them.
- A coordinator (manager) schedules dates for the staff of the organisations they manage
  (the collective follow-up moment) and marks attendance there; they never see another
  organisation's dates or people.
- Trainers and administrators schedule dates for everyone or for one organisation, and mark
  attendance everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.catalog.readmodel import ActivityDef, CourseDef
from lms.learning.models import Enrolment
from lms.learning.services import get_enrolment
from lms.live.models import LiveSession

LIVE_TYPES = ("webinar", "session")


@dataclass(frozen=True)
class LiveAccess:
    course: CourseDef
    activity: ActivityDef
    user: User
    enrolment: Enrolment | None
    is_trainer: bool
    managed: frozenset[int]

    @property
    def can_register(self) -> bool:
        return self.enrolment is not None

    @property
    def can_schedule(self) -> bool:
        return self.is_trainer or bool(self.managed)

    def sees(self, live: LiveSession) -> bool:
        if self.is_trainer or self.manages(live):
            return True
        return self.enrolment is not None and live.organisation_id in (
            None,
            self.user.organisation_id,
        )

    def manages(self, live: LiveSession) -> bool:
        """May mark attendance and see who registered."""
        return self.is_trainer or (
            live.organisation_id is not None and live.organisation_id in self.managed
        )

    def may_schedule_for(self, organisation_id: int | None) -> bool:
        if self.is_trainer:
            return True
        return organisation_id is not None and organisation_id in self.managed


def live_access(
    session: Session, user: User, course: CourseDef, activity: ActivityDef
) -> LiveAccess | None:
    """What ``user`` may do with the dates of ``activity``; None: nothing at all."""
    if activity.type not in LIVE_TYPES:
        return None
    enrolment = get_enrolment(session, user.id, course.course_id)
    is_trainer = user.is_admin or user.has_role("trainer")
    managed = frozenset(user.managed_organisation_ids)
    if enrolment is None and not is_trainer and not managed:
        return None
    return LiveAccess(course, activity, user, enrolment, is_trainer, managed)
