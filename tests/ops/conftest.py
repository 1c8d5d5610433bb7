"""Fixtures of the operations tests: a PostgreSQL database of their own that really commits,
worker processes, an SMTP sink and Redis.

The ``multiprocess`` tests run separate processes (workers, gunicorn) against PostgreSQL; they
run once, in the PostgreSQL run of scripts/test.sh, which passes ``TEST_DATABASE_URL``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.ops.servers import RedisServer, SMTPSink
from tests.xapi.conftest import ralph, ralph_python  # noqa: F401 (fixtures)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A new, migrated PostgreSQL database on the test server, dropped afterwards."""
    from lms.app import create_app
    from lms.core.migrate import upgrade

    server = os.environ.get("TEST_DATABASE_URL", "")
    if not server.startswith("postgresql"):
        pytest.fail(
            "this test needs PostgreSQL: run it as scripts/test.sh does, through "
            "scripts/with-postgres.sh (TEST_DATABASE_URL=postgresql+psycopg://...)"
        )
    name = f"lms_ops_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    app = create_app({"LMS_DATABASE_URL": url, "LMS_DEMO": "no", "TESTING": True})
    upgrade(app)
    app.extensions["lms"].engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_app(pg_url: str, tmp_path: Path):
    """An app on that database (for preparing data; it commits for real)."""
    from lms.app import create_app

    app = create_app(
        {
            "TESTING": True,
            "LMS_DATABASE_URL": pg_url,
            "LMS_INSTANCE_PATH": str(tmp_path / "setup-instance"),
            "LMS_DEMO": "no",
            "LMS_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        }
    )
    yield app
    app.extensions["lms"].engine.dispose()


@pytest.fixture
def pg_engine(pg_url: str):
    engine = create_engine(pg_url)
    yield engine
    engine.dispose()


@pytest.fixture
def smtp_sink() -> Iterator[SMTPSink]:
    sink = SMTPSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def lms_process(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``lms ARGS`` as a separate process of this worktree's code."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "lms.cli", *args],
            cwd=REPO,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
