"""Reads for the live-session pages (each a fixed number of queries)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, true, tuple_
from sqlalchemy.orm import Session, joinedload

from lms.accounts.models import User
from lms.learning import engine
from lms.live.access import LiveAccess
from lms.live.models import CANCELLED, WAITING, LiveRegistration, LiveSession


def holds_the_activity() -> ColumnElement[bool]:
    """A registration that counts for the activity: not on a cancelled date (unless the
    person took part, which stays a fact)."""
    return or_(LiveRegistration.status != CANCELLED, LiveRegistration.attended_at.is_not(None))


def _listed(access: LiveAccess) -> ColumnElement[bool]:
    """The dates shown to ``access``: trainers and coordinators see the dates they manage,
    cancelled ones too; a learner sees the open dates for them, and a cancelled one only if
    they had registered for it (it is shown as cancelled)."""
    if access.is_trainer:
        return true()
    conditions = []
    if access.managed:
        conditions.append(LiveSession.organisation_id.in_(access.managed))
    if access.enrolment is not None:
        for_them = [LiveSession.organisation_id.is_(None)]
        if access.user.organisation_id is not None:
            for_them.append(LiveSession.organisation_id == access.user.organisation_id)
        registered_there = (
            select(LiveRegistration.id)
            .where(
                LiveRegistration.session_id == LiveSession.id,
                LiveRegistration.user_id == access.user.id,
            )
            .exists()
        )
        conditions.append(
            and_(or_(*for_them), or_(LiveSession.cancelled_at.is_(None), registered_there))
        )
    return or_(*conditions) if conditions else false()


def sessions_of(session: Session, access: LiveAccess) -> list[LiveSession]:
    """The dates of the activity listed for ``access`` (see ``_listed``), earliest first."""
    return list(
        session.scalars(
            select(LiveSession)
            .options(joinedload(LiveSession.organisation))
            .where(
                LiveSession.course_id == access.course.course_id,
                LiveSession.activity_id == access.activity.id,
                _listed(access),
            )
            .order_by(LiveSession.starts_at, LiveSession.id)
        )
    )


def get_session(session: Session, access: LiveAccess, session_id: int) -> LiveSession | None:
    """The date if ``access`` sees it, else None (the view answers 404)."""
    live = session.get(LiveSession, session_id)
    if (
        live is None
        or live.course_id != access.course.course_id
        or live.activity_id != access.activity.id
        or not access.sees(live)
    ):
        return None
    return live


def my_registrations(
    session: Session, user_id: int, course_id: int, activity_id: str
) -> dict[int, LiveRegistration]:
    """The person's registrations for any date of the activity, by session id."""
    rows = session.scalars(
        select(LiveRegistration)
        .join(LiveSession, LiveSession.id == LiveRegistration.session_id)
        .where(
            LiveRegistration.user_id == user_id,
            LiveSession.course_id == course_id,
            LiveSession.activity_id == activity_id,
        )
    )
    return {r.session_id: r for r in rows}


def waiting_position(session: Session, registration: LiveRegistration) -> int:
    """1 for the first on the waiting list."""
    ahead = session.scalar(
        select(func.count(LiveRegistration.id)).where(
            LiveRegistration.session_id == registration.session_id,
            LiveRegistration.status == WAITING,
            tuple_(LiveRegistration.registered_at, LiveRegistration.id)
            < tuple_(registration.registered_at, registration.id),
        )
    )
    return (ahead or 0) + 1


def registrations_of(
    session: Session, access: LiveAccess, live: LiveSession
) -> list[LiveRegistration]:
    """Who registered for a date (registered first, then the waiting list in order). A
    coordinator sees only the people of their organisations."""
    query = (
        select(LiveRegistration)
        .options(joinedload(LiveRegistration.user))
        .join(User, User.id == LiveRegistration.user_id)
        .where(LiveRegistration.session_id == live.id)
        .order_by(LiveRegistration.status, LiveRegistration.registered_at, LiveRegistration.id)
    )
    if not access.is_trainer:
        query = query.where(User.organisation_id.in_(access.managed))
    return list(session.scalars(query))


# The completion engine's provider ----------------------------------------------------------


def live_started(user_id: Any, course_id: Any) -> ColumnElement[bool]:
    """SQL twin of ``live_progress`` for counting: a registration that holds the activity
    (registered or attended) is begun."""
    return (
        exists()
        .where(
            LiveRegistration.user_id == user_id,
            LiveSession.course_id == course_id,
            holds_the_activity(),
        )
        .where(LiveRegistration.session_id == LiveSession.id)
    )


def live_progress(
    session: Any, user_ids: Iterable[int] | Select, course_ids: Iterable[int]
) -> Mapping[tuple[int, int, str], engine.ActivityReport]:
    """Attended (completed) or registered (in progress) for every live activity, in one query
    for any number of people (``user_ids``: ids or a SELECT of ids)."""
    ids = list(course_ids)
    if not ids:
        return {}
    users = user_ids if isinstance(user_ids, Select) else list(user_ids)
    rows = session.execute(
        select(
            LiveRegistration.user_id,
            LiveSession.course_id,
            LiveSession.activity_id,
            func.max(LiveRegistration.attended_at),
        )
        .join(LiveRegistration, LiveRegistration.session_id == LiveSession.id)
        .where(
            LiveRegistration.user_id.in_(users),
            LiveSession.course_id.in_(ids),
            holds_the_activity(),
        )
        .group_by(LiveRegistration.user_id, LiveSession.course_id, LiveSession.activity_id)
    )
    return {
        (user_id, course_id, activity_id): (
            engine.ActivityReport(1.0, engine.COMPLETED)
            if attended is not None
            else engine.ActivityReport(0.0, engine.IN_PROGRESS)
        )
        for user_id, course_id, activity_id, attended in rows
    }
