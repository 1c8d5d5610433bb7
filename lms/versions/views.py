"""Trainers' and administrators' course pages: every course, each course's version history,
any version previewed as a learner sees it, and publishing a version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.models import User
from lms.catalog.changes import Changes
from lms.catalog.models import Course
from lms.catalog.queries import (
    course_overview,
    course_version_id,
    course_versions,
    get_course,
    get_course_version_def,
    get_latest_course_def,
)
from lms.catalog.readmodel import CourseDef
from lms.core.auth import role_required
from lms.core.db import db
from lms.core.i18n import current_language
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
from lms.core.navigation import MenuEntry, register_menu_entry
from lms.learning.rendering import render_markdown, render_section_body
from lms.learning.views import IMAGE_TYPES
from lms.versions.services import PublishError, RemovalNeedsConsent, publication_impact, publish

bp = Blueprint("versions", __name__, template_folder="templates")

#: Who may read, preview and publish the versions of courses (administrators always may).
ROLES = ("trainer",)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"render_markdown": render_markdown}


register_menu_entry(
    MenuEntry(
        endpoint="lms.versions.courses",
        label=lambda: _("Course versions"),
        shown_to=lambda user: user.is_admin or user.has_role("trainer"),
    )
)

LEVEL_LABELS: dict[str, Any] = {
    "modules": _l("Modules"),
    "activities": _l("Activities"),
    "lessons": _l("Lessons"),
    "sections": _l("Sections"),
    "questions": _l("Questions"),
}
CHANGE_LABELS: dict[str, Any] = {
    "added": _l("added"),
    "removed": _l("removed"),
    "changed": _l("changed"),
    "moved": _l("moved"),
}


@bp.get("/")
@role_required(*ROLES)
def courses():
    return render_template("lms/versions/courses.html", courses=course_overview(db.session))


def _summary(changes: dict[str, Any] | None) -> dict[str, Any] | None:
    """The stored change summary, ready for the page (None: nothing recorded)."""
    if not changes:
        return None
    parsed = Changes.from_json(changes)
    rows = [
        (LEVEL_LABELS.get(level, level), CHANGE_LABELS[what], ids)
        for level, items in parsed.levels.items()
        for what in CHANGE_LABELS
        if (ids := getattr(items, what))
    ]
    return {
        "new": parsed.is_new,
        "settings": parsed.settings,
        "rows": rows,
        "affected": changes.get("affected") or {},
    }


def _course_or_404(slug: str) -> Course:
    course = get_course(db.session, slug)
    if course is None:
        abort(404)
    return course


@bp.get("/<slug>/versions")
@role_required(*ROLES)
def history(slug: str):
    course = _course_or_404(slug)
    latest = get_latest_course_def(db.session, slug)
    assert latest is not None  # a course row is made with its first version
    current = course.current_version.number if course.current_version is not None else 0
    listing = course_versions(db.session, course)
    people = {v.published_by_id for v in listing if v.published_by_id is not None}
    names = (
        {
            uid: _("Former participant") if erased else name
            for uid, name, erased in db.session.execute(
                select(User.id, User.full_name, User.erased_at.is_not(None)).where(
                    User.id.in_(people)
                )
            )
        }
        if people
        else {}
    )
    versions = []
    for version in listing:
        # Newer versions not published yet can be published: say what that would do.
        publishable = version.number > current
        impact = publication_impact(db.session, course, version.number) if publishable else None
        versions.append((version, _summary(version.changes), publishable, impact))
    return render_template(
        "lms/versions/history.html",
        course=course,
        title=latest.text(latest.title, current_language()),
        versions=versions,
        names=names,
    )


def _version_or_404(slug: str, number: int) -> tuple[Course, CourseDef]:
    course = _course_or_404(slug)
    version_id = course_version_id(db.session, course, number)
    view = get_course_version_def(db.session, version_id) if version_id is not None else None
    if view is None:
        abort(404)
    return course, view


def _preview_language(course: CourseDef) -> str:
    """The course language asked for (``?lang=``), else the reader's, else the default."""
    asked = request.args.get("lang", "")
    for lang in (asked, current_language()):
        if lang in course.languages:
            return lang
    return course.default_language


@bp.get("/<slug>/versions/<id:number>/preview")
@role_required(*ROLES)
def preview(slug: str, number: int):
    course, view = _version_or_404(slug, number)
    return render_template(
        "lms/versions/preview_course.html",
        course=view,
        published=course.current_version_id == view.version_id,
        lang=_preview_language(view),
    )


@bp.get("/<slug>/versions/<id:number>/preview/<section_id>")
@role_required(*ROLES)
def preview_section(slug: str, number: int, section_id: str):
    course, view = _version_or_404(slug, number)
    section = view.sections_by_id.get(section_id)
    if section is None:
        abort(404)
    lang = _preview_language(view)
    body = render_section_body(
        view, section, lang, lambda path: url_for(".media", slug=slug, number=number, path=path)
    )
    sections = view.sections
    position = sections.index(section)
    return render_template(
        "lms/versions/preview_section.html",
        course=view,
        published=course.current_version_id == view.version_id,
        lang=lang,
        section=section,
        lesson=view.lessons_by_id[section.lesson_id],
        body=body,
        previous=sections[position - 1] if position > 0 else None,
        next=sections[position + 1] if position + 1 < len(sections) else None,
    )


@bp.get("/<slug>/versions/<id:number>/media/<path:path>")
@role_required(*ROLES)
def media(slug: str, number: int, path: str):
    """Images of a version (an unpublished one may have new ones): only those it recorded."""
    _course, view = _version_or_404(slug, number)
    if path not in view.assets or Path(path).suffix.lower() not in IMAGE_TYPES:
        abort(404)
    folder = Path(current_app.config["LMS_COURSES_PATH"]).resolve()
    response = send_from_directory(folder, path, max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.post("/<slug>/versions/<id:number>/publish")
@role_required(*ROLES)
def publish_version(slug: str, number: int):
    course = _course_or_404(slug)
    try:
        publish(
            db.session,
            course,
            number,
            actor_id=current_user.id,
            via="version history page",
            allow_removal=request.form.get("allow_removal") == "yes",
        )
    except RemovalNeedsConsent:
        db.session.rollback()
        flash(
            _("Not published: tick the box to confirm that learners' percentages may go down."),
            "error",
        )
    except PublishError:
        db.session.rollback()
        abort(404)
    else:
        db.session.commit()
        flash(_("Version %(num)d is published: learners see it now.", num=number), "success")
    return redirect(url_for(".history", slug=slug))
