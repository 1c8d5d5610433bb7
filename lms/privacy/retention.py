"""Retention: accounts nobody used for ``LMS_RETENTION_INACTIVE_DAYS`` days are listed for
review (the administrators' page, ``lms users purge-inactive``) and then erased.

Inactive means: not erased, no sign-in and no learning activity (an enrolment's last
activity) since the cut-off day, and created before it. Administrators are never listed:
erasing the last of them would lock everyone out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from lms.accounts.models import RoleAssignment, User
from lms.core.db import utcnow
from lms.learning.models import Enrolment


class RetentionError(ValueError):
    """A retention setting that cannot be used; the message says what to do."""


def retention_days(value: object) -> int | None:
    """The configured number of days, or None when retention is off (0 or empty)."""
    if value in (None, "", 0, "0"):
        return None
    try:
        days = int(str(value))
    except ValueError:
        raise RetentionError(
            f"LMS_RETENTION_INACTIVE_DAYS must be a whole number of days, not {value!r}"
        ) from None
    if days < 30 or days > 36500:
        raise RetentionError("LMS_RETENTION_INACTIVE_DAYS must be between 30 and 36500 days")
    return days


def cutoff(days: int, now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(days=days)


def inactive_people_query(days: int, now: datetime | None = None) -> Select[tuple[User]]:
    since = cutoff(days, now)
    active_learning = exists().where(
        Enrolment.user_id == User.id, Enrolment.last_activity_at >= since
    )
    admin = exists().where(RoleAssignment.user_id == User.id, RoleAssignment.role == "admin")
    return (
        select(User)
        .where(
            User.erased_at.is_(None),
            User.created_at < since,
            or_(User.last_login_at.is_(None), User.last_login_at < since),
            ~active_learning,
            ~admin,
        )
        .order_by(func.coalesce(User.last_login_at, User.created_at), User.id)
    )


def last_seen(session: Session, people: list[User]) -> dict[int, datetime]:
    """Each person's latest sign-in or learning activity (or creation), for the list."""
    if not people:
        return {}
    ids = [p.id for p in people]
    learning = dict(
        session.execute(
            select(Enrolment.user_id, func.max(Enrolment.last_activity_at))
            .where(and_(Enrolment.user_id.in_(ids), Enrolment.last_activity_at.is_not(None)))
            .group_by(Enrolment.user_id)
        ).all()
    )
    seen = {}
    for person in people:
        moments = [
            m for m in (person.created_at, person.last_login_at, learning.get(person.id)) if m
        ]
        seen[person.id] = max(moments)
    return seen


def inactive_people(session: Session, days: int, now: datetime | None = None) -> list[User]:
    return list(session.scalars(inactive_people_query(days, now)))
