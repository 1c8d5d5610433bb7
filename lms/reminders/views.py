"""Reminder pages: a coordinator's preview and sending (from a filtered view of the people
table, or for one person from the drill-down), and a person's own preference."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.core.auth import role_required
from lms.core.db import db
from lms.core.i18n import current_language
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
from lms.learning.queries import my_enrolments
from lms.learning.statuses import STATUS_LABELS
from lms.organisations.queries import get_visible_person
from lms.reminders import services
from lms.reminders.forms import PreferenceForm
from lms.reminders.models import MANUAL, Reminder
from lms.reminders.queries import reminders_of
from lms.reporting.filters import OutOfScope, ReportFilters
from lms.reporting.person import register_person_section
from lms.reporting.views import status_settings

bp = Blueprint("reminders", __name__, template_folder="templates")

register_person_section("lms/reminders/_person.html", reminders_of)

#: Why a person is not reminded, as the preview says it.
REFUSALS = {
    services.NO_EMAIL: _l("No e-mail address"),
    services.ASKED_NONE: _l("Asked for no reminders about voluntary courses"),
    services.ASKED_ONLY_OVERDUE: _l(
        "Asked for reminders about voluntary courses only once they are overdue"
    ),
    services.ALREADY_TODAY: _l("Already reminded about this course today"),
    services.COMPLETED: _l("Finished the course"),
}


def _preview():
    filters = ReportFilters.from_args(request.args)
    try:
        return services.preview(
            db.session, current_user, filters, status_settings(), language=current_language()
        )
    except OutOfScope:
        abort(404)


@bp.get("/progress/reminders")
@role_required("manager")
def preview():
    """Who a reminder would reach, for the people table's filters in the URL."""
    return render_template(
        "lms/reminders/preview.html",
        preview=_preview(),
        refusals=REFUSALS,
        status_labels=STATUS_LABELS,
    )


@bp.post("/progress/reminders")
@role_required("manager")
def send():
    preview = _preview()
    settings = status_settings()
    only = {int(v) for v in request.form.getlist("enrolment") if v.isdigit() and len(v) < 12}
    courses = {c.course_id: c for c in preview.report.scope.courses}
    sent = services.send_preview(
        db.session, current_user, preview.to_remind, courses, today=settings.today, only=only
    )
    db.session.commit()
    flash(
        _(
            "%(num)d reminders are on their way. You find each one on the person's page.",
            num=sent,
        )
        if sent != 1
        else _("1 reminder is on its way. You find it on the person's page."),
        "success",
    )
    return redirect(url_for("lms.reporting.people", **preview.filters.query_args()))


@bp.post("/progress/people/<id:user_id>/remind")
@role_required("manager")
def remind_person(user_id: int):
    """Remind one person about one of their courses (from the drill-down)."""
    person = get_visible_person(db.session, current_user, user_id)
    if person is None:
        abort(404)
    raw = request.form.get("enrolment", "")
    settings = status_settings()
    views = my_enrolments(db.session, person.id, settings)
    view = next((v for v in views if raw.isdigit() and v.enrolment.id == int(raw)), None)
    if view is None:
        abort(404)
    already = db.session.scalar(
        select(Reminder.id).where(
            Reminder.enrolment_id == view.enrolment.id,
            Reminder.kind == MANUAL,
            Reminder.due_key == services.manual_key(settings.today),
        )
    )
    refusal = services.manual_refusal(
        view.status,
        person.email,
        services.frequency_of(db.session, person.id),
        already is not None,
    )
    if refusal is None:
        services.remind(
            db.session,
            enrolment_id=view.enrolment.id,
            person=person,
            course=view.course,
            status=view.status,
            kind=MANUAL,
            key=services.manual_key(settings.today),
            sender=current_user,
        )
        db.session.commit()
        flash(_("A reminder is on its way to %(name)s.", name=person.full_name), "success")
    else:
        flash(
            _(
                "No reminder was sent to %(name)s. Reason: %(reason)s.",
                name=person.full_name,
                reason=REFUSALS[refusal],
            ),
            "info",
        )
    return redirect(url_for("lms.reporting.person", user_id=person.id) + "#reminders")


@bp.route("/reminders/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    """How often the person wants reminders about voluntary courses."""
    form = PreferenceForm()
    if request.method == "GET":
        form.voluntary.data = services.frequency_of(db.session, current_user.id)
    if form.validate_on_submit():
        services.set_frequency(db.session, current_user, form.voluntary.data)
        db.session.commit()
        flash(_("Your choice is saved."), "success")
        return redirect(url_for("lms.learning.my_learning"))
    return (
        render_template("lms/reminders/preferences.html", form=form),
        422 if form.errors else 200,
    )
