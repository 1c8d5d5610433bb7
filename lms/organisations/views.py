"""A coordinator's view of the people of the organisations they manage."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_

from lms.accounts.models import User
from lms.core.auth import role_required
from lms.core.db import db
from lms.core.i18n import gettext as _
from lms.core.pagination import paginate
from lms.core.params import int_arg, page_arg
from lms.organisations.invitations import InvitationError, invitation_states, invite
from lms.organisations.queries import (
    get_visible_person,
    organisations_visible_to,
    people_visible_to,
)

bp = Blueprint("organisations", __name__, template_folder="templates")

PAGE_SIZE = 50


@bp.before_request
@role_required("manager")
def _only_coordinators() -> None:
    """Coordinators (and administrators) only."""


@bp.get("/people")
def people():
    organisations = list(db.session.scalars(organisations_visible_to(current_user)))
    query = (
        people_visible_to(current_user)
        .where(User.organisation_id.in_([o.id for o in organisations]))
        .order_by(User.full_name, User.id)
    )
    search = (request.args.get("q") or "").strip()
    if search:
        like = f"%{search.lower()}%"
        query = query.where(or_(func.lower(User.full_name).like(like), User.email.like(like)))
    organisation_id = int_arg("organisation")
    if organisation_id:
        query = query.where(User.organisation_id == organisation_id)
    page = paginate(db.session, query, page_arg(), PAGE_SIZE)
    return render_template(
        "lms/organisations/people.html",
        page=page,
        organisations=organisations,
        search=search,
        organisation_id=organisation_id,
        invitations=invitation_states(db.session, page.items),
    )


@bp.get("/people/<id:user_id>")
def person(user_id: int):
    person = get_visible_person(db.session, current_user, user_id)
    if person is None:
        abort(404)  # not 403: do not even confirm that the person exists
    return render_template(
        "lms/organisations/person.html",
        person=person,
        invitation=invitation_states(db.session, [person]).get(person.id),
    )


@bp.post("/people/<id:user_id>/invite")
def invite_person(user_id: int):
    """Send (again) an invitation to a person of the coordinator's organisations."""
    person = get_visible_person(db.session, current_user, user_id)
    if person is None:
        abort(404)  # not 403: do not even confirm that the person exists
    try:
        invite(db.session, person, actor=current_user)
    except InvitationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("An invitation is on its way to %(email)s.", email=person.email), "success")
    target = request.form.get("back") == "list"
    return redirect(url_for(".people") if target else url_for(".person", user_id=person.id))
