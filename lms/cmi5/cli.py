"""``lms export cmi5 COURSE [MODULE]``: a cmi5 package of a course or of one module."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.cmi5.package import export_package
from lms.cmi5.source import ExportError, load_course
from lms.core.security import LOCAL_HOSTS


@click.command("cmi5")
@click.argument("course")
@click.argument("module", required=False)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The zip to write (default: <course>-cmi5.zip, or <course>-<module>-cmi5.zip, "
    "in the current folder).",
)
@with_appcontext
def cmi5_cmd(course: str, module: str | None, output: Path | None) -> None:
    """Write a cmi5 package that another LMS can import (see docs/cmi5.md).

    Reads the course files (LMS_COURSES_PATH, LMS_QUIZZES_PATH), not the database: the
    package holds what the files say now, checked as `lms validate` checks them.
    """
    config = current_app.config
    name = f"{course}-{module}" if module else course
    output = output or Path.cwd() / f"{name}-cmi5.zip"
    try:
        source = load_course(
            Path(config["LMS_COURSES_PATH"]), Path(config["LMS_QUIZZES_PATH"]), course
        )
        summary = export_package(source, module, output)
    except ExportError as exc:
        for diagnostic in exc.diagnostics:
            click.echo(diagnostic.format(), err=True)
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {summary.path} ({summary.files} files, {len(summary.units)} AUs):")
    for unit in summary.units:
        extra = f", masteryScore {unit.mastery_score:g}" if unit.mastery_score is not None else ""
        click.echo(f"  {unit.url}: {unit.activity.type}, moveOn {unit.move_on}{extra}")
    for item in summary.left_out:
        click.echo(f"  left out: {item}")
    base = str(config["LMS_XAPI_BASE_IRI"])
    if urlsplit(base).hostname in LOCAL_HOSTS:
        click.echo(
            f"Note: the package's ids start with {base} (LMS_XAPI_BASE_IRI). Set it to this "
            "LMS's public address before handing the package out: an importing LMS keeps "
            "the ids, and they should be stable and belong to you.",
            err=True,
        )
