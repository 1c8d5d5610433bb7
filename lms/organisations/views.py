"""A coordinator's view of the people of the organisations they manage."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_

from lms.accounts.models import ROLES, User
from lms.core.auth import role_required
from lms.core.db import db
from lms.core.forms import options
from lms.core.i18n import gettext as _
from lms.core.pagination import paginate
from lms.core.params import int_arg, page_arg
from lms.organisations.forms import PeopleImportForm
from lms.organisations.invitations import (
    InvitationError,
    invitable,
    invitation_states,
    invite,
)
from lms.organisations.people_import import CsvImportError, import_users
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


#: The largest CSV file accepted (a few thousand people).
MAX_IMPORT_BYTES = 2_000_000


@bp.route("/people/import", methods=["GET", "POST"])
def import_people():
    """A coordinator adds people to one of their organisations from a CSV file (all rows or
    none), and may e-mail each an invitation to choose a password."""
    organisations = list(db.session.scalars(organisations_visible_to(current_user)))
    form = PeopleImportForm()
    form.organisation.choices = options((str(o.id), o.name) for o in organisations)
    problems = []
    if form.validate_on_submit():
        organisation = next(o for o in organisations if str(o.id) == form.organisation.data)
        data = form.file.data.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            form.file.errors.append(_("The file is too large. Split it into smaller files."))
        else:
            try:
                people = import_users(
                    db.session,
                    data,
                    actor=current_user,
                    organisation=organisation,
                    allowed_roles=ROLES if current_user.is_admin else ("learner",),
                )
            except CsvImportError as exc:
                db.session.rollback()
                problems = exc.problems
            else:
                invited = (
                    [p for p in people if invitable(db.session, p)] if form.invite.data else []
                )
                for person in invited:
                    invite(db.session, person, actor=current_user)
                db.session.commit()
                message = _(
                    "%(n)d people are added to %(org)s.", n=len(people), org=organisation.name
                )
                if form.invite.data:
                    message += " " + _("%(n)d invitations are on their way.", n=len(invited))
                flash(message, "success")
                return redirect(url_for(".people", organisation=organisation.id))
    status = 422 if form.errors or problems else 200
    return render_template("lms/organisations/import.html", form=form, problems=problems), status
