"""Read Markdown bodies the way the player will render them, to find images, links, boxes.

Only finding things lives here; what is wrong with them (a missing file, an empty alt text)
is decided by the validator, which knows where the Markdown came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.container import container_plugin

#: Kinds of call-out box (``::: tip``) that the player styles.
CALLOUT_KINDS = ("tip", "warning", "note", "example", "steps")

_CALLOUT_LINE = re.compile(r"^[ \t]{0,3}(:{3,})[ \t]*([^\s:]\S*)?", re.MULTILINE)


@cache
def markdown_parser() -> MarkdownIt:
    """The parser for course Markdown: CommonMark, tables and the call-out containers."""
    md = MarkdownIt("commonmark").enable("table")
    for kind in CALLOUT_KINDS:
        md.use(container_plugin, name=kind)
    return md


@dataclass(frozen=True)
class Found:
    """Something found in a Markdown text, at character ``offset`` of that text.

    ``needle`` is the literal text found there; it lets a caller locate the same thing in a
    YAML source where the text was quoted or folded.
    """

    kind: str  # "image", "link" or "callout"
    offset: int
    needle: str
    target: str = ""  # image src, link href, call-out kind
    alt: str = ""


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    for line in text.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


#: Without one of these, a text has no image, link or call-out box: no need to parse it.
_MARKERS = ("[", ":::", "<")


@lru_cache(maxsize=4096)
def scan_markdown(text: str) -> tuple[Found, ...]:
    """Images, links and call-out boxes of ``text``, in document order."""
    if not any(marker in text for marker in _MARKERS):
        return ()
    found: list[Found] = []
    line_starts = _line_offsets(text)
    cursors: dict[int, int] = {}
    last_map: list[int] | None = None
    for token in markdown_parser().parse(text):
        if token.map is not None:
            last_map = token.map
        if token.type != "inline" or not token.children:
            continue
        block = token.map or last_map or [0, 0]
        start_line = min(block[0], len(line_starts) - 1)
        cursor = cursors.get(start_line, line_starts[start_line])
        for child in token.children:
            if child.type == "image":
                needle = "!["
                target, alt = str(child.attrs.get("src", "")), child.content
            elif child.type == "link_open":
                target = str(child.attrs.get("href", ""))
                needle, alt = target, ""
            else:
                continue
            where = text.find(needle, cursor) if needle else -1
            offset = where if where >= 0 else line_starts[start_line]
            if where >= 0:
                cursor = where + len(needle)
            found.append(Found(child.type.removesuffix("_open"), offset, needle, target, alt))
        cursors[start_line] = cursor
    for match in _CALLOUT_LINE.finditer(text):
        kind = match.group(2)
        if kind:
            found.append(Found("callout", match.start(1), match.group(1), kind))
    return tuple(sorted(found, key=lambda f: f.offset))


def offset_in_source(text: str, found: Found, source: str, start: int, end: int) -> int | None:
    """Where ``found`` (an offset in ``text``) is in ``source[start:end]``, the YAML scalar
    that ``text`` was read from; ``None`` when it cannot be matched."""
    occurrence = text.count(found.needle, 0, found.offset)
    position = start
    for _ in range(occurrence + 1):
        index = source.find(found.needle, position, end)
        if index < 0:
            return None
        position = index + len(found.needle)
    return position - len(found.needle)
