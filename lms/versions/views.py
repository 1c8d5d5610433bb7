"""Trainers' and administrators' course pages: every course, each course's version history."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template

from lms.catalog.changes import Changes
from lms.catalog.queries import (
    course_versions,
    get_course,
    get_latest_course_def,
    list_courses,
)
from lms.core.auth import role_required
from lms.core.db import db
from lms.core.i18n import current_language
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
from lms.core.navigation import MenuEntry, register_menu_entry

bp = Blueprint("versions", __name__, template_folder="templates")

#: Who may read the versions of courses (administrators always may).
ROLES = ("trainer",)

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
    return render_template("lms/versions/courses.html", courses=list_courses(db.session))


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


@bp.get("/<slug>/versions")
@role_required(*ROLES)
def history(slug: str):
    course = get_course(db.session, slug)
    latest = get_latest_course_def(db.session, slug)
    if course is None or latest is None:
        abort(404)
    versions = [(v, _summary(v.changes)) for v in course_versions(db.session, course)]
    return render_template(
        "lms/versions/history.html",
        course=course,
        title=latest.text(latest.title, current_language()),
        versions=versions,
    )
