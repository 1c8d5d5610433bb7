"""``lms serve``: its options and refusals (the server itself: tests/ops/test_gunicorn.py)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from lms.app import create_app
from lms.cli import main


def serve(app, *args: str):
    return app.test_cli_runner().invoke(args=["lms", "serve", *args])


def test_help():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "gunicorn with several worker processes" in result.output
    assert "--workers" in result.output and "--bind" in result.output


@pytest.mark.parametrize("bind", ["8000", "localhost", "127.0.0.1:http", ":8000"])
def test_a_bind_address_that_is_not_host_port_is_refused(app, bind):
    result = serve(app, "--bind", bind)
    assert result.exit_code == 2
    assert "give HOST:PORT (e.g. 127.0.0.1:8000) or unix:PATH" in result.output


def test_workers_out_of_range_are_refused(app):
    result = serve(app, "--workers", "0")
    assert result.exit_code == 2 and "--workers" in result.output


def test_it_refuses_a_schema_behind_the_code(app, monkeypatch):
    from lms.core import migrate

    monkeypatch.setattr(migrate, "code_heads", lambda: ("9999_future",))
    result = serve(app, "--bind", "127.0.0.1:1")
    assert result.exit_code == 1
    assert "code needs 9999_future: run `lms db upgrade`" in result.output


def test_it_says_when_the_database_does_not_answer(tmp_path):
    app = create_app(
        {
            "LMS_INSTANCE_PATH": str(tmp_path),
            "LMS_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/nothing",
            "LMS_DEMO": "no",
        }
    )
    result = serve(app)
    assert result.exit_code == 1
    assert "Error: the database does not answer" in result.output


def test_lms_help_lists_the_lms_commands_only(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    listed = {
        line.split()[0]
        for line in result.output.split("Commands:")[1].splitlines()
        if line.startswith("  ")
    }
    assert {"serve", "check", "backup", "restore", "users", "reports"} <= listed
    # The host app's `flask lms` group and Flask-Limiter's group are not ours to list.
    assert not listed & {"lms", "limiter"}
