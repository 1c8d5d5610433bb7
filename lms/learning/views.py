"""The learner's pages: My learning, the course page, the lesson player, enrolment."""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, TypeVar

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.orm import Session

from lms.catalog.queries import get_course_def
from lms.catalog.readmodel import ActivityDef, CourseDef
from lms.core.db import db, writes
from lms.core.i18n import current_language
from lms.core.i18n import gettext as _
from lms.databank.queries import resources_by_slugs
from lms.databank.services import localised
from lms.learning import queries, services
from lms.learning.rendering import render_markdown, render_section_body
from lms.learning.statuses import STATUS_LABELS, StatusSettings

bp = Blueprint("learning", __name__, template_folder="templates")

IMAGE_TYPES = {".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp"}

#: Activity type -> endpoint of the page that feature serves for it (taking ``slug`` and
#: ``activity_id``). The course page links every activity to ``activity``, which sends the
#: learner on to the registered page.
_activity_pages: dict[str, str] = {}


#: Called when a person starts a course: right after they enrol themselves, and on the first
#: "Continue" of a course they have not begun (an assigned course). Each hook is
#: function(session, user, enrolment, course, next_url) -> a URL to show first (such as the
#: learning-plan prompt) or None. Registered by features above learning (``lms.plans``).
_start_hooks: list[Callable[..., str | None]] = []

#: Extras that features show on each course card of My learning: (template name, loader);
#: loader(session, user_id) -> {enrolment id: data}, one query for all the cards. The
#: template reads ``card_data[template name]`` and ``item`` (the ``EnrolmentView``).
_card_extras: dict[str, Callable[[Session, int], dict[int, Any]]] = {}


def register_start_hook(hook: Callable[..., str | None]) -> None:
    if hook not in _start_hooks:
        _start_hooks.append(hook)


def register_card_extra(template: str, loader: Callable[[Session, int], dict[int, Any]]) -> None:
    _card_extras[template] = loader


def _start_redirect(enrolment, course: CourseDef, next_url: str) -> str | None:
    for hook in _start_hooks:
        url = hook(db.session, current_user, enrolment, course, next_url)
        if url:
            return url
    return None


def register_activity_page(activity_type: str, endpoint: str) -> None:
    """Called once by the feature that owns an activity type (at import of its views)."""
    existing = _activity_pages.get(activity_type)
    if existing is not None and existing != endpoint:
        raise ValueError(f"{activity_type!r} already has a page: {existing}")
    _activity_pages[activity_type] = endpoint


@bp.before_request
@login_required
def _learners_log_in() -> None:
    """Every learning page needs a logged-in person (media too: courses are not public)."""


@bp.context_processor
def _helpers() -> dict:
    return {"render_markdown": render_markdown, "status_labels": STATUS_LABELS}


def _course_or_404(slug: str) -> CourseDef:
    course = get_course_def(db.session, slug)
    if course is None:
        abort(404)
    return course


def course_language(course: CourseDef) -> str:
    """Show a course in the UI language when it has it, else in its default language."""
    lang = current_language()
    return lang if lang in course.languages else course.default_language


A = TypeVar("A")


def activity_access(
    slug: str,
    activity_id: str,
    types: Collection[str],
    access_for: Callable[[Session, Any, CourseDef, ActivityDef], A | None],
) -> A:
    """What the current person may do with the activity a feature's URL names: 404 when the
    course or the activity (of one of ``types``) does not exist, 403 when ``access_for``
    (the feature's access rule) allows nothing."""
    course = _course_or_404(slug)
    activity = course.activities_by_id.get(activity_id)
    if activity is None or activity.type not in types:
        abort(404)
    access = access_for(db.session, current_user, course, activity)
    if access is None:
        abort(403)
    return access


def activity_page_context(course: CourseDef, activity: ActivityDef) -> dict[str, Any]:
    """What every page of an activity shows around it: its course, module and language."""
    return {
        "course": course,
        "activity": activity,
        "module": course.modules_by_id[activity.module_id],
        "lang": course_language(course),
    }


def status_settings() -> StatusSettings:
    """Today and the thresholds of the statuses, from the configuration."""
    return StatusSettings.from_config(current_app.config)


@bp.get("/")
def my_learning():
    enrolments = queries.my_enrolments(db.session, current_user.id, status_settings())
    available = queries.open_courses(db.session, current_user.id)
    card_data = (
        {name: load(db.session, current_user.id) for name, load in _card_extras.items()}
        if enrolments
        else {}
    )
    return render_template(
        "lms/learning/my_learning.html",
        enrolments=enrolments,
        available=available,
        course_language=course_language,
        card_data=card_data,
    )


@bp.get("/courses/<slug>")
def course(slug: str):
    course = _course_or_404(slug)
    view = queries.enrolment_view(db.session, current_user.id, course, status_settings())
    if view is None and course.enrolment != "open":
        abort(404)
    return render_template(
        "lms/learning/course.html", course=course, view=view, lang=course_language(course)
    )


@bp.post("/courses/<slug>/enrol")
def enrol(slug: str):
    course = _course_or_404(slug)
    if course.enrolment != "open":
        abort(403)
    enrolment, created = services.enrol(
        db.session, current_user, course, source="self", actor=current_user
    )
    db.session.commit()
    target = url_for(".course", slug=slug)
    if created:
        flash(_("You are enrolled. Start whenever it suits you."), "success")
        target = _start_redirect(enrolment, course, target) or target
    return redirect(target)


def _enrolment_or_redirect(course: CourseDef):
    view = queries.enrolment_view(db.session, current_user.id, course)
    if view is None:
        flash(_("Enrol in the course first."), "info")
    return view


@bp.get("/courses/<slug>/continue")
def resume(slug: str):
    course = _course_or_404(slug)
    view = _enrolment_or_redirect(course)
    if view is None:
        return redirect(url_for(".course", slug=slug))
    section = view.next_section()
    if section is None:
        return redirect(url_for(".course", slug=slug))
    target = url_for(".section", slug=slug, section_id=section.id)
    if view.enrolment.last_activity_at is None:  # starting the course now
        target = _start_redirect(view.enrolment, course, target) or target
    return redirect(target)


@bp.get("/courses/<slug>/learn/<section_id>")
@writes
def section(slug: str, section_id: str):
    course = _course_or_404(slug)
    section = course.sections_by_id.get(section_id)
    if section is None:
        abort(404)
    enrolment = services.get_enrolment(db.session, current_user.id, course.course_id)
    if enrolment is None:
        flash(_("Enrol in the course first."), "info")
        return redirect(url_for(".course", slug=slug))
    # Read what the page shows in the same transaction as the visit, and render after the
    # commit: the write lock (SQLite) is not held while the page is rendered.
    view = services.visit_section(db.session, enrolment, current_user, course, section_id)
    lang = course_language(course)
    # The databank's resources named by the section ("Meer materiaal"), read before the
    # commit as plain values; no query at all for a section without them.
    more_material = [
        (r.slug, localised(r.title, current_language()), r.organisation_name)
        for r in resources_by_slugs(db.session, section.resources)
    ]
    db.session.commit()
    activity = course.activities_by_id[section.activity_id]
    lesson = course.lessons_by_id[section.lesson_id]
    sections = activity.sections
    position = sections.index(section)
    body = render_section_body(
        course, section, lang, lambda path: url_for(".media", slug=slug, path=path)
    )
    return render_template(
        "lms/learning/player.html",
        course=course,
        view=view,
        lang=lang,
        module=course.modules_by_id[section.module_id],
        activity=activity,
        lesson=lesson,
        lesson_number=activity.lessons.index(lesson) + 1,
        section=section,
        body=body,
        previous=sections[position - 1] if position > 0 else None,
        next=sections[position + 1] if position + 1 < len(sections) else None,
        more_material=more_material,
    )


@bp.get("/courses/<slug>/activities/<activity_id>")
def activity(slug: str, activity_id: str):
    course = _course_or_404(slug)
    activity = course.activities_by_id.get(activity_id)
    if activity is None:
        abort(404)
    if activity.type in _activity_pages:
        return redirect(url_for(_activity_pages[activity.type], slug=slug, activity_id=activity_id))
    view = queries.enrolment_view(db.session, current_user.id, course)
    if activity.type == "elearning":
        first = activity.sections[0] if activity.sections else None
        if view is not None and first is not None:
            unseen = [s for s in activity.sections if s.id not in view.records.visited_sections]
            target = unseen[0] if unseen else first
            return redirect(url_for(".section", slug=slug, section_id=target.id))
    return render_template(
        "lms/learning/activity.html",
        course=course,
        view=view,
        lang=course_language(course),
        activity=activity,
        module=course.modules_by_id[activity.module_id],
    )


@bp.get("/courses/<slug>/media/<path:path>")
def media(slug: str, path: str):
    """Images of a course, only those its import recorded (nothing else on the disk)."""
    course = _course_or_404(slug)
    if path not in course.assets or Path(path).suffix.lower() not in IMAGE_TYPES:
        abort(404)
    folder = Path(current_app.config["LMS_COURSES_PATH"]).resolve()
    response = send_from_directory(folder, path, max_age=3600)
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


# Coordinators and administrators enrol people ------------------------------------------------


def _enrol_scope():
    """The organisations and people the current coordinator or admin may enrol."""
    from lms.accounts.models import User
    from lms.organisations.queries import organisations_visible_to, people_visible_to

    organisations = list(db.session.scalars(organisations_visible_to(current_user)))
    people = list(
        db.session.scalars(
            people_visible_to(current_user)
            .where(User.active.is_(True), User.organisation_id.in_([o.id for o in organisations]))
            .order_by(User.full_name)
        )
    )
    return organisations, people


@bp.route("/enrolments/new", methods=["GET", "POST"])
def enrol_people():
    from lms.catalog.queries import list_courses
    from lms.core.forms import options
    from lms.learning.forms import EnrolPeopleForm

    if not (current_user.is_admin or current_user.has_role("manager")):
        abort(403)
    organisations, people = _enrol_scope()
    lang = current_language()
    courses = list_courses(db.session)
    form = EnrolPeopleForm()
    form.course.choices = options(
        (c.slug, c.title.get(lang) or c.title.get(c.default_language) or c.slug) for c in courses
    )
    form.department.choices = options([("", _("No department"))]) + [
        choice
        for o in organisations
        for choice in options(((str(d.id), d.name) for d in o.departments), optgroup=o.name)
    ]
    form.people.choices = options(
        (str(p.id), f"{p.full_name} ({p.organisation.name if p.organisation else '-'})")
        for p in people
    )
    if form.validate_on_submit():
        chosen = {str(i) for i in form.people.data or []}
        selected = [p for p in people if str(p.id) in chosen]
        if form.department.data:
            selected += [
                p
                for p in people
                if str(p.department_id) == form.department.data and p not in selected
            ]
        if not selected:
            form.people.errors.append(_("Choose a department or at least one person."))
        else:
            course = _course_or_404(form.course.data)
            due_at = None
            if form.due_date.data:
                from datetime import UTC, datetime, time

                due_at = datetime.combine(form.due_date.data, time(23, 59), tzinfo=UTC)
            result = services.enrol_many(
                db.session,
                selected,
                course,
                source="admin" if current_user.is_admin else "manager",
                actor=current_user,
                due_at=due_at,
            )
            db.session.commit()
            flash(
                _(
                    "%(created)d people enrolled; %(already)d were enrolled already.",
                    created=result.created,
                    already=result.already,
                ),
                "success",
            )
            return redirect(url_for(".enrol_people"))
    return render_template("lms/learning/enrol_people.html", form=form), 422 if form.errors else 200
