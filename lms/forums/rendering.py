"""Learners' Markdown to safe HTML.

Posts are rendered once, when written: markdown-it-py (CommonMark, raw HTML off, no images)
and then nh3 with a short list of tags and attributes, so no script, style, event handler,
or URL other than http(s) and mailto survives, whatever the Markdown tried. The source is
kept too, for editing and for rendering again if these rules change.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


@cache
def _parser() -> MarkdownIt:
    # "html": False escapes raw HTML; images are not part of a post (nothing is uploaded).
    md = MarkdownIt("commonmark", {"html": False}).disable("image")
    # A post sits under the thread's h1 and the post's own heading: its headings start at h3.
    md.add_render_rule("heading_open", _shift_heading)
    md.add_render_rule("heading_close", _shift_heading)
    return md


def _shift_heading(self, tokens, idx, options, env):
    token = tokens[idx]
    token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"
    return self.renderToken(tokens, idx, options, env)


def render_post(source: str) -> str:
    """The HTML to store for ``source`` (already safe to show)."""
    html = _parser().render(source or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        strip_comments=True,
    )
