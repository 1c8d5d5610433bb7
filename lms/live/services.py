"""Writes for live sessions: scheduling, registering with a waiting list, attendance,
reminders.

Seats: ``LiveSession.seats_taken`` counts the registered people. Registering takes a seat
with ONE conditional UPDATE (``seats_taken + 1 WHERE seats_taken < capacity``): the database
serialises updates of the row, so of two people asking for the last seat at the same moment
exactly one gets it and the other waits (PostgreSQL re-checks the condition after the first
commits; SQLite lets one writer at a time). Callers should start the transaction with it
(see ``views.register``), so that SQLite can wait for the lock instead of failing.

Services flush and never commit. Mail goes to the outbox (``lms mail send``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.catalog.queries import get_current_course_defs
from lms.catalog.readmodel import CourseDef
from lms.core.db import utcnow
from lms.learning.services import get_enrolment, record_activity_completion
from lms.live import dates
from lms.live.access import LiveAccess
from lms.live.models import REGISTERED, WAITING, LiveRegistration, LiveSession
from lms.mail.services import queue_mail
from lms.xapi import builder


class LiveError(ValueError):
    """An action that cannot be done; ``str(exc)`` is a key the view turns into a sentence."""


# Scheduling --------------------------------------------------------------------------------


def schedule(
    session: Session,
    access: LiveAccess,
    *,
    starts_at: datetime,
    ends_at: datetime,
    place: str | None = None,
    link: str | None = None,
    capacity: int | None = None,
    organisation_id: int | None = None,
    notes: str = "",
    actor: User | None = None,
) -> LiveSession:
    if not access.may_schedule_for(organisation_id):
        raise LiveError("organisation-not-allowed")
    if ends_at <= starts_at:
        raise LiveError("ends-before-start")
    if capacity is not None and capacity <= 0:
        raise LiveError("capacity")
    live = LiveSession(
        course_id=access.course.course_id,
        activity_id=access.activity.id,
        starts_at=starts_at,
        ends_at=ends_at,
        place=(place or "").strip() or None,
        link=(link or "").strip() or None,
        capacity=capacity,
        organisation_id=organisation_id,
        notes=notes.strip(),
        created_by_id=(actor or access.user).id,
        seats_taken=0,
    )
    session.add(live)
    session.flush()
    return live


# Registering -------------------------------------------------------------------------------


def _take_seat(session: Session, live: LiveSession) -> bool:
    result = session.execute(
        update(LiveSession)
        .where(
            LiveSession.id == live.id,
            or_(LiveSession.capacity.is_(None), LiveSession.seats_taken < LiveSession.capacity),
        )
        .values(seats_taken=LiveSession.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _add_seat(session: Session, live: LiveSession) -> None:
    """A seat for someone marked present (it may go beyond the capacity: they were there)."""
    session.execute(
        update(LiveSession)
        .where(LiveSession.id == live.id)
        .values(seats_taken=LiveSession.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )


def _free_seat(session: Session, live: LiveSession) -> None:
    session.execute(
        update(LiveSession)
        .where(LiveSession.id == live.id, LiveSession.seats_taken > 0)
        .values(seats_taken=LiveSession.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


def register(
    session: Session, access: LiveAccess, live: LiveSession, *, at: datetime | None = None
) -> LiveRegistration:
    """Register the person for ``live``: a seat if one is free, else the waiting list."""
    at = at or utcnow()
    if not access.can_register or not access.sees(live):
        raise LiveError("not-allowed")
    if live.starts_at <= at:
        raise LiveError("past")
    try:
        with session.begin_nested():
            # The write comes first (see the module's docstring).
            seated = _take_seat(session, live)
            registration = LiveRegistration(
                session_id=live.id,
                user_id=access.user.id,
                status=REGISTERED if seated else WAITING,
                registered_at=at,
            )
            session.add(registration)
            session.flush()
    except IntegrityError:  # already registered (a double click)
        raise LiveError("already-registered") from None
    others = [
        r
        for r in _registrations_for_activity(session, access.user.id, live)
        if r.session_id != live.id
    ]
    if others:  # one date per activity: undo and say why
        session.delete(registration)
        if registration.status == REGISTERED:
            _free_seat(session, live)
        session.flush()
        attended = any(r.attended_at is not None for r in others)
        raise LiveError("already-attended" if attended else "other-date")
    session.refresh(live)
    return registration


def _registrations_for_activity(
    session: Session, user_id: int, live: LiveSession
) -> list[LiveRegistration]:
    return list(
        session.scalars(
            select(LiveRegistration)
            .join(LiveSession, LiveSession.id == LiveRegistration.session_id)
            .where(
                LiveRegistration.user_id == user_id,
                LiveSession.course_id == live.course_id,
                LiveSession.activity_id == live.activity_id,
            )
        )
    )


@dataclass(frozen=True)
class SessionLinks:
    """Addresses put in e-mails (made by the caller, which knows the URL map)."""

    activity_url: str
    ics_url: str


def unregister(
    session: Session,
    access: LiveAccess,
    live: LiveSession,
    *,
    links: SessionLinks,
    at: datetime | None = None,
) -> LiveRegistration | None:
    """Remove the person's registration. A freed seat goes to the first on the waiting list,
    who is told by e-mail; returns that person's registration (or None)."""
    at = at or utcnow()
    registration = session.scalar(
        select(LiveRegistration).where(
            LiveRegistration.session_id == live.id, LiveRegistration.user_id == access.user.id
        )
    )
    if registration is None:
        raise LiveError("not-registered")
    if registration.attended_at is not None:
        raise LiveError("already-attended")
    if live.starts_at <= at:
        raise LiveError("past")
    was_seated = registration.status == REGISTERED
    session.delete(registration)
    session.flush()
    promoted = None
    if was_seated:
        _free_seat(session, live)
        promoted = promote_waiting(session, access, live, links=links)
    session.refresh(live)
    return promoted


def promote_waiting(
    session: Session, access: LiveAccess, live: LiveSession, *, links: SessionLinks
) -> LiveRegistration | None:
    """Give a free seat to the first person waiting, and tell them."""
    first = session.scalar(
        select(LiveRegistration)
        .where(LiveRegistration.session_id == live.id, LiveRegistration.status == WAITING)
        .order_by(LiveRegistration.registered_at, LiveRegistration.id)
        .limit(1)
    )
    if first is None or not _take_seat(session, live):
        return None
    first.status = REGISTERED
    session.flush()
    _mail(session, first.user, live, access.course, "live_promoted", links)
    return first


def _mail(
    session: Session,
    user: User,
    live: LiveSession,
    course: CourseDef,
    template: str,
    links: SessionLinks,
) -> None:
    if not user.email or not user.active:
        return
    activity = course.activities_by_id.get(live.activity_id)
    lang = user.preferred_language
    content_lang = lang if lang in course.languages else course.default_language
    queue_mail(
        session,
        recipient=user.email,
        template=template,
        language=lang,
        name=user.full_name,
        title=course.text(activity.title, content_lang) if activity else live.activity_id,
        course_title=course.text(course.title, content_lang),
        day=dates.local_date(live.starts_at, lang),
        start=dates.local_time(live.starts_at, lang),
        end=dates.local_time(live.ends_at, lang),
        place=live.place,
        link=live.link,
        activity_url=links.activity_url,
        ics_url=links.ics_url,
    )


# Attendance --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Marked:
    user: User
    outcome: str  # "marked", "already", "walk-in", "not-enrolled"


def mark_attended(
    session: Session,
    access: LiveAccess,
    live: LiveSession,
    users: Iterable[User],
    *,
    at: datetime | None = None,
) -> list[Marked]:
    """Mark people as present: the activity is completed for them (recorded once) and an
    ``attended`` statement goes out. Someone who came without registering is added."""
    if not access.manages(live):
        raise LiveError("not-allowed")
    at = at or utcnow()
    course, activity = access.course, access.activity
    results = []
    for user in users:
        enrolment = get_enrolment(session, user.id, course.course_id)
        if enrolment is None:
            results.append(Marked(user, "not-enrolled"))
            continue
        registration = session.scalar(
            select(LiveRegistration).where(
                LiveRegistration.session_id == live.id, LiveRegistration.user_id == user.id
            )
        )
        outcome = "marked"
        if registration is None:
            registration = LiveRegistration(
                session_id=live.id, user_id=user.id, status=REGISTERED, registered_at=at
            )
            session.add(registration)
            _add_seat(session, live)
            outcome = "walk-in"
        elif registration.attended_at is not None:
            results.append(Marked(user, "already"))
            continue
        elif registration.status == WAITING:
            registration.status = REGISTERED
            _add_seat(session, live)
        registration.attended_at = at
        registration.marked_by_id = access.user.id
        session.flush()
        record_activity_completion(session, enrolment, user, course, activity.id, at=at)
        statement = builder.attended(
            enrolment=enrolment,
            user=user,
            course=course,
            activity=activity,
            at=at,
            duration=live.ends_at - live.starts_at,
        )
        builder.enqueue(session, statement, user_id=user.id, enrolment_id=enrolment.id)
        results.append(Marked(user, outcome))
    session.refresh(live)
    return results


# Reminders ---------------------------------------------------------------------------------


def send_reminders(
    session: Session,
    *,
    now: datetime | None = None,
    links_for: Callable[[str, LiveSession], SessionLinks],
) -> int:
    """Queue the reminder for every registered person of a date that starts before the end
    of tomorrow (Belgian time) and who has not had one; returns how many were queued.
    Run it daily (``lms sessions remind``); running it again sends nothing twice."""
    now = now or utcnow()
    tomorrow = dates.to_local(now).date() + timedelta(days=1)
    end_of_tomorrow = dates.to_utc(tomorrow + timedelta(days=1), datetime.min.time())
    rows = session.execute(
        select(LiveRegistration, LiveSession)
        .join(LiveSession, LiveSession.id == LiveRegistration.session_id)
        .where(
            and_(LiveSession.starts_at > now, LiveSession.starts_at < end_of_tomorrow),
            LiveRegistration.status == REGISTERED,
            LiveRegistration.reminded_at.is_(None),
        )
        .order_by(LiveSession.starts_at, LiveRegistration.id)
    ).all()
    courses = get_current_course_defs(session, {live.course_id for _, live in rows})
    count = 0
    for registration, live in rows:
        registration.reminded_at = now
        course = courses.get(live.course_id)
        if course is None:
            continue
        _mail(
            session, registration.user, live, course, "live_reminder", links_for(course.slug, live)
        )
        count += 1
    session.flush()
    return count
