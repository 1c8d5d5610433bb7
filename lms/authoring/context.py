"""What the checks and normalisers of a type get to see: the file, its languages, the banks.

A ``CheckContext`` belongs to one course or bank file. Types use it to build diagnostics at
the right position, to check Markdown and included files, and (on import) to turn their
validated model into plain data.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from pydantic import BaseModel

from lms.authoring.diagnostics import Diagnostic, display_path
from lms.authoring.fields import LangPaths, LangText
from lms.authoring.loader import Document, Path_
from lms.authoring.markdown import CALLOUT_KINDS, Found, offset_in_source, scan_markdown


@dataclass(frozen=True)
class BankInfo:
    """What a course needs to know about a question bank."""

    id: str
    question_count: int
    where: str
    #: Number of questions per tag; None when only the size is known (an imported bank).
    tags: Mapping[str, int] | None = None


def did_you_mean(word: str, candidates: list[str] | set[str]) -> str:
    close = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else ""


@dataclass
class CheckContext:
    doc: Document
    languages: tuple[str, ...]
    banks: Mapping[str, BankInfo] = field(default_factory=dict)
    #: Databank resources that sections may name (``resources: [id, ...]``).
    resources: Mapping[str, Any] = field(default_factory=dict)
    certificates_dir: Path | None = None
    #: Files included by the course (relative to its folder) and the sha256 of their content,
    #: collected while normalising.
    assets: dict[str, str] = field(default_factory=dict)
    _files: dict[Path, str | None] = field(default_factory=dict)

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else "nl"

    @property
    def base_dir(self) -> Path:
        return self.doc.path.parent

    def diagnostic(
        self, code: str, path: Path_, message: str, hint: str = "", *, at_key: bool = False
    ) -> Diagnostic:
        return self.doc.diagnostic(code, path, message, hint, at_key=at_key)

    # -- included files -------------------------------------------------------------------

    def read_file(self, file: Path) -> str | None:
        """The text of an included file, or ``None`` when it is missing or unreadable."""
        if file not in self._files:
            try:
                self._files[file] = file.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                self._files[file] = None
        return self._files[file]

    def check_included(self, value: LangText, path: Path_) -> Iterator[Diagnostic]:
        """Each included Markdown file must exist; its Markdown is checked in place."""
        for _lang, relative, sub in value.items(self.default_language):
            file = self.base_dir / relative
            if not self.inside(file):
                yield self.diagnostic("E404", (*path, *sub), *_outside(relative, self.base_dir))
                continue
            if not file.is_file():
                hint = f"looked for {display_path(file)}"
                siblings = [p.name for p in file.parent.glob("*")] if file.parent.is_dir() else []
                suggestion = did_you_mean(file.name, siblings)
                yield self.diagnostic(
                    "E401",
                    (*path, *sub),
                    f"file `{relative}` does not exist",
                    f"{hint}; {suggestion}" if suggestion else hint,
                )
                continue
            text = self.read_file(file)
            if text is None:
                yield self.diagnostic("E103", (*path, *sub), f"`{relative}` is not UTF-8 text")
                continue
            yield from self._check_found(
                text, file.parent, lambda f, t=text, fl=file: _in_file(fl, t, f.offset)
            )

    def inside(self, file: Path) -> bool:
        """Whether ``file`` is in the folder of the YAML file (or below it)."""
        relative = _relative(file, self.base_dir)
        return relative != ".." and not relative.startswith("../")

    # -- Markdown ---------------------------------------------------------------------------

    def check_markdown(self, value: LangText, path: Path_) -> Iterator[Diagnostic]:
        """Images, links and boxes of a Markdown text written inside the YAML file."""
        for _lang, text, sub in value.items(self.default_language):
            where = (*path, *sub)
            span = self.doc.span(where)

            def locate(
                found: Found,
                text: str = text,
                where: Path_ = where,
                span: tuple[int, int] | None = span,
            ) -> tuple[str, int, int]:
                offset = None
                if span is not None:
                    offset = offset_in_source(text, found, self.doc.source, *span)
                line, col = self.doc.pos(where) if offset is None else self.doc.offset_pos(offset)
                return (self.doc.display, line, col)

            yield from self._check_found(text, self.base_dir, locate)

    def _check_found(
        self, text: str, base_dir: Path, locate: Callable[[Found], tuple[str, int, int]]
    ) -> Iterator[Diagnostic]:
        for found in scan_markdown(text):
            if found.kind == "image":
                if not found.alt.strip():
                    yield Diagnostic(
                        *locate(found),
                        "E402",
                        f"image `{found.target}` has no alt text",
                        f"describe what it shows: ![a short description]({found.target})",
                    )
                file = _local_file(found.target, base_dir)
                if file is not None and not self.inside(file):
                    yield Diagnostic(*locate(found), "E404", *_outside(found.target, self.base_dir))
                elif file is not None and not file.is_file():
                    yield Diagnostic(
                        *locate(found),
                        "E401",
                        f"image `{found.target}` does not exist",
                        f"looked for {display_path(file)}",
                    )
            elif found.kind == "link":
                if not found.target.startswith(("https://", "#")):
                    yield Diagnostic(
                        *locate(found),
                        "W506",
                        f"link `{found.target}` is not an https URL",
                        "link only to official sites, with an absolute https:// address",
                    )
            elif found.kind == "callout" and found.target not in CALLOUT_KINDS:
                hint = did_you_mean(found.target, set(CALLOUT_KINDS)) or (
                    "kinds: " + ", ".join(CALLOUT_KINDS)
                )
                yield Diagnostic(
                    *locate(found), "W505", f"unknown call-out box `{found.target}`", hint
                )

    # -- normalising --------------------------------------------------------------------------

    def note_assets(self, text: str, base_dir: Path) -> None:
        """Record the images used by ``text`` so that the content hash covers them."""
        for found in scan_markdown(text):
            file = _local_file(found.target, base_dir) if found.kind == "image" else None
            if file is not None and file.is_file():
                key = _relative(file, self.base_dir)
                self.assets[key] = hashlib.sha256(file.read_bytes()).hexdigest()

    def plain(self, value: Any, exclude: set[str] | frozenset[str] = frozenset()) -> Any:
        """A validated model as plain JSON data, each text as {language: text}."""
        if isinstance(value, LangText):
            texts = value.normalised(self.default_language)
            if not isinstance(value, LangPaths):
                for text in texts.values():
                    self.note_assets(text, self.base_dir)
            return texts
        if isinstance(value, BaseModel):
            return {
                name: self.plain(getattr(value, name))
                for name in type(value).model_fields
                if name not in exclude
            }
        if isinstance(value, list | tuple):
            return [self.plain(item) for item in value]
        return value

    def include_texts(self, value: LangPaths) -> tuple[dict[str, str], dict[str, str]]:
        """The contents of included Markdown files and their paths relative to the course."""
        bodies: dict[str, str] = {}
        paths: dict[str, str] = {}
        for lang, relative in value.normalised(self.default_language).items():
            file = self.base_dir / relative
            text = self.read_file(file) or ""
            self.note_assets(text, file.parent)
            bodies[lang] = text
            paths[lang] = _relative(file, self.base_dir)
        return bodies, paths


def _local_file(target: str, base_dir: Path) -> Path | None:
    """The file an image refers to, or ``None`` for a URL (not ours to check)."""
    if not target or urlparse(target).scheme:
        return None
    return base_dir / unquote(target.split("#", 1)[0].split("?", 1)[0])


def _relative(file: Path, base: Path) -> str:
    """``file`` relative to ``base`` (both may contain ``..``), for stable keys."""
    relative = os.path.relpath(os.path.normpath(file), os.path.normpath(base))
    return Path(relative).as_posix()


def _outside(target: str, base: Path) -> tuple[str, str]:
    return (
        f"`{target}` is outside the folder of this file",
        f"keep included files in {display_path(base)} or its sub-folders",
    )


def _in_file(file: Path, text: str, offset: int) -> tuple[str, int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return (display_path(file), line, col)
