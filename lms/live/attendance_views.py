"""Attendance of a date: ticking who was there, or uploading a list (trainers, and
coordinators for their organisations' dates)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from lms.core.db import db
from lms.core.i18n import gettext as _
from lms.live import queries, services
from lms.live.attendance_csv import UnreadableFile, mark_from_csv
from lms.live.blueprint import bp, managed_session, page_context, refusal
from lms.live.forms import AttendanceUploadForm


def _render_attendance(access, live, upload_form, report=None, status=200):
    return render_template(
        "lms/live/attendance.html",
        **page_context(access),
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
    access, live = managed_session(slug, activity_id, session_id)
    back = redirect(url_for(".attendance", slug=slug, activity_id=activity_id, session_id=live.id))
    if request.method == "POST":
        chosen = {int(v) for v in request.form.getlist("present") if v.isdigit()}
        people = [
            r.user
            for r in queries.registrations_of(db.session, access, live)
            if r.user_id in chosen
        ]
        if not people:
            flash(_("Tick the people who were there."), "error")
            return back
        try:
            results = services.mark_attended(db.session, access, live, people)
        except services.LiveError as exc:
            db.session.rollback()
            flash(refusal(exc), "error")
            return back
        db.session.commit()
        count = sum(1 for r in results if r.outcome in ("marked", "walk-in"))
        flash(
            _("%(num)d people marked as present. The activity is completed for them.", num=count),
            "success",
        )
        return back
    return _render_attendance(access, live, AttendanceUploadForm(formdata=None))


@bp.post("/courses/<slug>/sessions/<activity_id>/<id:session_id>/attendance/upload")
@login_required
def attendance_upload(slug: str, activity_id: str, session_id: int):
    access, live = managed_session(slug, activity_id, session_id)
    form = AttendanceUploadForm()
    if not form.validate():
        return _render_attendance(access, live, form, status=422)
    if live.cancelled:
        form.file.errors.append(refusal("cancelled"))
        return _render_attendance(access, live, form, status=422)
    try:
        report = mark_from_csv(db.session, access, live, form.file.data.read())
    except UnreadableFile:
        form.file.errors.append(_("This is not a CSV text file. Save it as \u201cCSV UTF-8\u201d."))
        return _render_attendance(access, live, form, status=422)
    db.session.commit()
    return _render_attendance(access, live, AttendanceUploadForm(formdata=None), report=report)
