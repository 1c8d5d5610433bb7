"""Plan pages: the prompt (when starting a course, and from My learning), its .ics, skipping
it; a department's suggested learning time (coordinators); the experiment (administrators).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from lms.catalog.queries import get_course_def
from lms.core.auth import admin_required, role_required
from lms.core.db import db
from lms.core.i18n import current_language
from lms.core.i18n import gettext as _
from lms.core.urls import external_url, safe_next
from lms.learning.services import get_enrolment
from lms.learning.statuses import local_today
from lms.learning.views import course_language, register_card_extra, register_start_hook
from lms.organisations.models import Department
from lms.organisations.queries import organisations_visible_to
from lms.plans import experiment, services
from lms.plans.forms import PLACE_LABELS, DepartmentTimeForm, ExperimentForm, PlanForm
from lms.plans.ics import plan_calendar
from lms.plans.queries import department_times, plan_facts, when_of
from lms.plans.recurrence import When
from lms.plans.wording import describe_when

bp = Blueprint("plans", __name__, template_folder="templates")


def _timezone() -> str:
    return current_app.config.get("LMS_TIMEZONE", "Europe/Brussels")


def _prompt_first(session, user, enrolment, course, next_url: str) -> str | None:
    """Starting a course: show the prompt first (unless planned, skipped or "no prompt")."""
    if not services.should_prompt(session, enrolment):
        return None
    return url_for("lms.plans.prompt", slug=course.slug, next=next_url, start=1)


register_start_hook(_prompt_first)
register_card_extra("lms/plans/_card.html", plan_facts)
experiment.connect()


@bp.app_template_global()
def plan_in_words(when: When) -> str:
    return describe_when(when, current_language())


@bp.app_template_global()
def suggestion_in_words(suggestion) -> str:
    """A department's suggested learning time in words ("Every Monday, 09:00 to 09:30")."""
    when = When(
        tuple(suggestion.weekdays.split(",")),
        1,
        local_today(_timezone()),
        suggestion.start_time,
        _timezone(),
        suggestion.duration_minutes,
    )
    return describe_when(when, current_language())


def _course_and_enrolment(slug: str):
    course = get_course_def(db.session, slug)
    if course is None:
        abort(404)
    enrolment = get_enrolment(db.session, current_user.id, course.course_id)
    return course, enrolment


def _next(slug: str) -> str:
    """Where the person goes after the prompt (skipped or saved): where they were going."""
    return safe_next(request.values.get("next")) or url_for("lms.learning.course", slug=slug)


def _prefill(form: PlanForm, plan, suggestion) -> None:
    if plan is not None:
        when = when_of(plan)
        form.when.data = services.WEEKLY if when.repeats else services.ONCE
        form.weekdays.data = list(when.weekdays)
        form.every.data = str(when.interval)
        if not when.repeats:
            form.day.data = str(plan.start_date.day)
            form.month.data = str(plan.start_date.month)
            form.year.data = str(plan.start_date.year)
        form.time.data = plan.start_time.strftime("%H:%M")
        form.minutes.data = str(plan.duration_minutes)
        form.place.data = plan.place
        form.place_other.data = plan.place_other or ""
        form.first_step.data = plan.first_step
        form.if_then.data = plan.if_then
    elif suggestion is not None:
        form.when.data = services.WEEKLY
        form.weekdays.data = suggestion.weekdays.split(",")
        form.time.data = suggestion.start_time.strftime("%H:%M")
        form.minutes.data = str(suggestion.duration_minutes)


def _read(form: PlanForm) -> services.PlanInput:
    values = request.form
    return services.PlanInput(
        when=values.get("when", ""),
        weekdays=values.getlist("weekdays"),
        every=values.get("every", ""),
        day=values.get("day", ""),
        month=values.get("month", ""),
        year=values.get("year", ""),
        time=values.get("time", ""),
        minutes=values.get("minutes", ""),
        place=values.get("place", ""),
        place_other=values.get("place_other", ""),
        first_step=values.get("first_step", ""),
        if_then=values.get("if_then", ""),
    )


@bp.route("/courses/<slug>/plan", methods=["GET", "POST"])
@login_required
def prompt(slug: str):
    """The plan prompt: one page, every question optional to skip."""
    course, enrolment = _course_and_enrolment(slug)
    if enrolment is None:
        flash(_("Enrol in the course first."), "info")
        return redirect(url_for("lms.learning.course", slug=slug))
    next_url = _next(slug)
    plan = services.plan_of(db.session, enrolment.id)
    suggestion = services.department_time(db.session, current_user.department_id)
    form = PlanForm()
    status = 200
    if request.method == "GET":
        _prefill(form, plan, suggestion)
    else:
        values, problems = services.check_plan(
            _read(form), today=local_today(_timezone()), timezone=_timezone()
        )
        if values is not None:
            services.save_plan(db.session, enrolment, values)
            db.session.commit()
            return redirect(url_for(".saved", slug=slug, next=next_url))
        for name, message in problems.items():
            getattr(form, name).errors = [message]
        status = 422
    return render_template(
        "lms/plans/prompt.html",
        form=form,
        course=course,
        lang=course_language(course),
        plan=plan,
        suggestion=suggestion,
        next_url=next_url,
        starting=bool(request.args.get("start")),
    ), status


@bp.get("/courses/<slug>/plan/saved")
@login_required
def saved(slug: str):
    course, enrolment = _course_and_enrolment(slug)
    plan = services.plan_of(db.session, enrolment.id) if enrolment else None
    if plan is None:
        return redirect(url_for(".prompt", slug=slug))
    return render_template(
        "lms/plans/saved.html",
        course=course,
        lang=course_language(course),
        plan=plan,
        when=when_of(plan),
        places=dict(PLACE_LABELS),
        next_url=_next(slug),
    )


@bp.post("/courses/<slug>/plan/skip")
@login_required
def skip(slug: str):
    _course, enrolment = _course_and_enrolment(slug)
    if enrolment is not None:
        services.skip_prompt(db.session, enrolment)
        db.session.commit()
    return redirect(_next(slug))


@bp.post("/courses/<slug>/plan/remove")
@login_required
def remove(slug: str):
    _course, enrolment = _course_and_enrolment(slug)
    if enrolment is not None and services.remove_plan(db.session, enrolment):
        db.session.commit()
        flash(_("Your plan is removed."), "success")
    return redirect(url_for("lms.learning.my_learning"))


@bp.get("/courses/<slug>/plan.ics")
@login_required
def calendar(slug: str):
    """The plan as a calendar entry (.ics), repeating where chosen."""
    course, enrolment = _course_and_enrolment(slug)
    plan = services.plan_of(db.session, enrolment.id) if enrolment else None
    if plan is None:
        abort(404)
    lang = course_language(course)
    title = course.text(course.title, lang)
    places = dict(PLACE_LABELS)
    location = plan.place_other if plan.place == "other" else str(places[plan.place])
    url = external_url("lms.learning.resume", slug=slug)
    lines = []
    if plan.first_step:
        lines.append(_("First step: %(step)s", step=plan.first_step))
    if plan.if_then:
        lines.append(_("If something gets in the way: %(plan)s", plan=plan.if_then))
    lines.append(_("Continue where you left off: %(url)s", url=url))
    text = plan_calendar(
        plan,
        summary=_("Learning: %(title)s", title=title),
        description="\n".join(lines),
        location=location or "",
        url=url,
        alarm=_("Time to learn: %(title)s", title=title),
    )
    return Response(
        text,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="learning-plan-{slug}.ics"'},
    )


# Coordinators: suggested learning times per department -----------------------------------------


@bp.get("/progress/learning-times")
@role_required("manager")
def department_list():
    organisations = list(db.session.scalars(organisations_visible_to(current_user)))
    rows = department_times(db.session, [o.id for o in organisations])
    return render_template(
        "lms/plans/departments.html",
        rows=rows,
        organisations={o.id: o for o in organisations},
    )


def _visible_department(department_id: int) -> Department:
    department = db.session.get(Department, department_id)
    visible = {o.id for o in db.session.scalars(organisations_visible_to(current_user))}
    if department is None or department.organisation_id not in visible:
        abort(404)
    return department


@bp.route("/progress/learning-times/<id:department_id>", methods=["GET", "POST"])
@role_required("manager")
def department_time(department_id: int):
    department = _visible_department(department_id)
    suggestion = services.department_time(db.session, department.id)
    form = DepartmentTimeForm()
    if request.method == "GET" and suggestion is not None:
        form.weekdays.data = suggestion.weekdays.split(",")
        form.time.data = suggestion.start_time.strftime("%H:%M")
        form.minutes.data = str(suggestion.duration_minutes)
    if request.method == "POST":
        if request.form.get("action") == "clear":
            services.clear_department_time(db.session, department, actor=current_user)
            db.session.commit()
            flash(_("The suggested learning time is removed."), "success")
            return redirect(url_for(".department_list"))
        at = services.parse_time(form.time.data or "")
        minutes = int(form.minutes.data) if (form.minutes.data or "").isdigit() else 0
        if at is None:
            form.time.errors = [_("Give a time between 00:00 and 23:59, for example 09:30.")]
        else:
            try:
                services.set_department_time(
                    db.session,
                    department,
                    weekdays=form.weekdays.data or [],
                    start_time=at,
                    duration_minutes=minutes,
                    actor=current_user,
                )
            except services.PlanError as exc:
                db.session.rollback()
                getattr(form, exc.field or "weekdays").errors = [str(exc)]
            else:
                db.session.commit()
                flash(_("The suggested learning time is saved."), "success")
                return redirect(url_for(".department_list"))
    return render_template(
        "lms/plans/department_time.html", form=form, department=department, suggestion=suggestion
    ), 422 if form.errors else 200


# Administrators: the experiment ----------------------------------------------------------------


@bp.route("/admin/experiment", methods=["GET", "POST"])
@admin_required
def experiment_page():
    form = ExperimentForm()
    if request.method == "POST":
        if request.form.get("action") == "stop":
            if experiment.stop_experiment(db.session, actor=current_user) is not None:
                db.session.commit()
                flash(_("The experiment is stopped. Everyone sees the prompt again."), "success")
            return redirect(url_for(".experiment_page"))
        try:
            share = experiment.check_share(form.share.data or "")
        except experiment.ExperimentError as exc:
            form.share.errors = [str(exc)]
        else:
            experiment.start_experiment(db.session, share, actor=current_user)
            db.session.commit()
            flash(_("The experiment runs. New enrolments are assigned to a group."), "success")
            return redirect(url_for(".experiment_page"))
    active = experiment.active_experiment(db.session)
    if request.method == "GET" and active is not None:
        form.share.data = f"{active.share * 100:g}"
    min_group = int(current_app.config.get("LMS_PLAN_EXPERIMENT_MIN_GROUP", 30))
    return render_template(
        "lms/plans/experiment.html",
        form=form,
        active=active,
        comparisons=experiment.compare(db.session, min_group=min_group),
    ), 422 if form.errors else 200
