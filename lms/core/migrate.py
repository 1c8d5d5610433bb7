"""Schema migrations with Alembic, run from Python (``lms db upgrade`` and on ``lms run``).

The migration scripts live in ``lms/migrations``. The version table is ``lms_alembic_version``
so that the LMS can share a database with a host application that uses Alembic itself.

Alembic is imported by the functions that use it, not with this module: the CLI commands are
registered on every app, and a web worker would otherwise hold Alembic (about 10 MB) without
ever using it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
VERSION_TABLE = "lms_alembic_version"
#: Tables the models do not describe: the databank's SQLite FTS5 index and its shadow tables
#: (made by migration 0017_databank).
UNMODELLED_TABLE_PREFIXES = ("lms_resource_fts",)


def is_modelled_table(name: str) -> bool:
    """Whether Alembic compares the table ``name`` with the models (LMS tables only)."""
    return name.startswith("lms_") and not name.startswith(UNMODELLED_TABLE_PREFIXES)


def alembic_config(app: Flask) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = app.extensions["lms"].engine
    return config


def current_revision(app: Flask, connection: Connection | None = None) -> str | None:
    """The database's schema revision(s); on ``connection`` if given (a check inside a
    transaction must not open a second one: on SQLite it would wait for its own lock)."""
    if connection is None:
        with app.extensions["lms"].engine.connect() as own:
            return current_revision(app, own)
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return ", ".join(sorted(context.get_current_heads())) or None


@functools.cache
def code_heads() -> tuple[str, ...]:
    """The head revisions of the migration scripts shipped with this code."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return tuple(ScriptDirectory.from_config(config).get_heads())


def upgrade(app: Flask, revision: str = "heads") -> bool:
    """Apply migrations; returns True if the database was empty before."""
    from alembic import command

    was_new = current_revision(app) is None
    command.upgrade(alembic_config(app), revision)
    return was_new


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@click.argument("revision", default="heads")
@with_appcontext
def upgrade_cmd(revision: str) -> None:
    """Apply the schema migrations (creates the database on first use)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    was_new = upgrade(app, revision)
    click.echo(f"Database {'created' if was_new else 'upgraded'}: {current_revision(app)}")


@db_group.command("current")
@with_appcontext
def current_cmd() -> None:
    """Show the schema revision of the database."""
    click.echo(current_revision(current_app._get_current_object()) or "empty")  # type: ignore[attr-defined]
