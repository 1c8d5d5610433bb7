"""Diagnostics: one problem found in a course or bank file, with its position.

Every diagnostic carries a stable code (``E201``) that the trainer's guide documents and the
tests assert. Errors start with ``E`` and block an import; warnings start with ``W``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Code:
    """A stable diagnostic code with a short name (docs/authoring.md tells how to fix it)."""

    code: str
    name: str
    summary: str

    @property
    def severity(self) -> Severity:
        return Severity.WARNING if self.code.startswith("W") else Severity.ERROR


_CODES = [
    # E1xx: the file itself
    Code("E101", "yaml-syntax", "The file is not valid YAML."),
    Code("E102", "duplicate-key", "A key appears twice in the same mapping."),
    Code("E103", "unreadable-file", "The file cannot be read as UTF-8 text."),
    Code("E104", "file-too-large", "The file is larger than a course file may be."),
    Code("E105", "nested-too-deep", "Lists and mappings are nested too deeply."),
    Code("E106", "alias-expansion", "Aliases (*name) expand to too many values."),
    # E2xx: the shape of the data
    Code("E201", "unknown-key", "A key that the format does not know."),
    Code("E202", "missing-field", "A required field is missing."),
    Code("E203", "wrong-type", "A value has the wrong type."),
    Code("E204", "invalid-value", "A value is not one of those allowed."),
    Code("E205", "out-of-range", "A number is outside its range."),
    Code("E206", "too-few-items", "A list has fewer items than required."),
    Code("E207", "invalid-id", "An id is not a slug."),
    Code("E208", "body-conflict", "A section needs exactly one of body / body_file."),
    Code("E210", "unknown-activity-type", "Unknown activity type."),
    Code("E211", "unknown-question-type", "Unknown question type."),
    # E3xx: references and consistency
    Code("E301", "duplicate-id", "An id is used twice where it must be unique."),
    Code("E302", "unknown-quiz", "A test names a question bank that does not exist."),
    Code("E303", "not-enough-questions", "A test draws more questions than its bank has."),
    Code("E304", "unknown-completion-ref", "A completion rule names an unknown item."),
    Code("E305", "no-correct-answer", "A question has no correct answer."),
    Code("E306", "unknown-answer-choice", "An answer key names no choice."),
    Code("E307", "too-many-correct", "A single-choice question has several answers."),
    Code("E308", "answer-conflict", "Both `answer` and `correct:` flags are given."),
    Code("E309", "unknown-tag", "A test draws questions by a tag that no question has."),
    Code("E310", "unknown-resource", "A section names a databank resource that does not exist."),
    Code("E311", "resource-file-name", "A resource's id differs from its file name."),
    Code("E312", "duplicate-resource-url", "Two resources link to the same address."),
    Code("E313", "resource-language", "A resource has no title or description in nl or fr."),
    # E4xx: included files
    Code("E401", "missing-file", "An included Markdown or image file does not exist."),
    Code("E402", "missing-alt-text", "An image has no alt text."),
    Code("E403", "missing-certificate-template", "No such certificate template."),
    Code("E404", "file-outside-folder", "An included file is outside the course's folder."),
    # W5xx: warnings
    Code("W501", "missing-translation", "A text lacks one of the declared languages."),
    Code("W502", "empty-lesson", "A lesson has no sections."),
    Code("W503", "empty-elearning", "An e-learning has no lessons."),
    Code("W504", "undeclared-language", "A text uses a language not declared."),
    Code("W505", "unknown-callout", "A `:::` box of an unknown kind."),
    Code("W506", "insecure-link", "A link that is not an absolute https URL."),
    Code("W507", "resource-translation", "A resource lacks its Dutch or French text."),
]

#: Every code, by its code string. The trainer's guide documents each of them.
CODES: dict[str, Code] = {c.code: c for c in _CODES}


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at ``file:line:col`` (1-based)."""

    file: str
    line: int
    col: int
    code: str
    message: str
    hint: str = ""

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def name(self) -> str:
        return CODES[self.code].name

    def format(self) -> str:
        text = f"{self.file}:{self.line}:{self.col}: {self.code}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        data["name"] = self.name
        return data


def display_path(path: Path) -> str:
    """A path as shown in diagnostics: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def sort_key(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.file, d.line, d.col, d.code, d.message)
