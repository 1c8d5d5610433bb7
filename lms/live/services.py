"""Writes for live sessions: scheduling, changing and cancelling a date, registering with a
waiting list, attendance, reminders.

Seats: ``LiveSession.seats_taken`` counts the registered people. Registering takes a seat
with ONE conditional UPDATE (``seats_taken + 1 WHERE seats_taken < capacity``): the database
serialises updates of the row, so of two people asking for the last seat at the same moment
exactly one gets it and the other waits (PostgreSQL re-checks the condition after the first
commits; SQLite lets one writer at a time). Callers should start the transaction with it
(see ``views.register``), so that SQLite can wait for the lock instead of failing.

Changing, cancelling and registering all begin with one UPDATE of the date's row that
matches only an open date (not cancelled, not started): from then on the transaction holds
the row, so a cancellation and a registration at the same moment are put in order, and the
later one sees what the first did (a registration after a cancellation is refused; a
cancellation after a registration cancels that registration too).

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
from lms.core import audit
from lms.core.db import utcnow
from lms.learning.services import get_enrolment, record_activity_completion
from lms.live import dates
from lms.live.access import LiveAccess
from lms.live.models import CANCELLED, REGISTERED, WAITING, LiveRegistration, LiveSession
from lms.live.queries import holds_the_activity
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
    audit.record(
        session,
        "live_session.create",
        "live_session",
        live.id,
        actor_id=(actor or access.user).id,
        course_id=live.course_id,
        activity_id=live.activity_id,
        starts_at=live.starts_at.isoformat(),
        organisation_id=organisation_id,
    )
    return live


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


@dataclass(frozen=True)
class Changed:
    """What an edit did: the fields that changed, who moved up from the waiting list (they
    had the "you got a seat" e-mail) and how many others were told about the change."""

    fields: tuple[str, ...]
    promoted: tuple[LiveRegistration, ...] = ()
    told: int = 0


#: The fields of a date that people are told about when they change.
TOLD_FIELDS = ("starts_at", "ends_at", "place", "link", "notes")


def edit(
    session: Session,
    access: LiveAccess,
    live: LiveSession,
    *,
    starts_at: datetime,
    ends_at: datetime,
    place: str | None,
    link: str | None,
    capacity: int | None,
    notes: str = "",
    links: SessionLinks,
    at: datetime | None = None,
) -> Changed:
    """Change the time, place, link, seats or notes of a date that has not started.

    Fewer seats than people registered is refused ("capacity-below-registered": nobody loses
    a seat they were given); more seats move the waiting list up in order. Everyone
    registered or waiting is told by e-mail when the time, place, link or notes change (a
    change of seats alone tells only those who got one), and the invitation's sequence goes
    up so calendars replace the event. Call it at the start of a transaction (like
    ``register``)."""
    if not access.manages(live):
        raise LiveError("not-allowed")
    at = at or utcnow()
    if ends_at <= starts_at:
        raise LiveError("ends-before-start")
    if starts_at <= at:
        raise LiveError("start-in-past")
    if capacity is not None and capacity <= 0:
        raise LiveError("capacity")
    _hold_open_date(session, live, at)
    wanted = {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": _clean(place),
        "link": _clean(link),
        "capacity": capacity,
        "notes": (notes or "").strip(),
    }
    before = {name: getattr(live, name) for name in wanted}
    fields = tuple(name for name in wanted if wanted[name] != before[name])
    if not fields:
        return Changed(())
    if capacity is not None and capacity < live.seats_taken:
        raise LiveError("capacity-below-registered")
    for name in fields:
        setattr(live, name, wanted[name])
    live.sequence += 1
    people = _registered_and_waiting(session, live)
    if "starts_at" in fields:  # the reminder comes the day before the new date
        for registration in people:
            registration.reminded_at = None
    session.flush()
    promoted: list[LiveRegistration] = []
    if "capacity" in fields:
        while (moved := promote_waiting(session, access, live, links=links)) is not None:
            promoted.append(moved)
    told = 0
    if any(name in TOLD_FIELDS for name in fields):
        time_changed = "starts_at" in fields or "ends_at" in fields
        for registration in people:
            if registration in promoted:
                continue  # their e-mail already has the new details
            _mail(
                session,
                registration.user,
                live,
                access.course,
                "live_changed",
                links,
                waiting=registration.status == WAITING,
                time_changed=time_changed,
                **_old_time(registration.user, before),
            )
            told += 1
    audit.record(
        session,
        "live_session.edit",
        "live_session",
        live.id,
        actor_id=access.user.id,
        changes={name: [_plain(before[name]), _plain(wanted[name])] for name in fields},
        promoted=[r.user_id for r in promoted],
        told=told,
    )
    session.flush()
    session.refresh(live)
    return Changed(fields, tuple(promoted), told)


def _registered_and_waiting(session: Session, live: LiveSession) -> list[LiveRegistration]:
    return list(
        session.scalars(
            select(LiveRegistration)
            .where(
                LiveRegistration.session_id == live.id,
                LiveRegistration.status.in_((REGISTERED, WAITING)),
            )
            .order_by(LiveRegistration.registered_at, LiveRegistration.id)
        )
    )


def _old_time(user: User, before: dict) -> dict[str, str]:
    lang = user.preferred_language
    return {
        "old_day": dates.local_date(before["starts_at"], lang),
        "old_start": dates.local_time(before["starts_at"], lang),
    }


def _plain(value: object) -> object:
    """A value as the audit trail stores it (JSON)."""
    return value.isoformat() if isinstance(value, datetime) else value


def cancel(
    session: Session,
    access: LiveAccess,
    live: LiveSession,
    *,
    reason: str = "",
    links: SessionLinks,
    at: datetime | None = None,
) -> int:
    """Cancel a date that has not started: every seat is freed, nobody can register any
    more, no reminder goes out, and everyone registered or waiting is told by e-mail (with
    the reason, when given) and keeps seeing the date as cancelled. Returns how many people
    were told. Call it at the start of a transaction (like ``register``)."""
    if not access.manages(live):
        raise LiveError("not-allowed")
    at = at or utcnow()
    _hold_open_date(session, live, at)
    live.cancelled_at = at
    live.cancel_reason = (reason or "").strip()[:2000]
    live.sequence += 1
    live.seats_taken = 0
    people = _registered_and_waiting(session, live)
    counts = {REGISTERED: 0, WAITING: 0}
    for registration in people:
        counts[registration.status] += 1
        registration.status = CANCELLED
    session.flush()
    for registration in people:
        _mail(
            session,
            registration.user,
            live,
            access.course,
            "live_cancelled",
            links,
            reason=live.cancel_reason,
        )
    audit.record(
        session,
        "live_session.cancel",
        "live_session",
        live.id,
        actor_id=access.user.id,
        reason=live.cancel_reason,
        registered=counts[REGISTERED],
        waiting=counts[WAITING],
    )
    session.flush()
    return len(people)


# Registering -------------------------------------------------------------------------------


def _hold_open_date(session: Session, live: LiveSession, at: datetime) -> None:
    """Take the date's row for this transaction if the date is still open, else say why
    (see the module's docstring); ``live`` is then re-read as it is now."""
    result = session.execute(
        update(LiveSession)
        .where(
            LiveSession.id == live.id,
            LiveSession.cancelled_at.is_(None),
            LiveSession.starts_at > at,
        )
        .values(sequence=LiveSession.sequence)
        .execution_options(synchronize_session=False)
    )
    session.refresh(live)
    if result.rowcount != 1:
        raise LiveError("cancelled" if live.cancelled else "past")


def _take_seat(session: Session, live: LiveSession) -> bool:
    result = session.execute(
        update(LiveSession)
        .where(
            LiveSession.id == live.id,
            LiveSession.cancelled_at.is_(None),
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
    if live.cancelled:
        raise LiveError("cancelled")
    if live.starts_at <= at:
        raise LiveError("past")
    try:
        with session.begin_nested():
            # The writes come first (see the module's docstring).
            _hold_open_date(session, live, at)
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
                holds_the_activity(),
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
    if registration.status == CANCELLED:
        raise LiveError("cancelled")
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
    **extra: object,
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
        **extra,
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
    if live.cancelled:
        raise LiveError("cancelled")
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
    marked = [r.user.id for r in results if r.outcome in ("marked", "walk-in")]
    if marked:
        audit.record(
            session,
            "live_session.attendance",
            "live_session",
            live.id,
            actor_id=access.user.id,
            people=marked,
        )
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
            LiveSession.cancelled_at.is_(None),
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
