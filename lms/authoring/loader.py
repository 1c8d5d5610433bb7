"""Load YAML into plain Python data while remembering where every node came from.

PyYAML's composer already knows the position of each node; its constructor forgets it. We
compose the node graph with the safe loader and build the data ourselves, recording for each
path of keys/indices the node of the value and (for mapping entries) the node of the key. On
the way we catch what the constructor would silently accept, such as a key given twice.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lms.authoring.diagnostics import Diagnostic, display_path

#: A path into a document: mapping keys and list indices, from the root.
Path_ = tuple[Hashable, ...]

#: libyaml's parser when installed (same results, ten times faster), else PyYAML's own.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

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


def load_document(path: Path) -> tuple[Document | None, list[Diagnostic]]:
    """Read and compose one YAML file. Returns ``None`` when nothing usable could be read."""
    display = display_path(path)
    raw = path.read_bytes()
    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Diagnostic(display, line, col, "E103", "the file is not UTF-8 text")]
    doc = Document(path=path, source=source)
    loader = SafeLoader(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Diagnostic(display, 1, 1, "E203", "the file is empty")]
        builder = _Builder(doc, loader)
        doc.data = builder.build(node, ())
    except yaml.YAMLError as exc:
        return None, [_syntax_diagnostic(display, source, exc)]
    finally:
        loader.dispose()
    return doc, builder.diagnostics
