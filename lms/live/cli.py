"""``lms sessions ...``: plan, change and cancel dates of live activities, list them, send
the reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from lms.accounts.models import User
from lms.catalog.queries import get_course_def, get_current_course_defs
from lms.core.db import db
from lms.live import dates, services
from lms.live.access import LIVE_TYPES, LiveAccess
from lms.live.blueprint import change_date, session_links
from lms.live.models import LiveSession
from lms.organisations.queries import find_organisation


@click.group("sessions")
def sessions_group() -> None:
    """Dates of webinars and in-person sessions."""


def _parse_start(value: str) -> datetime:
    for form in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"):
        try:
            return datetime.strptime(value, form)
        except ValueError:
            continue
    raise click.BadParameter("use YYYY-MM-DD HH:MM (Belgian time)", param_hint="--start")


@sessions_group.command("add")
@click.argument("course")
@click.argument("activity")
@click.option("--start", required=True, help="Start, Belgian time: 'YYYY-MM-DD HH:MM'.")
@click.option(
    "--minutes",
    type=click.IntRange(min=1),
    help="Length; default: the activity's duration_minutes.",
)
@click.option("--place", help="Address and room (in-person session).")
@click.option("--link", help="https:// link to join (webinar).")
@click.option(
    "--capacity",
    type=click.IntRange(min=1),
    help="Seats; default: the activity's capacity (none: no limit).",
)
@click.option("--organisation", help="Only for the staff of this organisation (name or slug).")
@click.option("--by", "by_login", help="E-mail of the trainer or coordinator who plans it.")
@with_appcontext
def add_cmd(course, activity, start, minutes, place, link, capacity, organisation, by_login):
    """Plan a date of ACTIVITY (a webinar or session) of COURSE."""
    course_def = get_course_def(db.session, course)
    if course_def is None:
        raise click.BadParameter(f"no course {course!r}", param_hint="COURSE")
    activity_def = course_def.activities_by_id.get(activity)
    if activity_def is None or activity_def.type not in LIVE_TYPES:
        raise click.BadParameter(
            f"{activity!r} is not a webinar or session of {course}", param_hint="ACTIVITY"
        )
    if link and not link.startswith("https://"):
        raise click.BadParameter("the link must start with https://", param_hint="--link")
    org = None
    if organisation:
        org = find_organisation(db.session, organisation)
        if org is None:
            raise click.BadParameter(
                f"no organisation {organisation!r}", param_hint="--organisation"
            )
    actor = _actor(by_login)
    local = _parse_start(start)
    starts_at = dates.to_utc(local.date(), local.time())
    length = minutes or int(activity_def.settings.get("duration_minutes") or 60)
    if capacity is None:
        capacity = activity_def.settings.get("capacity")
    # The command line is the operator's: it may plan for anyone, like a trainer.
    access = LiveAccess(course_def, activity_def, actor or _operator(), None, True, frozenset())
    live = services.schedule(
        db.session,
        access,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=length),
        place=place,
        link=link,
        capacity=capacity,
        organisation_id=org.id if org else None,
        actor=actor,
    )
    db.session.commit()
    click.echo(
        f"planned #{live.id}: {course} {activity} "
        f"{dates.to_local(live.starts_at):%Y-%m-%d %H:%M}-{dates.to_local(live.ends_at):%H:%M}"
        f" ({'everyone' if org is None else org.name}, "
        f"{'no limit' if capacity is None else f'{capacity} seats'})"
    )


def _actor(by_login: str | None) -> User | None:
    if not by_login:
        return None
    actor = db.session.scalar(select(User).where(User.email == by_login.lower()))
    if actor is None:
        raise click.BadParameter(f"nobody with e-mail {by_login!r}", param_hint="--by")
    return actor


class _Operator:
    """The person behind the command line when ``--by`` is not given (no row in the DB)."""

    id = None
    organisation_id = None


def _operator():
    return _Operator()


@sessions_group.command("list")
@click.argument("course", required=False)
@with_appcontext
def list_cmd(course):
    """List planned dates (of COURSE, or of every course), with seats taken."""
    query = select(LiveSession).order_by(LiveSession.starts_at)
    if course:
        course_def = get_course_def(db.session, course)
        if course_def is None:
            raise click.BadParameter(f"no course {course!r}", param_hint="COURSE")
        query = query.where(LiveSession.course_id == course_def.course_id)
    for live in db.session.scalars(query):
        seats = "no limit" if live.capacity is None else f"{live.seats_taken}/{live.capacity}"
        click.echo(
            f"#{live.id} {live.activity_id} {dates.to_local(live.starts_at):%Y-%m-%d %H:%M} "
            f"{seats} {live.organisation.name if live.organisation else 'everyone'}"
            + (" CANCELLED" if live.cancelled else "")
        )


def _links_context():
    """A request context on ``LMS_BASE_URL``, for the addresses put in e-mails."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return app.test_request_context(base_url=app.config["LMS_BASE_URL"])


@sessions_group.command("remind")
@with_appcontext
def remind_cmd() -> None:
    """Queue the reminder e-mail for dates that start tomorrow (run daily from cron).

    Mail is sent by `lms mail send`; nobody is reminded twice."""
    with _links_context():
        count = services.send_reminders(db.session, links_for=session_links)
        db.session.commit()
    click.echo(f"{count} reminder(s) queued")


def _date_and_access(session_id: int, by_login: str | None) -> tuple[LiveSession, LiveAccess]:
    """The date #``session_id`` and the operator's access to it (like a trainer's)."""
    live = db.session.get(LiveSession, session_id)
    if live is None:
        raise click.BadParameter(f"no date #{session_id}", param_hint="ID")
    course = get_current_course_defs(db.session, [live.course_id]).get(live.course_id)
    activity = course.activities_by_id.get(live.activity_id) if course else None
    if course is None or activity is None:
        raise click.BadParameter(
            f"date #{session_id} belongs to an activity that no longer exists", param_hint="ID"
        )
    actor = _actor(by_login)
    return live, LiveAccess(course, activity, actor or _operator(), None, True, frozenset())


def _refused(exc: services.LiveError) -> click.ClickException:
    return click.ClickException(REFUSALS.get(str(exc), str(exc)))


#: The services' refusals, said for the command line.
REFUSALS = {
    "cancelled": "this date is cancelled",
    "past": "this date has started or passed",
    "ends-before-start": "the end must be after the start",
    "start-in-past": "choose a start in the future",
    "capacity-below-registered": "more people are registered than that many seats",
}


@sessions_group.command("edit")
@click.argument("session_id", metavar="ID", type=int)
@click.option("--start", help="New start, Belgian time: 'YYYY-MM-DD HH:MM'.")
@click.option("--minutes", type=click.IntRange(min=1), help="New length in minutes.")
@click.option("--place", help="New address and room.")
@click.option("--link", help="New https:// link to join.")
@click.option("--capacity", type=click.IntRange(min=1), help="New number of seats.")
@click.option("--no-limit", is_flag=True, help="No limit on the number of seats.")
@click.option("--by", "by_login", help="E-mail of the trainer or coordinator who changes it.")
@with_appcontext
def edit_cmd(session_id, start, minutes, place, link, capacity, no_limit, by_login):
    """Change date ID (see `lms sessions list`); the people registered or waiting are told."""
    if capacity is not None and no_limit:
        raise click.UsageError("give --capacity or --no-limit, not both")
    if link and not link.startswith("https://"):
        raise click.BadParameter("the link must start with https://", param_hint="--link")
    live, access = _date_and_access(session_id, by_login)
    starts_at = live.starts_at
    if start:
        local = _parse_start(start)
        starts_at = dates.to_utc(local.date(), local.time())
    length = timedelta(minutes=minutes) if minutes else live.ends_at - live.starts_at
    with _links_context():
        try:
            changed = change_date(
                services.edit,
                access,
                live,
                starts_at=starts_at,
                ends_at=starts_at + length,
                place=live.place if place is None else place,
                link=live.link if link is None else link,
                capacity=None if no_limit else (capacity or live.capacity),
                notes=live.notes,
            )
        except services.LiveError as exc:
            raise _refused(exc) from None
    if not changed.fields:
        click.echo(f"#{live.id}: nothing changed")
        return
    click.echo(
        f"changed #{live.id}: {', '.join(changed.fields)}; "
        f"{changed.told} told, {len(changed.promoted)} moved up from the waiting list"
    )


@sessions_group.command("cancel")
@click.argument("session_id", metavar="ID", type=int)
@click.option("--reason", default="", help="Why (put in the e-mail to the people registered).")
@click.option("--by", "by_login", help="E-mail of the trainer or coordinator who cancels it.")
@with_appcontext
def cancel_cmd(session_id, reason, by_login):
    """Cancel date ID (see `lms sessions list`); the people registered or waiting are told."""
    live, access = _date_and_access(session_id, by_login)
    with _links_context():
        try:
            told = change_date(services.cancel, access, live, reason=reason)
        except services.LiveError as exc:
            raise _refused(exc) from None
    click.echo(f"cancelled #{live.id}: {told} people told")
