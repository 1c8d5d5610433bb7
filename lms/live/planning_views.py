"""Planning, changing and cancelling the dates of a live activity (trainers, and
coordinators for their own organisations: ``LiveAccess.manages``)."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from lms.core.db import db, utcnow
from lms.core.forms import options
from lms.core.i18n import current_language, ngettext
from lms.core.i18n import gettext as _
from lms.live import dates, services
from lms.live.access import LiveAccess
from lms.live.blueprint import (
    bp,
    change_date,
    get_access,
    managed_session,
    page_context,
    refusal,
)
from lms.live.forms import CancelForm, EditSessionForm, ScheduleForm
from lms.live.models import REGISTERED, WAITING, LiveSession
from lms.live.queries import registrations_of
from lms.organisations.queries import all_organisations


def _organisation_choices(access: LiveAccess) -> list:
    if access.is_trainer:
        organisations = all_organisations(db.session)
        pairs = [("", _("Everyone enrolled in the course"))]
    else:  # a coordinator: their own organisations only
        organisations = [o for o in all_organisations(db.session) if o.id in access.managed]
        pairs = []
    pairs += [(str(o.id), _("Only the staff of %(name)s", name=o.name)) for o in organisations]
    return options(pairs)


def _entered(form: ScheduleForm, access: LiveAccess) -> dict | None:
    """What the form says about the date, as the services take it, after the checks every
    date needs; None when something is wrong (the error is then on its field)."""
    duration = timedelta(minutes=int(access.activity.settings.get("duration_minutes") or 60))
    starts_at = dates.to_utc(form.day.data, form.start.data)
    ends_at = dates.to_utc(form.day.data, form.end.data) if form.end.data else starts_at + duration
    if access.activity.type == "webinar" and not form.link.data:
        form.link.errors.append(_("Enter the link to join the webinar."))
    elif access.activity.type == "session" and not form.place.data:
        form.place.errors.append(_("Enter the place of the session."))
    elif form.link.data and not form.link.data.startswith("https://"):
        form.link.errors.append(_("Enter an address starting with https://"))
    elif starts_at <= utcnow():
        form.day.errors.append(_("Choose a date in the future."))
    else:
        return {
            "starts_at": starts_at,
            "ends_at": ends_at,
            "place": form.place.data,
            "link": form.link.data,
            "capacity": form.capacity.data,
            "notes": form.notes.data or "",
        }
    return None


def _field_for(form: ScheduleForm, problem: str):
    """The field a service's refusal is about (shown next to it and in the summary)."""
    name = {
        "ends-before-start": "end",
        "start-in-past": "day",
        "capacity": "capacity",
        "capacity-below-registered": "capacity",
        "organisation-not-allowed": "organisation",
    }.get(problem, "day")
    return form[name]


def _back(slug: str, activity_id: str, live: LiveSession | None = None):
    anchor = f"session-{live.id}" if live is not None else None
    return redirect(url_for(".activity", slug=slug, activity_id=activity_id, _anchor=anchor))


@bp.route("/courses/<slug>/sessions/<activity_id>/new", methods=["GET", "POST"])
@login_required
def schedule(slug: str, activity_id: str):
    access = get_access(slug, activity_id)
    if not access.can_schedule:
        abort(403)
    form = ScheduleForm(
        data=None
        if request.method == "POST"
        else {"capacity": access.activity.settings.get("capacity")}
    )
    form.organisation.choices = _organisation_choices(access)
    if request.method == "POST" and form.validate() and (entered := _entered(form, access)):
        try:
            live = services.schedule(
                db.session,
                access,
                organisation_id=int(form.organisation.data) if form.organisation.data else None,
                **entered,
            )
        except services.LiveError as exc:
            _field_for(form, str(exc)).errors.append(refusal(exc))
        else:
            db.session.commit()
            flash(
                _(
                    "The date is planned: %(when)s.",
                    when=dates.local_datetime(live.starts_at, current_language()),
                ),
                "success",
            )
            return _back(slug, activity_id)
    return render_template("lms/live/schedule.html", **page_context(access), form=form), (
        422 if form.errors else 200
    )


def _still_open(live: LiveSession) -> str | None:
    """Why a date can no longer be changed or cancelled, or None."""
    if live.cancelled:
        return "cancelled"
    if live.starts_at <= utcnow():
        return "past"
    return None


def _edit_data(live: LiveSession) -> dict:
    start, end = dates.to_local(live.starts_at), dates.to_local(live.ends_at)
    return {
        "day": start.date(),
        "start": start.time(),
        "end": end.time(),
        "place": live.place,
        "link": live.link,
        "capacity": live.capacity,
        "notes": live.notes,
    }


def _edited_message(changed: services.Changed) -> str:
    parts = [_("The date is changed.")]
    if changed.told:
        parts.append(
            ngettext(
                "%(num)d person gets an e-mail about it.",
                "%(num)d people get an e-mail about it.",
                changed.told,
            )
        )
    if changed.promoted:
        parts.append(
            ngettext(
                "%(num)d person from the waiting list got a seat.",
                "%(num)d people from the waiting list got a seat.",
                len(changed.promoted),
            )
        )
    return " ".join(parts)


def _open_date(slug: str, activity_id: str, session_id: int) -> tuple[LiveAccess, LiveSession]:
    """A date the person manages and that can still change; else back to the dates, with
    the reason."""
    access, live = managed_session(slug, activity_id, session_id)
    if problem := _still_open(live):
        flash(refusal(problem), "error")
        abort(_back(slug, activity_id, live))
    return access, live


@bp.route("/courses/<slug>/sessions/<activity_id>/<id:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, activity_id: str, session_id: int):
    access, live = _open_date(slug, activity_id, session_id)
    form = EditSessionForm(data=None if request.method == "POST" else _edit_data(live))
    if request.method == "POST" and form.validate() and (entered := _entered(form, access)):
        try:
            changed = change_date(services.edit, access, live, **entered)
        except services.LiveError as exc:
            problem = str(exc)
            if problem in ("cancelled", "past"):
                flash(refusal(problem), "error")
                return _back(slug, activity_id, live)
            if problem == "capacity-below-registered":
                message = ngettext(
                    "%(num)d person is registered. Enter %(num)d seats or more, or leave it "
                    "empty for no limit.",
                    "%(num)d people are registered. Enter %(num)d seats or more, or leave it "
                    "empty for no limit.",
                    live.seats_taken,
                )
            else:
                message = refusal(problem)
            _field_for(form, problem).errors.append(message)
        else:
            if changed.fields:
                flash(_edited_message(changed), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return _back(slug, activity_id, live)
    return render_template("lms/live/edit.html", **page_context(access), live=live, form=form), (
        422 if form.errors else 200
    )


@bp.route("/courses/<slug>/sessions/<activity_id>/<id:session_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(slug: str, activity_id: str, session_id: int):
    access, live = _open_date(slug, activity_id, session_id)
    form = CancelForm()
    if request.method == "POST" and form.validate():
        try:
            told = change_date(services.cancel, access, live, reason=form.reason.data or "")
        except services.LiveError as exc:
            flash(refusal(exc), "error")
        else:
            flash(
                ngettext(
                    "The date is cancelled. %(num)d person gets an e-mail about it.",
                    "The date is cancelled. %(num)d people get an e-mail about it.",
                    told,
                ),
                "success",
            )
        return _back(slug, activity_id, live)
    statuses = [r.status for r in registrations_of(db.session, access, live)]
    return render_template(
        "lms/live/cancel.html",
        **page_context(access),
        live=live,
        form=form,
        registered=statuses.count(REGISTERED),
        waiting=statuses.count(WAITING),
    ), (422 if form.errors else 200)
