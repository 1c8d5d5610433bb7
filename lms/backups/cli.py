"""``lms backup DEST`` and ``lms restore ARCHIVE``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect, text

from lms.backups.archive import BackupError, make_backup, restore_archive, sqlite_path
from lms.certification.health import record_key_backup
from lms.core.migrate import MIGRATIONS_DIR, current_revision


def _database_url() -> str:
    return current_app.extensions["lms"].engine.url.render_as_string(hide_password=False)


@click.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
@with_appcontext
def backup_cmd(dest: Path) -> None:
    """Back up the database (SQLite) and the instance files into one archive at DEST (a
    file name, or a folder for lms-backup-<date>-<time>.tar.gz). Safe while the LMS runs.
    On PostgreSQL only the instance files go in: back up the database with pg_dump (see
    docs/operations.md, "Backups and restore")."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    url = _database_url()
    postgres = sqlite_path(url) is None
    try:
        result = make_backup(
            dest,
            instance=Path(app.config["LMS_INSTANCE_PATH"]),
            database_url=url,
            schema_version=current_revision(app) if postgres else None,
        )
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    # The archive holds the signing keys: `lms check` stops asking for a key backup.
    record_key_backup(app.config["LMS_INSTANCE_PATH"])
    click.echo(
        f"Backup written: {result.path} ({result.files} files, {result.size} bytes, "
        f"schema {result.schema_version or 'empty'})."
    )
    if postgres:
        click.echo(
            "PostgreSQL: this archive holds the instance files only (signing keys, secret "
            "key, configuration). Back up the database itself with pg_dump, e.g.\n"
            '  pg_dump --format=custom --file=lms-db.dump "$LMS_DATABASE_URL"\n'
            '(see docs/operations.md, "Backups and restore").'
        )


@click.command("restore")
@click.argument("archive", type=click.Path(path_type=Path))
@with_appcontext
def restore_cmd(archive: Path) -> None:
    """Restore ARCHIVE (made by lms backup) into this EMPTY instance. Every checksum and the
    schema version are checked before anything is written; a damaged archive, an unsafe
    file name, a newer schema or an instance with data is refused."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    state = app.extensions["lms"]
    # Alembic is imported here, not with the module: the CLI commands are registered on every
    # app, and a web worker would otherwise hold it (about 10 MB) without ever using it.
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    known = {revision.revision for revision in script.walk_revisions()}
    head = script.get_current_head()

    def count_people() -> int | None:
        with state.engine.connect() as connection:
            if not inspect(connection).has_table("lms_user"):
                return None
            return connection.execute(text("SELECT count(*) FROM lms_user")).scalar()

    try:
        result = restore_archive(
            archive,
            instance=Path(app.config["LMS_INSTANCE_PATH"]),
            database_url=_database_url(),
            known_revisions=known,
            head=head,
            count_people=count_people,
            dispose=state.engine.dispose,
        )
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored {result.files} files (database: {result.database}).")
    if result.database == "postgresql":
        click.echo(
            "PostgreSQL: restore the database from its pg_dump file with pg_restore (see "
            'docs/operations.md, "Backups and restore").'
        )
    if result.needs_upgrade:
        click.echo("The backup's schema is older than this LMS: run `lms db upgrade` now.")
