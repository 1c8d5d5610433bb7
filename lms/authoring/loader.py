"""Load YAML into plain Python data while remembering where every node came from.

PyYAML's constructor forgets where each node came from. We take the parser's events (from
libyaml when installed), compose the node graph ourselves and build the data ourselves,
recording for each path of keys/indices the node of the value and (for mapping entries) the
node of the key. On the way we catch what the constructor would silently accept, such as a
key given twice.

Every entry point (``lms validate``, ``lms import``, the import at start-up, a preview) reads
files through :func:`load_document`, so the limits that keep a hostile or broken file from
exhausting memory live here (see :class:`Limits`): the size of the file (E104), how deeply
lists and mappings nest (E105), and how many nodes aliases add (E106; a "billion laughs"
document of nested aliases would otherwise expand to billions of nodes). The composer
checks them while it reads the events, before anything is expanded, and it is iterative, so
deep nesting never reaches Python's recursion limit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode

from lms.authoring.diagnostics import Diagnostic, display_path

#: A path into a document: mapping keys and list indices, from the root.
Path_ = tuple[Hashable, ...]

#: libyaml's parser when installed (same results, ten times faster), else PyYAML's own.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Limits:
    """What one YAML file may cost to load. Course files are tens of kilobytes, nest about a
    dozen levels and use an anchor or two, far within these bounds."""

    #: Size of the file in bytes.
    max_bytes: int = 2 * 1024 * 1024
    #: Lists and mappings inside one another (the mapping of the whole file is one level).
    max_depth: int = 50
    #: Nodes that aliases (``*name``) add to the document, all aliases together.
    max_alias_nodes: int = 10_000


DEFAULT_LIMITS = Limits()

_SYNTAX_HINTS = {
    "mapping values are not allowed": "put quotes around a value that contains `: `",
    "found undefined alias": "define the anchor (&name) before using it (*name)",
    "expected a single document": "keep one document per file (remove `---`)",
    "while parsing a flow": "inside `{ }` or `[ ]`, put quotes around a text with `:`, `?` or `,`",
}


@dataclass
class Document:
    """A loaded YAML file: its data plus the source position of every node."""

    path: Path
    source: str
    data: Any = None
    values: dict[Path_, Node] = field(default_factory=dict)
    keys: dict[Path_, Node] = field(default_factory=dict)

    @cached_property
    def display(self) -> str:
        return display_path(self.path)

    def _nearest(self, path: Path_, table: dict[Path_, Node]) -> Node | None:
        path = tuple(path)
        while True:
            node = table.get(path)
            if node is not None or not path:
                return node
            path = path[:-1]

    def pos(self, path: Path_) -> tuple[int, int]:
        """1-based (line, col) of the value at ``path``, or of its nearest existing ancestor."""
        node = self._nearest(path, self.values)
        if node is None:
            return (1, 1)
        return (node.start_mark.line + 1, node.start_mark.column + 1)

    def key_pos(self, path: Path_) -> tuple[int, int]:
        """1-based position of the key of the mapping entry at ``path`` (else of the value)."""
        node = self.keys.get(tuple(path))
        if node is None:
            return self.pos(path)
        return (node.start_mark.line + 1, node.start_mark.column + 1)

    def has(self, path: Path_) -> bool:
        return tuple(path) in self.values

    def span(self, path: Path_) -> tuple[int, int] | None:
        """Character offsets (start, end) of the node at ``path`` in ``source``."""
        node = self.values.get(tuple(path))
        if node is None:
            return None
        return (node.start_mark.index, node.end_mark.index)

    def offset_pos(self, offset: int) -> tuple[int, int]:
        """1-based (line, col) of a character offset in ``source``."""
        line = self.source.count("\n", 0, offset) + 1
        col = offset - (self.source.rfind("\n", 0, offset) + 1) + 1
        return (line, col)

    def diagnostic(
        self, code: str, path: Path_, message: str, hint: str = "", *, at_key: bool = False
    ) -> Diagnostic:
        line, col = self.key_pos(path) if at_key else self.pos(path)
        return Diagnostic(self.display, line, col, code, message, hint)


class _Builder:
    def __init__(self, doc: Document, loader: Any) -> None:
        self.doc = doc
        self.loader = loader
        self.diagnostics: list[Diagnostic] = []
        self._stack: set[int] = set()

    def _error(self, node: Node, code: str, message: str, hint: str = "") -> None:
        mark = node.start_mark
        self.diagnostics.append(
            Diagnostic(self.doc.display, mark.line + 1, mark.column + 1, code, message, hint)
        )

    def build(self, node: Node, path: Path_) -> Any:
        self.doc.values[path] = node
        if id(node) in self._stack:
            self._error(node, "E101", "an alias refers to itself", "remove the recursive alias")
            return None
        self._stack.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            if isinstance(node, SequenceNode):
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            return self._scalar(node)
        finally:
            self._stack.discard(id(node))

    def _scalar(self, node: Node) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except (yaml.constructor.ConstructorError, ValueError) as exc:
            self._error(node, "E101", f"cannot read this value: {exc}".splitlines()[0])
            return None

    def _mapping(self, node: MappingNode, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self._error(key_node, "E203", "a key must be a plain word, not a list or mapping")
                continue
            # Keys are always words in this format; keep their source text so that `no:` or
            # `1:` stay the strings the author typed instead of becoming False or 1.
            key = key_node.value
            if key in first_seen:
                line = first_seen[key].start_mark.line + 1
                self._error(
                    key_node,
                    "E102",
                    f"duplicate key `{key}`",
                    f"first given on line {line}; remove one of them",
                )
                continue
            first_seen[key] = key_node
            self.doc.keys[(*path, key)] = key_node
            result[key] = self.build(value_node, (*path, key))
        return result


def _syntax_diagnostic(display: str, source: str, exc: yaml.YAMLError) -> Diagnostic:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"{context}, {problem}" if context else str(problem)
    hint = next((h for needle, h in _SYNTAX_HINTS.items() if needle in str(exc)), "")
    if mark is not None and source[mark.index : mark.index + 1] == "\t":
        hint = "indent with spaces, not tabs"
    return Diagnostic(display, line, col, "E101", f"YAML syntax: {message}", hint)


class _LimitExceeded(Exception):
    def __init__(self, mark: Any, code: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.mark, self.code, self.message, self.hint = mark, code, message, hint


@dataclass
class _Open:
    """A list or mapping being composed: its node, its children so far, and the number of
    nodes and the levels of nesting it holds with its aliases expanded."""

    node: CollectionNode
    anchor: str | None
    items: list[Node] = field(default_factory=list)
    size: int = 1
    height: int = 1


class _Composer:
    """Compose the node graph from the parser's events, as PyYAML's composer does, within
    ``limits``. Iterative, so no nesting reaches Python's recursion limit."""

    def __init__(self, loader: Any, limits: Limits) -> None:
        self.loader = loader
        self.limits = limits
        self.anchors: dict[str, Node] = {}
        #: (nodes, levels) of each anchored node, aliases expanded; absent while it is open.
        self.expanded: dict[int, tuple[int, int]] = {}
        self.alias_nodes = 0

    def single_node(self) -> Node | None:
        loader = self.loader
        loader.get_event()  # stream start
        node = None
        if not loader.check_event(StreamEndEvent):
            loader.get_event()  # document start
            node = self._root()
            loader.get_event()  # document end
        if not loader.check_event(StreamEndEvent):
            event = loader.get_event()
            raise ComposerError(
                "expected a single document in the stream",
                node.start_mark if node is not None else None,
                "but found another document",
                event.start_mark,
            )
        loader.get_event()  # stream end
        return node

    def _root(self) -> Node:
        loader, limits = self.loader, self.limits
        get_event, resolve = loader.get_event, loader.resolve
        stack: list[_Open] = []
        while True:
            event = get_event()
            kind = type(event)
            if kind is ScalarEvent:
                tag = event.tag
                if tag is None or tag == "!":
                    tag = resolve(ScalarNode, event.value, event.implicit)
                node = ScalarNode(
                    tag, event.value, event.start_mark, event.end_mark, style=event.style
                )
                size, height = 1, 0
                if event.anchor is not None:
                    self._anchor(event.anchor, node, event)
                    self.expanded[id(node)] = (1, 0)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if len(stack) >= limits.max_depth:
                    raise _LimitExceeded(
                        event.start_mark,
                        "E105",
                        f"lists and mappings are nested more than {limits.max_depth} deep",
                        "course and bank files need about a dozen levels: "
                        "check the indentation and the brackets",
                    )
                cls = MappingNode if kind is MappingStartEvent else SequenceNode
                tag = event.tag
                if tag is None or tag == "!":
                    tag = resolve(cls, None, event.implicit)
                collection = cls(tag, [], event.start_mark, None, flow_style=event.flow_style)
                if event.anchor is not None:
                    self._anchor(event.anchor, collection, event)
                stack.append(_Open(collection, event.anchor))
                continue
            elif kind is AliasEvent:
                node, size, height = self._alias(event, len(stack))
            else:  # the end of the innermost list or mapping
                done = stack.pop()
                node = done.node
                node.end_mark = event.end_mark
                items = done.items
                if kind is MappingEndEvent:
                    node.value = list(zip(items[0::2], items[1::2], strict=True))
                else:
                    node.value = items
                size, height = done.size, done.height
                if done.anchor is not None:
                    self.expanded[id(node)] = (size, height)
            if not stack:
                return node
            parent = stack[-1]
            parent.items.append(node)
            parent.size += size
            if height >= parent.height:
                parent.height = height + 1

    def _anchor(self, anchor: str | None, node: Node, event: Any) -> None:
        if anchor is None:
            return
        if anchor in self.anchors:
            raise ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence",
                self.anchors[anchor].start_mark,
                "second occurrence",
                event.start_mark,
            )
        self.anchors[anchor] = node

    def _alias(self, event: Any, depth: int) -> tuple[Node, int, int]:
        """The anchored node, with the nodes and levels it adds where the alias stands."""
        anchor = event.anchor
        node = self.anchors.get(anchor)
        if node is None:
            raise ComposerError(None, None, f"found undefined alias {anchor!r}", event.start_mark)
        # An alias inside its own anchor is still open: the builder reports it.
        size, height = self.expanded.get(id(node), (1, 0))
        limits = self.limits
        self.alias_nodes += size
        if self.alias_nodes > limits.max_alias_nodes:
            raise _LimitExceeded(
                event.start_mark,
                "E106",
                f"the aliases expand too much: up to `*{anchor}` they stand for "
                f"{self.alias_nodes:,} values, more than {limits.max_alias_nodes:,}",
                "aliases of aliases multiply: write the values out, or use fewer aliases",
            )
        if depth + height > limits.max_depth:
            raise _LimitExceeded(
                event.start_mark,
                "E105",
                f"with `*{anchor}` lists and mappings are nested more than {limits.max_depth} deep",
                "do not nest aliases of nested anchors inside one another",
            )
        return node, size, height


def _read(path: Path, limit: int) -> bytes | Diagnostic:
    """The bytes of ``path``, or E104 when it is larger than ``limit`` (never read past it)."""
    with path.open("rb") as file:
        raw = file.read(limit + 1)
    if len(raw) <= limit:
        return raw
    line = raw.count(b"\n", 0, limit) + 1
    col = limit - (raw.rfind(b"\n", 0, limit) + 1) + 1
    return Diagnostic(
        display_path(path),
        line,
        col,
        "E104",
        f"the file is larger than {limit:,} bytes: it passes that size here",
        "split it into several files, or move long texts into Markdown files with `body_file`",
    )


def load_document(
    path: Path, limits: Limits = DEFAULT_LIMITS
) -> tuple[Document | None, list[Diagnostic]]:
    """Read and compose one YAML file. Returns ``None`` when nothing usable could be read."""
    display = display_path(path)
    raw = _read(path, limits.max_bytes)
    if isinstance(raw, Diagnostic):
        return None, [raw]
    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Diagnostic(display, line, col, "E103", "the file is not UTF-8 text")]
    doc = Document(path=path, source=source)
    try:
        problems = _parse_within_limits(doc, limits)
    except _LimitExceeded as exc:
        line, col = exc.mark.line + 1, exc.mark.column + 1
        return None, [Diagnostic(display, line, col, exc.code, exc.message, exc.hint)]
    except yaml.YAMLError as exc:
        return None, [_syntax_diagnostic(display, source, exc)]
    if doc.data is None and not doc.values:
        return None, [Diagnostic(display, 1, 1, "E203", "the file is empty")]
    return doc, problems


def _parse_within_limits(doc: Document, limits: Limits) -> list[Diagnostic]:
    try:
        return _parse(doc, limits, SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        if mark is None or "maximum nesting depth" not in str(exc.problem):
            raise
        # libyaml refuses 1000 levels of nesting, but only once it has read them all (inside
        # brackets it looks ahead for a `:`). Cut the text there, and the composer stops at
        # its own, lower limit and tells where it is passed.
        cut = Document(path=doc.path, source=doc.source[: mark.index])
        with contextlib.suppress(yaml.YAMLError):
            _parse(cut, limits, SafeLoader)
        raise


def _parse(doc: Document, limits: Limits, loader_cls: Any) -> list[Diagnostic]:
    """Compose and build ``doc.data`` from ``doc.source``; the builder's diagnostics."""
    loader = loader_cls(doc.source)
    try:
        node = _Composer(loader, limits).single_node()
        if node is None:
            return []
        builder = _Builder(doc, loader)
        doc.data = builder.build(node, ())
        return builder.diagnostics
    finally:
        loader.dispose()
