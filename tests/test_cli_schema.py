"""A command run before the database has its tables says what to do, not a traceback."""

from __future__ import annotations

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy.exc import OperationalError, ProgrammingError

from lms.cli import main
from lms.commands import SCHEMA_MISSING, schema_missing


@pytest.mark.parametrize(
    "args",
    [
        ["users", "erase", "nobody@example.be", "--yes"],
        ["reports", "snapshot"],
        ["mail", "send", "--once"],
    ],
)
def test_commands_on_an_empty_database_say_to_upgrade(tmp_path, monkeypatch, args):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("LMS_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert SCHEMA_MISSING in result.output
    assert "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)


def test_missing_tables_are_recognised_on_both_databases():
    sqlite = OperationalError("SELECT 1", {}, Exception("no such table: lms_user"))
    postgres = ProgrammingError(
        "SELECT 1", {}, psycopg.errors.UndefinedTable('relation "lms_user" does not exist')
    )
    other = OperationalError("SELECT 1", {}, Exception("database is locked"))
    assert schema_missing(sqlite) and schema_missing(postgres)
    assert not schema_missing(other)
