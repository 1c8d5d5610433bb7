"""Shared helpers of the authoring tests."""

from __future__ import annotations

from pathlib import Path

from lms.authoring.validate import ValidationResult, validate_paths

FILES = Path(__file__).resolve().parent / "files"
VALID = FILES / "valid"
BROKEN = FILES / "broken"
CERTIFICATES = VALID / "certificates"


def validate(*paths: Path) -> ValidationResult:
    """Validate like ``lms validate FILE``: the valid banks resolve the tests' quizzes."""
    return validate_paths(
        list(paths), certificates_dir=CERTIFICATES, reference_paths=[VALID / "quizzes"]
    )


def found(result: ValidationResult) -> list[tuple[str, str, int, int]]:
    """(code, file relative to the fixtures folder, line, col) of every diagnostic."""
    return [
        (d.code, Path(d.file).resolve().relative_to(FILES).as_posix(), d.line, d.col)
        for d in result.diagnostics
    ]
