"""The preview's app: the standalone LMS on a temporary SQLite database, plus the preview's
pages. The configured database (``LMS_DATABASE_URL``, ``instance/lms.cfg``) is never written:
the preview's own settings override everything else, and only the dry-run page reads the
configured database, read-only (``lms.preview.dryrun``)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from lms.app import create_app
from lms.core.migrate import upgrade
from lms.preview.dryrun import configured_database_url
from lms.preview.state import PreviewState
from lms.preview.views import bp


def _courses_folder(paths: list[Path]) -> Path:
    """The folder course images are relative to: a ``courses`` folder named or holding a
    named file, else the first folder named."""
    for path in paths:
        folder = path if path.is_dir() else path.parent
        if folder.name == "courses":
            return folder
    first = paths[0] if paths else Path("courses")
    return first if first.is_dir() else first.parent


def make_preview_app(paths: list[Path], certificates: Path | None, workdir: Path) -> Flask:
    """An app serving ``paths`` from a new database in ``workdir`` (a temporary folder)."""
    configured = configured_database_url()  # before the preview's own settings apply
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "preview.sqlite3"
    app = create_app(
        {
            "LMS_INSTANCE_PATH": str(workdir / "instance"),
            "LMS_DATABASE_URL": f"sqlite:///{database}",
            "LMS_DEMO": "no",
            "LMS_COURSES_PATH": str(_courses_folder(paths)),
            "LMS_CERTIFICATES_PATH": str(certificates or workdir / "certificates"),
            "LMS_PREVIEW": True,
        }
    )
    upgrade(app)
    app.register_blueprint(bp, url_prefix="/preview")
    app.extensions["lms_preview"] = PreviewState(app, paths, certificates, configured)
    return app
