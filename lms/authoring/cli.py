"""``lms validate``, ``lms schema`` and ``lms courses`` (``lms import``: ``lms.versions.cli``)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.authoring.diagnostics import Diagnostic
from lms.authoring.jsonschema import write_schemas
from lms.authoring.validate import validate_paths


def _default_paths() -> list[Path]:
    return [
        Path(os.environ.get("LMS_COURSES_PATH") or "courses"),
        Path(os.environ.get("LMS_QUIZZES_PATH") or "quizzes"),
    ]


def _summary(diagnostics: list[Diagnostic], files: int) -> str:
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    return f"{errors} error(s), {warnings} warning(s) in {files} file(s)"


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--certificates",
    type=click.Path(path_type=Path),
    envvar="LMS_CERTIFICATES_PATH",
    default="certificates",
    show_default=True,
    help="Folder of certificate templates.",
)
def validate_cmd(paths: tuple[Path, ...], strict: bool, output: str, certificates: Path) -> None:
    """Check course, question-bank and databank resource files (default: courses/, quizzes/).

    Prints every problem as FILE:LINE:COL: CODE: message (hint). Exits with 1 when there is
    an error (or, with --strict, a warning).
    """
    defaults = _default_paths()
    targets = list(paths) or [p for p in defaults if p.exists()]
    # Banks in the default folder are there to resolve the tests of the files named.
    # Banks in the quizzes folder and the databank's resources resolve references.
    result = validate_paths(
        targets, certificates, reference_paths=[defaults[1], defaults[0] / "resources"]
    )
    if output == "json":
        payload = {
            "files": len(result.files),
            "errors": len(result.errors),
            "warnings": len(result.warnings),
            "diagnostics": [d.to_json() for d in result.diagnostics],
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for diagnostic in result.diagnostics:
            click.echo(diagnostic.format())
        click.echo(_summary(result.diagnostics, len(result.files)), err=True)
    if result.failed(strict=strict):
        raise SystemExit(1)


@click.command("schema")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default="schema",
    show_default=True,
    help="Folder to write course.schema.json, quiz.schema.json and resource.schema.json into.",
)
def schema_cmd(output: Path) -> None:
    """Write the JSON Schema of course, bank and databank resource files (for editors)."""
    for path in write_schemas(output):
        click.echo(f"wrote {path.as_posix()}")


@click.command("courses")
@with_appcontext
def courses_cmd() -> None:
    """List the loaded courses with their current version."""
    from lms.catalog.queries import list_courses
    from lms.catalog.readmodel import localise
    from lms.core.db import db

    listings = list_courses(db.session)
    if not listings:
        click.echo("no courses loaded (lms import)")
    for item in listings:
        title = localise(item.title, item.default_language, item.default_language)
        stamp = item.imported_at.strftime("%Y-%m-%d %H:%M UTC")
        click.echo(f"{item.slug}  v{item.version}  {title}  ({item.source_path}, {stamp})")
