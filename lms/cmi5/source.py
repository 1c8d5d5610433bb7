"""The course to export, read from the course files (the YAML in git), not from a database.

The files are validated exactly as ``lms validate`` does; an error in the course or in a
question bank its tests draw from stops the export with the validator's own messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lms.authoring.diagnostics import Diagnostic
from lms.authoring.normalise import bank_definition, content_hash, course_definition
from lms.authoring.validate import ParsedFile, ValidationResult, validate_paths
from lms.catalog.readmodel import BankDef, CourseDef, build_bank_def, build_course_def


class ExportError(Exception):
    """The course cannot be exported; the message says why in plain words."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics or []


@dataclass(frozen=True)
class CourseSource:
    course: CourseDef
    #: The question banks the course's tests draw from, by id.
    banks: Mapping[str, BankDef]
    #: The folder of the course file: included Markdown and images are relative to it.
    folder: Path


def _banks_of(course: CourseDef) -> list[str]:
    named: list[str] = []
    for module in course.modules:
        for activity in module.activities:
            if activity.type != "test":
                continue
            quiz = activity.settings.get("quiz")
            for bank in [quiz] if isinstance(quiz, str) else list(quiz or ()):
                if bank not in named:
                    named.append(bank)
    return named


def _failed(parsed: ParsedFile, result: ValidationResult) -> ExportError:
    """The errors of ``parsed``: those in its own file and in the Markdown files it includes
    (every error that is not in another course, bank or resource file)."""
    others = {
        item.doc.display
        for item in (*result.courses, *result.banks, *result.resources)
        if item is not parsed
    }
    own = [d for d in result.errors if d.file not in others]
    return ExportError(
        f"{parsed.doc.display} has {len(own)} error(s); fix them first (`lms validate`)", own
    )


def load_course(courses_path: Path, quizzes_path: Path, slug: str) -> CourseSource:
    """The course ``slug`` from the course and quiz folders, validated, with its banks."""
    paths = [path for path in (courses_path, quizzes_path) if path.exists()]
    if not paths:
        raise ExportError(f"the course folder {courses_path} does not exist")
    result = validate_paths(paths)
    found = {parsed.id: parsed for parsed in result.courses if parsed.id}
    parsed = found.get(slug)
    if parsed is None:
        known = ", ".join(sorted(found)) or "none"
        raise ExportError(f"there is no course `{slug}` in {courses_path} (courses: {known})")
    if parsed.model is None:
        raise _failed(parsed, result)
    definition = course_definition(parsed)
    course = build_course_def(
        definition, course_id=0, version_id=0, number=0, content_hash=content_hash(definition)
    )
    bank_files = {bank.id: bank for bank in result.banks if bank.id}
    banks: dict[str, BankDef] = {}
    for bank_id in _banks_of(course):
        bank_file = bank_files[bank_id]  # the course validated, so every bank it names exists
        if bank_file.model is None:
            raise _failed(bank_file, result)
        bank = bank_definition(bank_file)
        banks[bank_id] = build_bank_def(
            bank, bank_id=0, version_id=0, number=0, content_hash=content_hash(bank)
        )
    return CourseSource(course, banks, parsed.ctx.base_dir)
