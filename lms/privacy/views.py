"""Privacy pages: "All my data" (page and JSON file) for everyone signed in; erasing a
person and the list of inactive accounts for administrators."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import BooleanField
from wtforms.validators import DataRequired

from lms.accounts.models import User
from lms.core.auth import admin_required
from lms.core.db import db
from lms.core.forms import LMSForm
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
from lms.privacy import export, retention
from lms.privacy.erasure import ErasureError, clean_up_after_erasure, erase_person

bp = Blueprint("privacy", __name__, template_folder="templates")


class EraseForm(LMSForm):
    confirm = BooleanField(
        _l("I understand that this cannot be undone"),
        validators=[DataRequired(_l("Tick the box to confirm that this cannot be undone."))],
    )


@bp.get("/profile/data")
@login_required
def my_data():
    data = export.collect(db.session, current_user)
    return render_template("lms/privacy/my_data.html", data=data)


@bp.get("/profile/data.json")
@login_required
def my_data_json():
    data = export.collect(db.session, current_user)
    response = Response(data.as_json(), mimetype="application/json")
    day = data.generated_at.date().isoformat()
    response.headers["Content-Disposition"] = f'attachment; filename="my-data-{day}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _erasable(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None or person.erased_at is not None:
        abort(404)
    return person


@bp.route("/admin/people/<id:user_id>/erase", methods=["GET", "POST"])
@admin_required
def erase(user_id: int):
    person = _erasable(user_id)
    form = EraseForm()
    if form.validate_on_submit():
        name = person.full_name
        try:
            report = erase_person(db.session, person, actor=current_user)
        except ErasureError as exc:
            form.confirm.errors = [str(exc)]
        else:
            db.session.commit()
            state = current_app.extensions["lms"]
            clean_up_after_erasure(
                state.engine,
                current_app.config["LMS_INSTANCE_PATH"],
                report,
                vacuum=current_app.config["LMS_ERASURE_VACUUM"],
            )
            flash(_("%(name)s has been erased.", name=name), "success")
            return redirect(url_for("lms.admin.people"))
    status = 422 if form.errors else 200
    own = person.id == current_user.id
    return render_template("lms/privacy/erase.html", person=person, form=form, own=own), status


@bp.get("/admin/retention", endpoint="retention")
@admin_required
def retention_list():
    try:
        days = retention.retention_days(current_app.config.get("LMS_RETENTION_INACTIVE_DAYS"))
    except retention.RetentionError as exc:
        return render_template("lms/privacy/retention.html", days=None, error=str(exc), people=[])
    people = retention.inactive_people(db.session, days) if days else []
    seen = retention.last_seen(db.session, people)
    return render_template(
        "lms/privacy/retention.html", days=days, error=None, people=people, seen=seen
    )
