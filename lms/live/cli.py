"""``lms sessions ...``: plan dates of live activities, list them, send the reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from sqlalchemy import select

from lms.accounts.models import User
from lms.catalog.queries import get_course_def
from lms.core.db import db
from lms.live import dates, services
from lms.live.access import LIVE_TYPES, LiveAccess
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
    actor = None
    if by_login:
        actor = db.session.scalar(select(User).where(User.email == by_login.lower()))
        if actor is None:
            raise click.BadParameter(f"nobody with e-mail {by_login!r}", param_hint="--by")
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
        )


@sessions_group.command("remind")
@with_appcontext
def remind_cmd() -> None:
    """Queue the reminder e-mail for dates that start tomorrow (run daily from cron).

    Mail is sent by `lms mail send`; nobody is reminded twice."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with app.test_request_context(base_url=app.config["LMS_BASE_URL"]):
        count = services.send_reminders(
            db.session,
            links_for=lambda slug, live: services.SessionLinks(
                activity_url=url_for(
                    "lms.live.activity", slug=slug, activity_id=live.activity_id, _external=True
                ),
                ics_url=url_for(
                    "lms.live.invitation",
                    slug=slug,
                    activity_id=live.activity_id,
                    session_id=live.id,
                    _external=True,
                ),
            ),
        )
        db.session.commit()
    click.echo(f"{count} reminder(s) queued")
