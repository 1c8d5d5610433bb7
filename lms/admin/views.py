"""Administration: organisations, departments, people and roles (administrators only)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, or_, select

from lms.accounts.models import User
from lms.accounts.services import (
    AccountError,
    RoleSpec,
    create_user,
    deactivate_user,
    move_user,
    reactivate_user,
    set_roles,
    update_profile,
)
from lms.admin.forms import DepartmentForm, OrganisationForm, PersonForm
from lms.core.auth import admin_required
from lms.core.db import db
from lms.core.forms import options
from lms.core.i18n import gettext as _
from lms.core.pagination import paginate
from lms.core.params import int_arg, page_arg
from lms.organisations.invitations import InvitationError, invitation_states, invite
from lms.organisations.models import LEVEL_LABELS, Department, Organisation
from lms.organisations.queries import all_organisations, people_visible_to
from lms.organisations.services import (
    OrganisationError,
    add_department,
    create_organisation,
    rename_department,
    slugify,
    update_organisation,
)
from lms.sso.services import SSOSettingsError, clean_domains, sso_of
from lms.sso.services import configure as configure_sso

bp = Blueprint("admin", __name__, template_folder="templates")

PAGE_SIZE = 50


@bp.before_request
@admin_required
def _only_admins() -> None:
    """Every page here is for administrators (a coordinator gets 403)."""


@bp.get("/")
def index():
    counts = {
        "organisations": db.session.scalar(select(func.count()).select_from(Organisation)),
        "people": db.session.scalar(select(func.count()).select_from(User)),
        "active": db.session.scalar(
            select(func.count()).select_from(User).where(User.active.is_(True))
        ),
    }
    return render_template("lms/admin/index.html", counts=counts)


# Organisations and departments ---------------------------------------------------------------


@bp.get("/organisations")
def organisations():
    rows = db.session.execute(
        select(Organisation, func.count(User.id))
        .outerjoin(User, User.organisation_id == Organisation.id)
        .group_by(Organisation.id)
        .order_by(Organisation.name)
    ).all()
    return render_template("lms/admin/organisations.html", rows=rows, level_labels=LEVEL_LABELS)


def _organisation_name_taken(name: str, except_id: int | None = None) -> bool:
    query = (
        select(func.count())
        .select_from(Organisation)
        .where(
            or_(
                func.lower(Organisation.name) == name.strip().lower(),
                Organisation.slug == slugify(name),
            )
        )
    )
    if except_id is not None:
        query = query.where(Organisation.id != except_id)
    return bool(db.session.scalar(query))


def _parent_choices(form: OrganisationForm, organisation: Organisation | None) -> None:
    """Every other organisation may be chosen; the service refuses levels that do not fit
    and circles (an organisation inside one of its own parts)."""
    others = [
        o for o in all_organisations(db.session) if organisation is None or o.id != organisation.id
    ]
    form.parent.choices = options([("", _("None"))]) + options((str(o.id), o.name) for o in others)
    if organisation is not None and not form.is_submitted():
        form.parent.data = str(organisation.parent_id or "")


def _sso_choices(form: OrganisationForm, organisation: Organisation | None) -> None:
    """The providers of ``LMS_SSO_PROVIDERS``; on GET, the organisation's current settings."""
    providers = current_app.config.get("LMS_SSO_PROVIDERS") or {}
    form.sso_provider.choices = options([("", _("None: people log in with a password"))]) + (
        options((key, str(raw.get("label") or key)) for key, raw in sorted(providers.items()))
    )
    if form.is_submitted():
        return
    current = sso_of(db.session, organisation)
    if current is not None:
        form.sso_provider.data = current.provider
        form.sso_domains.data = ", ".join(current.domain_names)
        form.sso_create_accounts.data = current.create_accounts
        form.sso_passwords_off.data = current.passwords_off


def _save_sso(form: OrganisationForm, organisation: Organisation) -> None:
    """Raises ``SSOSettingsError`` (nothing saved) for settings that cannot work."""
    provider = form.sso_provider.data or None
    configure_sso(
        db.session,
        organisation,
        provider=provider,
        domains=clean_domains(form.sso_domains.data or "") if provider else [],
        create_accounts=bool(form.sso_create_accounts.data),
        passwords_off=bool(form.sso_passwords_off.data),
        actor_id=current_user.id,
    )


def _chosen_parent(form: OrganisationForm) -> Organisation | None:
    value = (form.parent.data or "").strip()
    return db.session.get(Organisation, int(value)) if value.isdigit() else None


@bp.route("/organisations/new", methods=["GET", "POST"])
def organisation_new():
    form = OrganisationForm()
    _parent_choices(form, None)
    _sso_choices(form, None)
    if form.validate_on_submit():
        if _organisation_name_taken(form.name.data):
            form.name.errors.append(_("An organisation with this name already exists."))
        else:
            try:
                organisation = create_organisation(
                    db.session,
                    form.name.data,
                    level=form.level.data,
                    parent=_chosen_parent(form),
                    actor_id=current_user.id,
                )
                _save_sso(form, organisation)
            except OrganisationError as error:
                db.session.rollback()
                form.parent.errors.append(str(error))
            except SSOSettingsError as error:
                db.session.rollback()
                getattr(form, error.field).errors.append(str(error))
            else:
                db.session.commit()
                flash(_("%(name)s is added.", name=organisation.name), "success")
                return redirect(url_for(".organisation", organisation_id=organisation.id))
    return render_template(
        "lms/admin/organisation_form.html", form=form, organisation=None
    ), 422 if form.errors else 200


def _get_organisation(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


@bp.route("/organisations/<id:organisation_id>", methods=["GET", "POST"])
def organisation(organisation_id: int):
    organisation = _get_organisation(organisation_id)
    form = OrganisationForm(obj=organisation)
    _parent_choices(form, organisation)
    _sso_choices(form, organisation)
    department_form = DepartmentForm(prefix="department")
    if form.validate_on_submit():
        if _organisation_name_taken(form.name.data, except_id=organisation.id):
            form.name.errors.append(_("An organisation with this name already exists."))
        else:
            try:
                update_organisation(
                    db.session,
                    organisation,
                    name=form.name.data,
                    level=form.level.data,
                    parent=_chosen_parent(form),
                    actor_id=current_user.id,
                )
                _save_sso(form, organisation)
            except OrganisationError as error:
                db.session.rollback()
                form.parent.errors.append(str(error))
            except SSOSettingsError as error:
                db.session.rollback()
                getattr(form, error.field).errors.append(str(error))
            else:
                db.session.commit()
                flash(_("The changes are saved."), "success")
                return redirect(url_for(".organisation", organisation_id=organisation.id))
    return render_template(
        "lms/admin/organisation_form.html",
        form=form,
        organisation=organisation,
        department_form=department_form,
    ), 422 if form.errors else 200


@bp.post("/organisations/<id:organisation_id>/departments")
def department_new(organisation_id: int):
    organisation = _get_organisation(organisation_id)
    form = OrganisationForm(obj=organisation, formdata=None)
    department_form = DepartmentForm(prefix="department")
    if department_form.validate():
        name = department_form.name.data.strip()
        if any(d.name.lower() == name.lower() for d in organisation.departments):
            department_form.name.errors.append(
                _("%(org)s already has a department with this name.", org=organisation.name)
            )
        else:
            add_department(db.session, organisation, name, actor_id=current_user.id)
            db.session.commit()
            flash(_("%(name)s is added.", name=name), "success")
            return redirect(url_for(".organisation", organisation_id=organisation.id))
    return render_template(
        "lms/admin/organisation_form.html",
        form=form,
        organisation=organisation,
        department_form=department_form,
    ), 422


@bp.route("/departments/<id:department_id>", methods=["GET", "POST"])
def department(department_id: int):
    department = db.session.get(Department, department_id)
    if department is None:
        abort(404)
    form = DepartmentForm(obj=department)
    if form.validate_on_submit():
        name = form.name.data.strip()
        if any(
            d.name.lower() == name.lower() and d.id != department.id
            for d in department.organisation.departments
        ):
            form.name.errors.append(
                _(
                    "%(org)s already has a department with this name.",
                    org=department.organisation.name,
                )
            )
        else:
            rename_department(db.session, department, name, actor_id=current_user.id)
            db.session.commit()
            flash(_("The changes are saved."), "success")
            return redirect(url_for(".organisation", organisation_id=department.organisation_id))
    return render_template(
        "lms/admin/department_form.html", form=form, department=department
    ), 422 if form.errors else 200


# People ----------------------------------------------------------------------------------------


@bp.get("/people")
def people():
    query = people_visible_to(current_user).order_by(User.full_name, User.id)
    search = (request.args.get("q") or "").strip()
    if search:
        like = f"%{search.lower()}%"
        query = query.where(
            or_(
                func.lower(User.full_name).like(like),
                User.email.like(like),
                User.username.like(like),
            )
        )
    organisation_id = int_arg("organisation")
    if organisation_id:
        query = query.where(User.organisation_id == organisation_id)
    page = paginate(db.session, query, page_arg(), PAGE_SIZE)
    return render_template(
        "lms/admin/people.html",
        page=page,
        search=search,
        organisation_id=organisation_id,
        organisations=all_organisations(db.session),
    )


def _fill_choices(form: PersonForm, organisations: list[Organisation]) -> None:
    form.organisation.choices = options(
        [("", _("No organisation"))] + [(str(o.id), o.name) for o in organisations]
    )
    form.department.choices = options([("", _("No department"))]) + [
        choice
        for o in organisations
        for choice in options(((str(d.id), d.name) for d in o.departments), optgroup=o.name)
    ]
    form.managed_organisations.choices = options((str(o.id), o.name) for o in organisations)


def _read_person_form(form: PersonForm):
    organisation = (
        db.session.get(Organisation, int(form.organisation.data))
        if form.organisation.data
        else None
    )
    department = (
        db.session.get(Department, int(form.department.data)) if form.department.data else None
    )
    if department is not None and organisation is None:
        organisation = department.organisation
    roles = [RoleSpec(r) for r in form.roles.data or []]
    roles += [RoleSpec("manager", int(o)) for o in form.managed_organisations.data or []]
    return organisation, department, roles


@bp.route("/people/new", methods=["GET", "POST"])
def person_new():
    organisations = all_organisations(db.session)
    form = PersonForm()
    _fill_choices(form, organisations)
    if request.method == "GET":
        form.roles.data = ["learner"]
    if form.validate_on_submit():
        organisation, department, roles = _read_person_form(form)
        try:
            person = create_user(
                db.session,
                full_name=form.full_name.data,
                email=form.email.data,
                username=form.username.data,
                organisation=organisation,
                department=department,
                roles=roles,
                language=form.preferred_language.data,
                kind=form.kind.data or "staff",
                actor=current_user,
            )
        except AccountError as exc:
            db.session.rollback()
            getattr(form, exc.field or "full_name").errors.append(str(exc))
        else:
            message = _("%(name)s is added.", name=person.full_name)
            if form.send_invitation.data and person.email:
                try:
                    invite(db.session, person, actor=current_user)
                except InvitationError as exc:  # their organisation signs them in itself
                    message += " " + str(exc)
                else:
                    message += " " + _(
                        "An invitation is on its way to %(email)s.", email=person.email
                    )
            elif form.send_invitation.data:
                message += " " + _(
                    "There is no e-mail address, so no invitation was sent. "
                    "Give them a password yourself."
                )
            db.session.commit()
            flash(message, "success")
            return redirect(url_for(".person", user_id=person.id))
    return render_template(
        "lms/admin/person_form.html", form=form, person=None, invitation=None
    ), 422 if form.errors else 200


@bp.route("/people/<id:user_id>", methods=["GET", "POST"])
def person(user_id: int):
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    organisations = all_organisations(db.session)
    form = PersonForm(obj=person)
    _fill_choices(form, organisations)
    if request.method == "GET" or "organisation" not in request.form:
        # (A POST without the field keeps the person where they are; WTForms would otherwise
        # hand over the Organisation object itself.)
        form.organisation.data = str(person.organisation_id or "")
    if request.method == "GET" or "department" not in request.form:
        form.department.data = str(person.department_id or "")
    if request.method == "GET":
        form.roles.data = sorted(person.roles - {"manager"})
        form.managed_organisations.data = [str(i) for i in person.managed_organisation_ids]
    if form.validate_on_submit():
        organisation, department, roles = _read_person_form(form)
        try:
            update_profile(
                db.session,
                person,
                full_name=form.full_name.data,
                email=form.email.data,
                username=form.username.data,
                language=form.preferred_language.data,
                kind=form.kind.data or None,
                actor=current_user,
            )
            move_user(db.session, person, organisation, department, actor=current_user)
            if person.id == current_user.id and not any(r.role == "admin" for r in roles):
                raise AccountError(_("You cannot take away your own administrator role."), "roles")
            set_roles(db.session, person, roles, actor=current_user)
        except AccountError as exc:
            db.session.rollback()
            getattr(form, exc.field or "full_name").errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The changes are saved."), "success")
            return redirect(url_for(".person", user_id=person.id))
    return render_template(
        "lms/admin/person_form.html",
        form=form,
        person=person,
        invitation=invitation_states(db.session, [person]).get(person.id),
    ), 422 if form.errors else 200


@bp.post("/people/<id:user_id>/deactivate")
def person_deactivate(user_id: int):
    person = db.session.get(User, user_id) or abort(404)
    try:
        deactivate_user(db.session, person, actor=current_user)
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(
            _("%(name)s can no longer log in. Their history is kept.", name=person.full_name),
            "success",
        )
    return redirect(url_for(".person", user_id=user_id))


@bp.post("/people/<id:user_id>/reactivate")
def person_reactivate(user_id: int):
    person = db.session.get(User, user_id) or abort(404)
    reactivate_user(db.session, person, actor=current_user)
    db.session.commit()
    flash(_("%(name)s can log in again.", name=person.full_name), "success")
    return redirect(url_for(".person", user_id=user_id))
