"""Write a cmi5 package: ``cmi5.xml``, the AU pages, their images and the runtime, as a zip.

Each AU is one static HTML page holding its content in every course language; the runtime
(``static/cmi5-runtime.js``) shows the learner's language and talks cmi5 to the LMS that
launched it. Nothing in the package refers to this server.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import force_locale
from jinja2 import Environment, FileSystemLoader, select_autoescape
from lxml import html as lxml_html
from markupsafe import Markup

from lms.catalog.readmodel import CourseDef, SectionDef
from lms.cmi5.source import CourseSource, ExportError
from lms.cmi5.structure import Plan, Unit, course_structure, language_tag, plan_package
from lms.core.i18n import _
from lms.learning.rendering import render_markdown, render_section_body

HERE = Path(__file__).resolve().parent
#: The runtime and the style sheet, shared by every AU (under ``shared/`` in the zip).
SHARED_FILES = ("cmi5-runtime.js", "elearning.js", "test.js", "au.css")
#: A fixed date for every zip entry, so that the same course gives the same bytes.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    units: tuple[Unit, ...]
    left_out: tuple[str, ...]
    files: int


def _templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
    )


class _Media:
    """The images the pages use: course-relative path -> the file, copied under media/."""

    PREFIX = "../media/"

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self.paths: set[str] = set()

    @classmethod
    def url(cls, path: str) -> str:
        return cls.PREFIX + path

    def collect(self, html: str) -> None:
        """Note the images that ``html`` shows (read back from the rendered page, since the
        renderer also asks for the URL of images no page has, for its cache key)."""
        if html.strip():
            for src in lxml_html.fragment_fromstring(html, create_parent="div").xpath("//img/@src"):
                if src.startswith(self.PREFIX):
                    self.paths.add(src[len(self.PREFIX) :])

    def files(self) -> Iterator[tuple[str, Path]]:
        for path in sorted(self.paths):
            file = (self.folder / path).resolve()
            if not file.is_relative_to(self.folder) or not file.is_file():
                raise ExportError(f"the image {path} (in {self.folder}) is missing")
            yield f"media/{path}", file


def _section_html(course: CourseDef, section: SectionDef, lang: str, media: _Media) -> Markup:
    body = render_section_body(course, section, lang, media.url)
    media.collect(body)
    video = section.video
    if not video:
        return body
    title = course.text(video.get("title"), lang)
    label = _("Watch the video") + (f": {title}" if title else "")
    html = Markup('<div class="video"><p><a href="{}" rel="noopener noreferrer">{}</a></p>').format(
        video["url"], label
    )
    transcript = course.text(video.get("transcript"), lang)
    if transcript:
        html += Markup("<details><summary>{}</summary>{}</details>").format(
            _("Read the text of the video"), render_markdown(transcript)
        )
    return body + html + Markup("</div>")


def _elearning_page(env: Environment, plan: Plan, unit: Unit, media: _Media) -> str:
    course = plan.course
    versions = []
    for lang in course.languages:
        with force_locale(lang):  # the call-out titles and the video's labels in ``lang``
            lessons = [
                {
                    "title": course.text(lesson.title, lang),
                    "sections": [
                        {
                            "id": section.id,
                            "title": course.text(section.title, lang),
                            "html": _section_html(course, section, lang, media),
                        }
                        for section in lesson.sections
                    ],
                }
                for lesson in unit.activity.lessons
            ]
        versions.append(_version(course, unit, lang, lessons=lessons))
    return env.get_template("elearning.html").render(page=_page(course, unit), versions=versions)


def _page(course: CourseDef, unit: Unit) -> dict[str, Any]:
    return {
        "kind": unit.activity.type,
        "languages": " ".join(course.languages),
        "default": course.default_language,
        "title": course.text(unit.activity.title, course.default_language),
        "lang": language_tag(course.default_language),
    }


def _version(course: CourseDef, unit: Unit, lang: str, **more: Any) -> dict[str, Any]:
    return {
        "lang": lang,
        "tag": language_tag(lang),
        "course": course.text(course.title, lang),
        "module": course.text(unit.module.title, lang),
        "title": course.text(unit.activity.title, lang),
        "description": course.text(unit.activity.description, lang),
        **more,
    }


def _test_data(source: CourseSource, unit: Unit) -> dict[str, Any]:
    """What the test page needs to draw, show and score its questions: the answer key
    included (docs/cmi5.md: a learner who reads the package's files can find it)."""
    settings = dict(unit.activity.settings)
    quiz = settings.get("quiz")
    bank_ids = [quiz] if isinstance(quiz, str) else list(quiz or ())
    questions = [
        {
            "id": f"{bank_id}/{question.id}",
            "type": question.type,
            "prompt": dict(question.prompt),
            "tags": list(question.tags),
            "settings": question.settings,
        }
        for bank_id in bank_ids
        for question in source.banks[bank_id].questions
    ]
    return {
        "languages": list(source.course.languages),
        "count": settings.get("questions"),
        "draw": settings.get("draw") or [],
        "shuffleQuestions": settings.get("shuffle_questions", True),
        "shuffleChoices": settings.get("shuffle_choices", True),
        "passMark": unit.mastery_score,
        "questions": questions,
    }


def _test_page(env: Environment, plan: Plan, unit: Unit) -> str:
    course = plan.course
    versions = [_version(course, unit, lang) for lang in course.languages]
    return env.get_template("test.html").render(page=_page(course, unit), versions=versions)


def _write(archive: zipfile.ZipFile, name: str, data: bytes | str) -> None:
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def export_package(source: CourseSource, module_id: str | None, output: Path) -> ExportSummary:
    """Write the cmi5 package of ``source``'s course (or of one module) to ``output``."""
    try:
        plan = plan_package(source.course, module_id)
    except KeyError:
        known = ", ".join(m.id for m in source.course.modules)
        raise ExportError(
            f"course `{source.course.slug}` has no module `{module_id}` (modules: {known})"
        ) from None
    if not plan.units:
        raise ExportError("there is nothing to export: no e-learning or test")
    env = _templates()
    media = _Media(source.folder)
    pages: dict[str, str] = {}
    for unit in plan.units:
        if unit.activity.type == "elearning":
            pages[unit.url] = _elearning_page(env, plan, unit, media)
        else:
            pages[unit.url] = _test_page(env, plan, unit)
            data = json.dumps(_test_data(source, unit), ensure_ascii=False, sort_keys=True)
            pages[f"{unit.folder}/questions.js"] = f"window.LMS_CMI5_TEST = {data};\n"
    images = list(media.files())  # every image checked before anything is written
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".part")
    try:
        with zipfile.ZipFile(partial, "w") as archive:
            _write(archive, "cmi5.xml", course_structure(plan))
            for name in SHARED_FILES:
                _write(archive, f"shared/{name}", (HERE / "static" / name).read_bytes())
            for name, text in pages.items():
                _write(archive, name, text)
            for name, file in images:
                _write(archive, name, file.read_bytes())
            count = len(archive.namelist())
        partial.replace(output)  # a reader never sees half a package
    finally:
        partial.unlink(missing_ok=True)
    return ExportSummary(output, plan.units, plan.left_out, count)
