"""Administrators register the platforms that may launch this tool, and see what to paste
into the platform."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from lms.core.auth import admin_required
from lms.core.db import db
from lms.core.forms import options
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
from lms.core.navigation import MenuEntry, register_menu_entry
from lms.lti.blueprint import bp
from lms.lti.forms import RegistrationForm
from lms.lti.models import LtiGradeLink, LtiRegistration, LtiScore
from lms.lti.services import RegistrationError, save_registration, tool_settings
from lms.organisations.models import Organisation

register_menu_entry(
    MenuEntry("lms.lti.registrations", lambda: str(_l("LTI platforms")), lambda u: u.is_admin)
)


def _organisation_choices(form: RegistrationForm) -> dict[str, Organisation]:
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.organisation.choices = options([("", _("Choose an organisation"))]) + options(
        (str(o.id), o.name) for o in organisations
    )
    return {str(o.id): o for o in organisations}


@bp.get("/admin/")
@admin_required
def registrations():
    rows = db.session.scalars(select(LtiRegistration).order_by(LtiRegistration.name)).all()
    waiting = dict(
        db.session.execute(
            select(LtiGradeLink.registration_id, func.count(LtiScore.id))
            .join(LtiScore, LtiScore.grade_link_id == LtiGradeLink.id)
            .where(LtiScore.sent_at.is_(None))
            .group_by(LtiGradeLink.registration_id)
        ).all()
    )
    return render_template(
        "lms/lti/registrations.html",
        registrations=rows,
        waiting=waiting,
        settings=tool_settings(),
    )


def _form_page(form: RegistrationForm, registration: LtiRegistration | None):
    by_id = _organisation_choices(form)
    if form.validate_on_submit():
        try:
            saved = save_registration(
                db.session,
                registration,
                name=form.name.data,
                issuer=form.issuer.data,
                client_id=form.client_id.data,
                auth_login_url=form.auth_login_url.data,
                auth_token_url=form.auth_token_url.data,
                key_set_url=form.key_set_url.data,
                deployment_ids=form.deployment_ids.data,
                organisation=by_id[form.organisation.data],
                active=form.active.data,
                actor_id=current_user.id,
            )
        except RegistrationError as error:
            db.session.rollback()
            _organisation_choices(form)
            getattr(form, error.field).errors.append(str(error))
        else:
            db.session.commit()
            flash(_("%(name)s is saved.", name=saved.name), "success")
            return redirect(url_for(".registrations"))
    return render_template(
        "lms/lti/registration_form.html",
        form=form,
        registration=registration,
        settings=tool_settings(),
    ), 422 if form.errors else 200


@bp.route("/admin/new", methods=["GET", "POST"])
@admin_required
def registration_new():
    return _form_page(RegistrationForm(), None)


@bp.route("/admin/<id:registration_id>", methods=["GET", "POST"])
@admin_required
def registration(registration_id: int):
    found = db.session.get(LtiRegistration, registration_id)
    if found is None:
        abort(404)
    form = RegistrationForm(obj=found if request.method == "GET" else None)
    if request.method == "GET":
        form.deployment_ids.data = " ".join(found.deployment_ids)
        form.organisation.data = str(found.organisation_id)
    return _form_page(form, found)
