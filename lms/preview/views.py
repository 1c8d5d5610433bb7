"""The preview's pages: the course as a learner sees it, every bank with its keys, or the
files' problems. Registered only on the preview's own app (``lms preview``), never on the
LMS: they need no login and show answer keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from lms.catalog.queries import get_bank_def, get_latest_course_def
from lms.catalog.readmodel import CourseDef, localise
from lms.core.db import db
from lms.core.i18n import current_language, template_helpers
from lms.learning.rendering import render_markdown, render_section_body
from lms.learning.views import IMAGE_TYPES
from lms.preview.state import PreviewState

bp = Blueprint("preview", __name__, template_folder="templates", static_folder="static")


def state() -> PreviewState:
    return current_app.extensions["lms_preview"]


@bp.before_request
def _rebuild_when_changed() -> None:
    """Every page and every poll first looks whether a file changed (a stat per file)."""
    state().refresh()


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        **template_helpers(),
        "render_markdown": render_markdown,
        "bare": True,
        "counter": state().counter,
        "text": localise,
    }


def _problems_or(render) -> Any:
    build = state().build
    if not build.ok:
        return render_template("lms/preview/problems.html", build=build)
    return render()


def _language(course: Any) -> str:
    asked = request.args.get("lang", "")
    for lang in (asked, current_language()):
        if lang in course.languages:
            return lang
    return course.languages[0]


def _course(slug: str) -> CourseDef:
    course = get_latest_course_def(db.session, slug) if slug in state().build.courses else None
    if course is None:
        abort(404)
    return course


@bp.get("/")
def index():
    return _problems_or(lambda: render_template("lms/preview/index.html", build=state().build))


@bp.get("/_preview/counter")
def counter():
    """What the reload script polls: a number that grows with every build."""
    return jsonify(counter=state().counter)


@bp.get("/courses/<slug>")
def course(slug: str):
    def render():
        course = _course(slug)
        return render_template("lms/preview/course.html", course=course, lang=_language(course))

    return _problems_or(render)


@bp.get("/courses/<slug>/<section_id>")
def section(slug: str, section_id: str):
    def render():
        course = _course(slug)
        section = course.sections_by_id.get(section_id)
        if section is None:
            abort(404)
        lang = _language(course)
        body = render_section_body(
            course, section, lang, lambda path: url_for("preview.media", path=path)
        )
        sections = course.sections
        position = sections.index(section)
        return render_template(
            "lms/preview/section.html",
            course=course,
            lang=lang,
            section=section,
            lesson=course.lessons_by_id[section.lesson_id],
            body=body,
            previous=sections[position - 1] if position > 0 else None,
            next=sections[position + 1] if position + 1 < len(sections) else None,
        )

    return _problems_or(render)


@bp.get("/banks/<slug>")
def bank(slug: str):
    def render():
        bank = get_bank_def(db.session, slug) if slug in state().build.banks else None
        if bank is None:
            abort(404)
        return render_template("lms/preview/bank.html", bank=bank, lang=_language(bank))

    return _problems_or(render)


@bp.get("/media/<path:path>")
def media(path: str):
    """Images of the courses: only those the last build recorded, from the courses folder."""
    known = {
        asset
        for slug in state().build.courses
        if (course := get_latest_course_def(db.session, slug)) is not None
        for asset in course.assets
    }
    if path not in known or Path(path).suffix.lower() not in IMAGE_TYPES:
        abort(404)
    folder = Path(current_app.config["LMS_COURSES_PATH"]).resolve()
    response = send_from_directory(folder, path, max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/import")
def dry_run():
    """What ``lms import --dry-run`` would say about these files and the configured database
    (opened read-only; recomputed on every visit, so after every save)."""
    from lms.preview.dryrun import dry_run as compute

    def render():
        preview = state()
        report = compute(preview.configured_url, preview.paths, preview.certificates)
        return render_template("lms/preview/dry_run.html", report=report)

    return _problems_or(render)
