"""Course Markdown to safe HTML for the lesson player.

Course text comes from trainers through git, but it is still cleaned with nh3 (defence in
depth): only ordinary Markdown elements and our call-out boxes survive. Images are served
from the course folder, and only the files the course's import recorded.
"""

from __future__ import annotations

import posixpath
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape
from mdit_py_plugins.container import container_plugin

from lms.authoring.markdown import CALLOUT_KINDS
from lms.catalog.readmodel import CourseDef, SectionDef
from lms.core.i18n import current_language
from lms.core.i18n import lazy_gettext as _l

CALLOUT_TITLES = {
    "tip": _l("Tip"),
    "warning": _l("Watch out"),
    "note": _l("Good to know"),
    "example": _l("At the counter"),
    "steps": _l("Step by step"),
}

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "div",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "div": {"class", "role"},
    "p": {"class"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}


def _render_callout(kind: str):
    def render(self, tokens, idx, _options, _env):  # markdown-it renderer signature
        if tokens[idx].nesting == 1:
            title = escape(str(CALLOUT_TITLES[kind]))
            return (
                f'<div class="callout callout-{kind}" role="note">'
                f'<p class="callout-title">{title}</p>\n'
            )
        return "</div>\n"

    return render


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable("table")
    for kind in CALLOUT_KINDS:
        md.use(container_plugin, name=kind, render=_render_callout(kind))
    # Headings in a section start at level 2 (the section title is the page's h1).
    md.add_render_rule("heading_open", _shift_heading)
    md.add_render_rule("heading_close", _shift_heading)
    return md


def _shift_heading(self, tokens, idx, options, env):
    token = tokens[idx]
    level = min(int(token.tag[1]) + 1, 6)
    token.tag = f"h{level}"
    return self.renderToken(tokens, idx, options, env)


def resolve_relative(src: str, base_file: str | None) -> str | None:
    """The path of an image relative to the course folder, or None if it leaves it."""
    if "://" in src or src.startswith(("/", "data:")):
        return None
    base = posixpath.dirname(base_file) if base_file else ""
    path = posixpath.normpath(posixpath.join(base, src))
    return None if path.startswith("..") else path


def render_markdown(
    text: str, *, base_file: str | None = None, image_url: Callable[[str], str] | None = None
) -> Markup:
    """Render ``text``; ``image_url`` maps a course-relative image path to its URL."""
    md = _parser()
    tokens = md.parse(text or "")
    for token in tokens:
        for child in token.children or ():
            if child.type == "image" and image_url is not None:
                path = resolve_relative(str(child.attrs.get("src", "")), base_file)
                child.attrs["src"] = image_url(path) if path else ""
    # Translate our lazy call-out titles in the current language before rendering.
    html = md.renderer.render(tokens, md.options, {})
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
        filter_style_properties={"text-align"},
    )
    return Markup(clean)


#: A path no course has, whose URL stands for how ``image_url`` builds every image's URL.
_PROBE = "__lms_probe__/image.png"
#: Rendered section bodies: (text, base file, UI language, probe URL) -> HTML. The key holds
#: everything the HTML depends on: the text (a new course version with other text gets its
#: own entry, so nothing is ever stale), the file images are relative to, the UI language
#: (the call-out titles) and the URL of the probe image (the app's URL map and prefix and the
#: course's slug). About 1,000 entries of a few kB at most: a few MB per worker.
_rendered: OrderedDict[tuple[str, str | None, str, str | None], Markup] = OrderedDict()
_rendered_lock = threading.Lock()
RENDER_CACHE_SIZE = 1024


def render_markdown_cached(
    text: str, *, base_file: str | None = None, image_url: Callable[[str], str] | None = None
) -> Markup:
    """``render_markdown`` for texts that are shown again and again (a lesson's body, the
    same for every learner): rendered once per worker, then read from a small LRU."""
    key = (text or "", base_file, current_language(), image_url(_PROBE) if image_url else None)
    with _rendered_lock:
        html = _rendered.get(key)
        if html is not None:
            _rendered.move_to_end(key)
            return html
    html = render_markdown(text, base_file=base_file, image_url=image_url)
    with _rendered_lock:
        _rendered[key] = html
        while len(_rendered) > RENDER_CACHE_SIZE:
            _rendered.popitem(last=False)
    return html


def clear_render_cache() -> None:
    with _rendered_lock:
        _rendered.clear()


def render_section_body(
    course: CourseDef, section: SectionDef, lang: str, image_url: Callable[[str], str]
) -> Markup:
    """A section's body in ``lang`` as the lesson page shows it (its images relative to the
    body's own file, in that language or the course's default), from the render cache."""
    base_file = section.body_path.get(lang) or section.body_path.get(course.default_language)
    return render_markdown_cached(
        course.text(section.body, lang), base_file=base_file, image_url=image_url
    )
