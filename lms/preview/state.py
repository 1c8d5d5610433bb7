"""What the preview shows: the last build of the files on disk, rebuilt when one changes.

A build validates the files (the loader's limits bound what a huge or alias-bomb file may
cost) and, when they have no error, imports them into the preview's own temporary SQLite
database. A broken build keeps the error list (with the offending lines quoted) instead of
the course; the next good build brings the course back. Files are watched by polling their
modification times and sizes: simple, and the same on every system and editor.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask

from lms.authoring.diagnostics import Diagnostic
from lms.authoring.importer import ImportFailed, import_paths
from lms.authoring.loader import Limits
from lms.core.db import db

#: Characters of a quoted line shown at most (a minified line could be megabytes long).
QUOTE_WIDTH = 200


@dataclass(frozen=True)
class Problem:
    """A diagnostic with the lines it points at (the line before, the line, the line after)."""

    diagnostic: Diagnostic
    #: (line number, text) pairs; empty when the file cannot be read.
    lines: tuple[tuple[int, str], ...]


@dataclass
class Build:
    """The result of one build."""

    number: int
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    courses: list[str] = field(default_factory=list)
    banks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def quote(diagnostic: Diagnostic) -> Problem:
    """``diagnostic`` with its line and the lines around it, read within the loader's size
    limit (a file over it is not read at all)."""
    path = Path(diagnostic.file)
    try:
        if not path.is_file() or path.stat().st_size > Limits().max_bytes:
            return Problem(diagnostic, ())
        text = path.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return Problem(diagnostic, ())
    first = max(1, diagnostic.line - 1)
    last = min(len(text), diagnostic.line + 1)
    lines = tuple((n, text[n - 1][:QUOTE_WIDTH]) for n in range(first, last + 1))
    return Problem(diagnostic, lines)


def snapshot(paths: Iterable[Path]) -> tuple[tuple[str, int, int], ...]:
    """The files under ``paths`` (any kind: YAML, Markdown, images) with their modification
    time and size: a build is due when this changes."""
    seen = []
    for root in paths:
        candidates = [root] if root.is_file() else sorted(root.rglob("*")) if root.is_dir() else []
        for file in candidates:
            try:
                stat = file.stat()
            except OSError:
                continue
            if file.is_file():
                seen.append((str(file), stat.st_mtime_ns, stat.st_size))
    return tuple(seen)


class PreviewState:
    """The current build and a counter the reload script polls; thread-safe."""

    def __init__(
        self, app: Flask, paths: list[Path], certificates: Path | None, configured_url: str
    ) -> None:
        self.app = app
        self.paths = paths
        self.certificates = certificates
        #: The database ``lms import`` would use, which the dry-run page reads (read-only).
        self.configured_url = configured_url
        self._lock = threading.Lock()
        self._seen: tuple[tuple[str, int, int], ...] | None = None
        self.build = Build(0)

    @property
    def counter(self) -> int:
        return self.build.number

    def refresh(self) -> bool:
        """Rebuild if a file changed since the last build; True when it rebuilt."""
        with self._lock:
            now = snapshot(self.paths)
            if now == self._seen:
                return False
            self._seen = now
            self.build = self._build(self.build.number + 1)
            return True

    def _build(self, number: int) -> Build:
        """Import the files into the preview's database (its own app context and session)."""
        build = Build(number)
        with self.app.app_context():
            try:
                report = import_paths(
                    db.session, self.paths, self.certificates, imported_by="lms preview"
                )
                db.session.commit()
            except ImportFailed as exc:
                db.session.rollback()
                build.problems = [quote(d) for d in exc.diagnostics if d.is_error]
                build.warnings = [quote(d) for d in exc.diagnostics if not d.is_error]
                return build
        build.warnings = [quote(d) for d in report.warnings]
        build.courses = [e.slug for e in report.entries if e.kind == "course"]
        build.banks = [e.slug for e in report.entries if e.kind == "bank"]
        return build
