"""The pages of live activities: the dates, registering, the invitation, attendance."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from lms.catalog.queries import get_course_def
from lms.core.db import db, utcnow
from lms.core.forms import options
from lms.core.i18n import current_language
from lms.core.i18n import gettext as _
from lms.learning.engine import register_progress_provider
from lms.learning.queries import enrolment_view
from lms.learning.rendering import render_markdown
from lms.learning.views import course_language, register_activity_page
from lms.live import dates, ics, queries, services
from lms.live.access import LiveAccess, live_access
from lms.live.attendance_csv import UnreadableFile, mark_from_csv
from lms.live.forms import AttendanceUploadForm, ScheduleForm
from lms.live.models import LiveSession
from lms.organisations.queries import all_organisations

bp = Blueprint("live", __name__, template_folder="templates")

# At start-up (the extension imports every feature's views): live activities report
# attendance to the completion engine, and the course page links them here.
for _type in ("webinar", "session"):
    register_progress_provider(_type, queries.live_progress)
    register_activity_page(_type, "lms.live.activity")

ERRORS = {
    "not-allowed": lambda: _("You cannot register for this date."),
    "past": lambda: _("This date has passed."),
    "already-registered": lambda: _("You are already registered for this date."),
    "other-date": lambda: _("You are already registered for another date. Unregister there first."),
    "already-attended": lambda: _("You already took part in this activity."),
    "not-registered": lambda: _("You were not registered for this date."),
    "organisation-not-allowed": lambda: _("Choose one of your own organisations."),
    "ends-before-start": lambda: _("The end must be after the start."),
    "capacity": lambda: _("Enter a number above 0."),
}


@bp.context_processor
def _helpers() -> dict:
    lang = current_language()
    return {
        "render_markdown": render_markdown,
        "day": lambda value: dates.local_date(value, lang),
        "hour": lambda value: dates.local_time(value, lang),
        "when": lambda value: dates.local_datetime(value, lang),
    }


def _access(slug: str, activity_id: str) -> LiveAccess:
    course = get_course_def(db.session, slug)
    if course is None:
        abort(404)
    activity = course.activities_by_id.get(activity_id)
    if activity is None or activity.type not in ("webinar", "session"):
        abort(404)
    access = live_access(db.session, current_user, course, activity)
    if access is None:
        abort(403)
    return access


def _session(access: LiveAccess, session_id: int) -> LiveSession:
    live = queries.get_session(db.session, access, session_id)
    if live is None:
        abort(404)
    return live


def _links(slug: str, activity_id: str, live: LiveSession) -> services.SessionLinks:
    return services.SessionLinks(
        activity_url=url_for(".activity", slug=slug, activity_id=activity_id, _external=True),
        ics_url=url_for(
            ".invitation", slug=slug, activity_id=activity_id, session_id=live.id, _external=True
        ),
    )


def _common(access: LiveAccess) -> dict:
    return {
        "access": access,
        "course": access.course,
        "activity": access.activity,
        "module": access.course.modules_by_id[access.activity.module_id],
        "lang": course_language(access.course),
    }


@bp.get("/courses/<slug>/sessions/<activity_id>")
@login_required
def activity(slug: str, activity_id: str):
    access = _access(slug, activity_id)
    sessions = queries.sessions_of(db.session, access)
    mine = queries.my_registrations(
        db.session, current_user.id, access.course.course_id, access.activity.id
    )
    positions = {
        sid: queries.waiting_position(db.session, r)
        for sid, r in mine.items()
        if r.status == "waiting"
    }
    now = utcnow()
    return render_template(
        "lms/live/activity.html",
        **_common(access),
        view=enrolment_view(db.session, current_user.id, access.course),
        upcoming=[s for s in sessions if s.ends_at > now],
        past=[s for s in sessions if s.ends_at <= now],
        mine=mine,
        positions=positions,
        now=now,
    )


def _organisation_choices(access: LiveAccess) -> list:
    if access.is_trainer:
        organisations = all_organisations(db.session)
        pairs = [("", _("Everyone enrolled in the course"))]
    else:  # a coordinator: their own organisations only
        organisations = [o for o in all_organisations(db.session) if o.id in access.managed]
        pairs = []
    pairs += [(str(o.id), _("Only the staff of %(name)s", name=o.name)) for o in organisations]
    return options(pairs)


@bp.route("/courses/<slug>/sessions/<activity_id>/new", methods=["GET", "POST"])
@login_required
def schedule(slug: str, activity_id: str):
    access = _access(slug, activity_id)
    if not access.can_schedule:
        abort(403)
    settings = access.activity.settings
    form = ScheduleForm(
        data=None
        if request.method == "POST"
        else {
            "capacity": settings.get("capacity"),
        }
    )
    form.organisation.choices = _organisation_choices(access)
    if request.method == "POST" and form.validate():
        duration = timedelta(minutes=int(settings.get("duration_minutes") or 60))
        starts_at = dates.to_utc(form.day.data, form.start.data)
        ends_at = (
            dates.to_utc(form.day.data, form.end.data) if form.end.data else starts_at + duration
        )
        organisation_id = int(form.organisation.data) if form.organisation.data else None
        problem = None
        if access.activity.type == "webinar" and not form.link.data:
            form.link.errors.append(_("Enter the link to join the webinar."))
        elif access.activity.type == "session" and not form.place.data:
            form.place.errors.append(_("Enter the place of the session."))
        elif form.link.data and not form.link.data.startswith("https://"):
            form.link.errors.append(_("Enter an address starting with https://"))
        elif starts_at <= utcnow():
            form.day.errors.append(_("Choose a date in the future."))
        else:
            try:
                live = services.schedule(
                    db.session,
                    access,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    place=form.place.data,
                    link=form.link.data,
                    capacity=form.capacity.data,
                    organisation_id=organisation_id,
                    notes=form.notes.data or "",
                )
            except services.LiveError as exc:
                problem = str(exc)
            else:
                db.session.commit()
                flash(
                    _(
                        "The date is planned: %(when)s.",
                        when=dates.local_datetime(live.starts_at, current_language()),
                    ),
                    "success",
                )
                return redirect(url_for(".activity", slug=slug, activity_id=activity_id))
        if problem == "ends-before-start":
            form.end.errors.append(ERRORS[problem]())
        elif problem:
            form.organisation.errors.append(ERRORS[problem]())
    return render_template("lms/live/schedule.html", **_common(access), form=form), (
        422 if form.errors else 200
    )


@bp.post("/courses/<slug>/sessions/<activity_id>/<id:session_id>/register")
@login_required
def register(slug: str, activity_id: str, session_id: int):
    access = _access(slug, activity_id)
    live = _session(access, session_id)
    if not access.can_register:
        abort(403)
    # End the read-only part of the request: taking a seat must be the first statement of
    # its transaction, so that SQLite waits for a concurrent registration instead of failing
    # (see lms.live.services). Nothing has been written yet.
    db.session.commit()
    try:
        registration = services.register(db.session, access, live)
    except services.LiveError as exc:
        db.session.rollback()
        flash(ERRORS[str(exc)](), "error")
    else:
        db.session.commit()
        if registration.status == "registered":
            flash(
                _("You are registered. Add the date to your calendar with the invitation."),
                "success",
            )
        else:
            flash(
                _(
                    "This date is full: you are on the waiting list. When a seat frees up, "
                    "you get it automatically and we send you an e-mail."
                ),
                "success",
            )
    return redirect(
        url_for(".activity", slug=slug, activity_id=activity_id, _anchor=f"session-{live.id}")
    )


@bp.post("/courses/<slug>/sessions/<activity_id>/<id:session_id>/unregister")
@login_required
def unregister(slug: str, activity_id: str, session_id: int):
    access = _access(slug, activity_id)
    live = _session(access, session_id)
    db.session.commit()  # as for register: the seat changes hands in a fresh transaction
    try:
        services.unregister(db.session, access, live, links=_links(slug, activity_id, live))
    except services.LiveError as exc:
        db.session.rollback()
        flash(ERRORS[str(exc)](), "error")
    else:
        db.session.commit()
        flash(_("You are no longer registered for this date."), "success")
    return redirect(url_for(".activity", slug=slug, activity_id=activity_id))


@bp.get("/courses/<slug>/sessions/<activity_id>/<id:session_id>/invite.ics")
@login_required
def invitation(slug: str, activity_id: str, session_id: int):
    access = _access(slug, activity_id)
    live = _session(access, session_id)
    lang = course_language(access.course)
    course, activity = access.course, access.activity
    page = url_for(".activity", slug=slug, activity_id=activity_id, _external=True)
    description = "\n\n".join(
        part
        for part in (
            course.text(activity.description, lang) if activity.description else "",
            live.notes,
            live.link or "",
            page,
        )
        if part
    )
    text = ics.invitation(
        uid=f"live-{live.id}@{request.host.split(':')[0]}",
        starts_at=live.starts_at,
        ends_at=live.ends_at,
        summary=f"{course.text(activity.title, lang)} ({course.text(course.title, lang)})",
        description=description,
        location=live.place or live.link or "",
        url=live.link or page,
    )
    response = Response(text, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{activity_id}.ics"'
    return response


def _managed_session(slug: str, activity_id: str, session_id: int):
    access = _access(slug, activity_id)
    live = _session(access, session_id)
    if not access.manages(live):
        abort(403)
    return access, live


def _render_attendance(access, live, upload_form, report=None, status=200):
    return render_template(
        "lms/live/attendance.html",
        **_common(access),
        live=live,
        registrations=queries.registrations_of(db.session, access, live),
        upload_form=upload_form,
        report=report,
    ), status


@bp.route(
    "/courses/<slug>/sessions/<activity_id>/<id:session_id>/attendance", methods=["GET", "POST"]
)
@login_required
def attendance(slug: str, activity_id: str, session_id: int):
    access, live = _managed_session(slug, activity_id, session_id)
    if request.method == "POST":
        chosen = {int(v) for v in request.form.getlist("present") if v.isdigit()}
        people = [
            r.user
            for r in queries.registrations_of(db.session, access, live)
            if r.user_id in chosen
        ]
        if not people:
            flash(_("Tick the people who were there."), "error")
            return redirect(
                url_for(".attendance", slug=slug, activity_id=activity_id, session_id=live.id)
            )
        results = services.mark_attended(db.session, access, live, people)
        db.session.commit()
        count = sum(1 for r in results if r.outcome in ("marked", "walk-in"))
        flash(
            _("%(num)d people marked as present. The activity is completed for them.", num=count),
            "success",
        )
        return redirect(
            url_for(".attendance", slug=slug, activity_id=activity_id, session_id=live.id)
        )
    return _render_attendance(access, live, AttendanceUploadForm(formdata=None))


@bp.post("/courses/<slug>/sessions/<activity_id>/<id:session_id>/attendance/upload")
@login_required
def attendance_upload(slug: str, activity_id: str, session_id: int):
    access, live = _managed_session(slug, activity_id, session_id)
    form = AttendanceUploadForm()
    if not form.validate():
        return _render_attendance(access, live, form, status=422)
    try:
        report = mark_from_csv(db.session, access, live, form.file.data.read())
    except UnreadableFile:
        form.file.errors.append(_("This is not a CSV text file. Save it as \u201cCSV UTF-8\u201d."))
        return _render_attendance(access, live, form, status=422)
    db.session.commit()
    return _render_attendance(access, live, AttendanceUploadForm(formdata=None), report=report)
