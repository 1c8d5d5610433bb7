"""Validate course and question-bank files: every problem of every file, in one run.

``validate_paths`` is a plain function (no Flask): the CLI, the importer, the benchmark and
the tests all call it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from lms.authoring.builtin import default_registries
from lms.authoring.checks import BankChecker, CourseChecker, ResourceChecker, new_context
from lms.authoring.context import BankInfo, CheckContext
from lms.authoring.diagnostics import Diagnostic, display_path, sort_key
from lms.authoring.errors import translate
from lms.authoring.loader import Document, load_document
from lms.authoring.registry import Registries
from lms.authoring.resources import ResourceFile, ResourceInfo
from lms.authoring.schema import format_models

FileKind = Literal["course", "bank", "resource"]


@dataclass
class ParsedFile:
    """A course or bank file; ``model`` is its full model when the file has no error."""

    kind: FileKind
    doc: Document
    ctx: CheckContext
    model: BaseModel | None = None

    @property
    def id_key(self) -> str:
        return "resource" if self.kind == "resource" else "id"

    @property
    def id(self) -> str | None:
        data = self.doc.data
        ident = data.get(self.id_key) if isinstance(data, dict) else None
        return ident if isinstance(ident, str) else None


@dataclass
class ValidationResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    courses: list[ParsedFile] = field(default_factory=list)
    banks: list[ParsedFile] = field(default_factory=list)
    resources: list[ParsedFile] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    def failed(self, *, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[Diagnostic]]:
    """The YAML files named by ``paths`` (folders are searched for ``*.yaml``)."""
    files: dict[Path, Path] = {}
    problems: list[Diagnostic] = []
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*.yaml")):
                files.setdefault(file.resolve(), file)
        elif path.is_file():
            files.setdefault(path.resolve(), path)
        else:
            problems.append(Diagnostic(display_path(path), 1, 1, "E103", "no such file or folder"))
    return sorted(files.values(), key=lambda p: display_path(p)), problems


def _kind(doc: Document) -> FileKind:
    data = doc.data
    if isinstance(data, dict):
        if "resource" in data:
            return "resource"
        if "modules" in data:
            return "course"
        if "questions" in data:
            return "bank"
    for parent in doc.path.resolve().parents:
        if parent.name == "resources" and parent.parent.name == "courses":
            return "resource"
        if parent.name == "quizzes":
            return "bank"
        if parent.name == "courses":
            return "course"
    return "course"


def _load(files: list[Path]) -> tuple[list[Document], list[Diagnostic]]:
    docs: list[Document] = []
    diagnostics: list[Diagnostic] = []
    for file in files:
        doc, problems = load_document(file)
        diagnostics += problems
        if doc is not None:
            docs.append(doc)
    return docs, diagnostics


def _duplicates_across_files(
    parsed: list[ParsedFile], what: str
) -> list[tuple[ParsedFile, Diagnostic]]:
    first: dict[str, ParsedFile] = {}
    problems = []
    for item in parsed:
        ident = item.id
        if ident is None:
            continue
        if ident in first:
            other = first[ident].doc
            line, _ = other.pos((item.id_key,))
            diagnostic = item.doc.diagnostic(
                "E301",
                (item.id_key,),
                f"{what} id `{ident}` is already used",
                f"by {other.display}:{line}; ids are unique across {what}s",
            )
            problems.append((item, diagnostic))
        else:
            first[ident] = item
    return problems


def validate_paths(
    paths: Iterable[Path],
    certificates_dir: Path | None = None,
    *,
    reference_paths: Iterable[Path] = (),
    known_banks: Mapping[str, BankInfo] | None = None,
    known_resources: Mapping[str, ResourceInfo] | None = None,
    registries: Registries | None = None,
) -> ValidationResult:
    """Validate the course and bank files under ``paths``.

    ``reference_paths`` are read only to resolve references (banks named by tests) and are
    not reported on; ``known_banks`` and ``known_resources`` add banks and databank resources
    known otherwise (e.g. already imported).
    Without ``certificates_dir`` certificate templates are not checked.
    """
    registries = registries or default_registries()
    models = format_models(registries)
    result = ValidationResult()
    result.files, problems = collect_files(paths)
    result.diagnostics += problems
    docs, problems = _load(result.files)
    result.diagnostics += problems

    bank_index: dict[str, BankInfo] = dict(known_banks or {})
    resource_index: dict[str, ResourceInfo] = dict(known_resources or {})
    own = {f.resolve() for f in result.files}
    reference_files, _ = collect_files(p for p in reference_paths if p.exists())
    reference_docs, _ = _load([f for f in reference_files if f.resolve() not in own])
    for doc in reference_docs:
        if _kind(doc) == "bank":
            checker = BankChecker(doc, models, registries, new_context(doc))
            if (info := checker.info()) is not None:
                bank_index[info.id] = info
        elif _kind(doc) == "resource" and (info := ResourceChecker.info_of(doc)) is not None:
            resource_index[info.id] = info

    file_problems: dict[int, list[Diagnostic]] = {}
    banks = [d for d in docs if _kind(d) == "bank"]
    for doc in banks:
        checker = BankChecker(doc, models, registries, new_context(doc))
        checker.run()
        file_problems[id(doc)] = checker.diagnostics
        result.banks.append(ParsedFile("bank", doc, checker.ctx))
        if (info := checker.info()) is not None:
            bank_index[info.id] = info
    for doc in docs:
        if _kind(doc) == "resource":
            checker = ResourceChecker(doc, models, registries, new_context(doc))
            checker.run()
            file_problems[id(doc)] = checker.diagnostics
            result.resources.append(ParsedFile("resource", doc, checker.ctx))
            if (info := ResourceChecker.info_of(doc)) is not None:
                resource_index[info.id] = info
    for problem_doc, diagnostic in ResourceChecker.duplicate_urls(result.resources):
        file_problems[id(problem_doc)].append(diagnostic)
    for doc in docs:
        if _kind(doc) == "course":
            ctx = new_context(
                doc,
                banks=bank_index,
                resources=resource_index,
                certificates_dir=certificates_dir,
            )
            checker = CourseChecker(doc, models, registries, ctx)
            checker.run()
            file_problems[id(doc)] = checker.diagnostics
            result.courses.append(ParsedFile("course", doc, ctx))

    groups = ((result.banks, "bank"), (result.courses, "course"), (result.resources, "resource"))
    for parsed, what in groups:
        for item, diagnostic in _duplicates_across_files(parsed, what):
            file_problems[id(item.doc)].append(diagnostic)
        for item in parsed:
            result.diagnostics += file_problems[id(item.doc)]
            if not any(d.is_error for d in file_problems[id(item.doc)]):
                item.model = _full_model(item, models, result.diagnostics)
    result.diagnostics.sort(key=sort_key)
    return result


def _full_model(item: ParsedFile, models: Any, sink: list[Diagnostic]) -> BaseModel | None:
    if item.kind == "resource":
        model_cls: Any = ResourceFile
    else:
        model_cls = models.course if item.kind == "course" else models.bank
    try:
        return model_cls.model_validate(item.doc.data)
    except ValidationError as exc:  # the level-by-level checks should have caught it
        sink += translate(exc, item.doc, (), item.doc.data, model_cls)
        return None
