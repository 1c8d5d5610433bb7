"""``lms preview [PATHS] [--host H] [--port P]``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click


@click.command("preview")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5050, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--certificates",
    type=click.Path(path_type=Path),
    envvar="LMS_CERTIFICATES_PATH",
    default="certificates",
    show_default=True,
    help="Folder of certificate templates.",
)
def preview_cmd(paths: tuple[Path, ...], host: str, port: int, certificates: Path) -> None:
    """Preview courses and question banks from the files on disk (default: courses/, quizzes/).

    Serves them from a temporary database (never the configured one) and rebuilds when a
    file changes; an open page reloads itself. A file with an error shows the problems,
    like `lms validate`, until it is fixed.
    """
    from werkzeug.serving import run_simple

    from lms.preview.server import make_preview_app

    targets = list(paths) or [
        p
        for p in (
            Path(os.environ.get("LMS_COURSES_PATH") or "courses"),
            Path(os.environ.get("LMS_QUIZZES_PATH") or "quizzes"),
        )
        if p.exists()
    ]
    if not targets:
        raise click.ClickException("no course files: name the files or folders to preview")
    with tempfile.TemporaryDirectory(prefix="lms-preview-") as workdir:
        app = make_preview_app(
            targets, certificates if certificates.exists() else None, Path(workdir)
        )
        click.echo(f" * preview of {', '.join(str(t) for t in targets)}")
        click.echo(f" * open http://{host}:{port}/preview/ (Ctrl+C to stop)")
        run_simple(host, port, app, threaded=True)
