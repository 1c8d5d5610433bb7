"""Assignment rules for coordinators: listed, made, changed and ended on one page each."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.models import User
from lms.assignments import listeners, queries, services
from lms.assignments.forms import RuleForm, RuleTermsForm
from lms.assignments.models import DUE_FIXED, AssignmentRule
from lms.catalog.queries import get_current_course_defs
from lms.core.auth import role_required
from lms.core.db import db
from lms.core.forms import options
from lms.core.i18n import current_language
from lms.core.i18n import gettext as _
from lms.learning.statuses import local_today
from lms.organisations.models import Department
from lms.organisations.queries import organisations_visible_to, people_visible_to

bp = Blueprint("assignments", __name__, template_folder="templates")

#: The largest id the database holds: a larger one in a URL is simply not found.
MAX_ID = 2**63 - 1

# The extension imports every feature blueprint at start-up: from then on a person created,
# imported or moved gets the assignments of their place (connecting twice changes nothing).
listeners.connect()


@bp.before_request
@role_required("manager")
def _only_coordinators() -> None:
    """Coordinators (and administrators) only."""


def _course_title(course) -> str:
    lang = current_language()
    return course.text(course.title, lang if lang in course.languages else course.default_language)


def _rule_or_404(rule_id: int) -> AssignmentRule:
    rule = (
        queries.get_visible_rule(db.session, current_user, rule_id) if rule_id <= MAX_ID else None
    )
    if rule is None:
        abort(404)
    return rule


@bp.get("/")
def rules():
    show_ended = request.args.get("ended") == "1"
    found = list(
        db.session.scalars(queries.rules_visible_to(current_user, include_ended=show_ended))
    )
    courses = get_current_course_defs(db.session)
    counts = queries.active_counts(db.session, [r.id for r in found])
    return render_template(
        "lms/assignments/rules.html",
        rules=found,
        counts=counts,
        course_titles={cid: _course_title(c) for cid, c in courses.items()},
        show_ended=show_ended,
    )


def _scope():
    organisations = list(db.session.scalars(organisations_visible_to(current_user)))
    ids = [o.id for o in organisations]
    departments = list(
        db.session.scalars(
            select(Department)
            .where(Department.organisation_id.in_(ids))
            .order_by(Department.organisation_id, Department.name)
        )
    )
    people = list(
        db.session.scalars(
            people_visible_to(current_user)
            .where(User.active.is_(True), User.organisation_id.in_(ids))
            .order_by(User.full_name, User.id)
        )
    )
    return organisations, departments, people


def _check_date(form: RuleTermsForm) -> bool:
    today = local_today(current_app.config["LMS_TIMEZONE"])
    if form.due_kind.data == DUE_FIXED and form.due_date.data and form.due_date.data < today:
        form.due_date.errors = [_("The date is in the past. Choose today or a later day.")]
        return False
    return True


@bp.route("/new", methods=["GET", "POST"])
def new_rule():
    organisations, departments, people = _scope()
    if not organisations:
        abort(403)
    several = len(organisations) > 1
    names = {o.id: o.name for o in organisations}
    courses = sorted(get_current_course_defs(db.session).values(), key=lambda c: c.slug)
    form = RuleForm()
    form.course.choices = options((c.slug, _course_title(c)) for c in courses)
    form.organisation.choices = options((str(o.id), o.name) for o in organisations)
    form.departments.choices = options(
        (str(d.id), f"{names[d.organisation_id]}: {d.name}" if several else d.name)
        for d in departments
    )
    form.people.choices = options(
        (
            str(p.id),
            f"{p.full_name} ({names[p.organisation_id]}"
            + (f", {p.department.name})" if p.department else ")"),
        )
        for p in people
    )
    if request.method == "GET" and request.args.get("course"):
        form.course.data = request.args["course"]
    if form.validate_on_submit() and _check_date(form):
        course = next(c for c in courses if c.slug == form.course.data)
        targets = []
        if form.target.data == "organisation":
            chosen = next((o for o in organisations if str(o.id) == form.organisation.data), None)
            if chosen is None:
                form.organisation.errors = [_("Choose the organisation.")]
            else:
                targets = [(chosen, None, None)]
        elif form.target.data == "departments":
            picked = set(form.departments.data or [])
            targets = [
                (next(o for o in organisations if o.id == d.organisation_id), d, None)
                for d in departments
                if str(d.id) in picked
            ]
            if not targets:
                form.departments.errors = [_("Choose at least one department.")]
        else:
            picked = set(form.people.data or [])
            targets = [
                (next(o for o in organisations if o.id == p.organisation_id), None, p)
                for p in people
                if str(p.id) in picked
            ]
            if not targets:
                form.people.errors = [_("Choose at least one person.")]
        if targets:
            total = services.Applied()
            for organisation, department, person in targets:
                _rule, applied = services.create_rule(
                    db.session,
                    organisation=organisation,
                    course=course,
                    department=department,
                    person=person,
                    mandatory=form.mandatory.data == "mandatory",
                    due_kind=form.due_kind.data,
                    due_date=form.due_date.data,
                    due_days=form.due_days.data,
                    renew_on_expiry=form.renew_on_expiry.data,
                    actor=current_user,
                )
                total += applied
            db.session.commit()
            flash(
                _(
                    "Saved. %(count)d people were assigned the course and get an e-mail.",
                    count=total.assigned,
                ),
                "success",
            )
            return redirect(url_for(".rules"))
    status = 422 if form.errors else 200
    return render_template("lms/assignments/rule_form.html", form=form, rule=None), status


@bp.route("/<id:rule_id>", methods=["GET", "POST"])
def edit_rule(rule_id: int):
    rule = _rule_or_404(rule_id)
    if rule.ended_at is not None:
        return render_template("lms/assignments/rule.html", rule=rule, **_rule_context(rule))
    form = RuleTermsForm(
        data={
            "mandatory": "mandatory" if rule.mandatory else "voluntary",
            "due_kind": rule.due_kind,
            "due_date": rule.due_date,
            "due_days": rule.due_days,
            "renew_on_expiry": rule.renew_on_expiry,
        }
    )
    if form.validate_on_submit() and _check_date(form):
        services.update_rule(
            db.session,
            rule,
            mandatory=form.mandatory.data == "mandatory",
            due_kind=form.due_kind.data,
            due_date=form.due_date.data,
            due_days=form.due_days.data,
            renew_on_expiry=form.renew_on_expiry.data,
            actor=current_user,
        )
        db.session.commit()
        flash(_("Saved. The people of this rule have the new terms."), "success")
        return redirect(url_for(".rules"))
    status = 422 if form.errors else 200
    return (
        render_template(
            "lms/assignments/rule_form.html", form=form, rule=rule, **_rule_context(rule)
        ),
        status,
    )


def _rule_context(rule: AssignmentRule) -> dict:
    courses = get_current_course_defs(db.session, [rule.course_id])
    course = courses.get(rule.course_id)
    return {
        "course_title": _course_title(course) if course else str(rule.course_id),
        "active_count": queries.active_counts(db.session, [rule.id]).get(rule.id, 0),
    }


@bp.route("/<id:rule_id>/end", methods=["GET", "POST"])
def end_rule(rule_id: int):
    rule = _rule_or_404(rule_id)
    if request.method == "POST" and rule.ended_at is None:
        services.end_rule(db.session, rule, actor=current_user)
        db.session.commit()
        flash(_("The rule has ended. Everything people did is kept."), "success")
        return redirect(url_for(".rules"))
    if rule.ended_at is not None:
        return redirect(url_for(".edit_rule", rule_id=rule.id))
    return render_template("lms/assignments/end_rule.html", rule=rule, **_rule_context(rule))
