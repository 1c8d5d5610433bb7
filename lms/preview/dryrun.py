"""What ``lms import --dry-run`` would say, for the preview: the files on disk compared with
the configured database (``LMS_DATABASE_URL`` or the instance's SQLite file), opened READ-ONLY.

The plan and the learners affected come from the same functions as the command
(``plan_import``, ``plan_impact``). The configured database is never created and never
written: a missing SQLite file is not opened at all; an existing one is opened through a
``file:...?mode=ro`` URI; on PostgreSQL every transaction of the connection is read-only
(``default_transaction_read_only``).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from lms.authoring.diagnostics import Diagnostic
from lms.authoring.importer import ImportFailed, ImportPlan, plan_import
from lms.core.migrate import VERSION_TABLE, code_heads
from lms.extension import database_url, load_config
from lms.versions.impact import CourseImpact, plan_impact

#: Why there is no comparison (the page says it in plain words).
NO_DATABASE = "no database"
NO_SCHEMA = "no schema"
OUTDATED = "outdated"
UNREACHABLE = "unreachable"


def configured_database_url() -> str:
    """The database ``lms import`` would use here: defaults < instance/lms.cfg < environment
    (the instance folder is ``LMS_INSTANCE_PATH`` or ./instance). Creates nothing."""
    instance = Path(os.environ.get("LMS_INSTANCE_PATH") or Path.cwd() / "instance").resolve()
    probe = Flask("lms-configured", instance_path=str(instance))
    load_config(probe, instance)
    return database_url(probe, instance)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None: another database, or one in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    name = parsed.database or ""
    if not name or name == ":memory:" or "mode=memory" in url:
        return None
    return Path(name.removeprefix("file:")).resolve()


def open_read_only(url: str) -> Engine:
    """An engine on ``url`` that cannot write (see the module docstring)."""
    path = sqlite_file(url)
    if path is not None:
        uri = f"{path.as_uri()}?mode=ro"
        engine = create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(uri, uri=True, timeout=5, check_same_thread=False),
            poolclass=NullPool,
        )

        @event.listens_for(engine, "connect")
        def _autocommit_off(dbapi_conn, _record) -> None:
            dbapi_conn.isolation_level = None  # SQLAlchemy's BEGIN below, not the driver's

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:  # one snapshot for the whole plan
            conn.exec_driver_sql("BEGIN")

        return engine
    parsed = make_url(url)
    # A server that does not answer must not hold the page for minutes.
    timeout = {} if "connect_timeout" in parsed.query else {"connect_timeout": 5}
    is_postgresql = parsed.get_backend_name() == "postgresql"
    engine = create_engine(url, poolclass=NullPool, connect_args=timeout if is_postgresql else {})
    if is_postgresql:

        @event.listens_for(engine, "connect")
        def _read_only(dbapi_conn, _record) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            cursor.execute("SET default_transaction_read_only = on")
            cursor.close()
            dbapi_conn.commit()

    else:  # pragma: no cover - the LMS supports SQLite and PostgreSQL only
        engine.dispose()
        raise ValueError(f"cannot open {engine.dialect.name} read-only")
    return engine


@dataclass
class DryRun:
    """The dry-run report for the preview, or why there is none."""

    #: The database compared with, without its password.
    database: str
    #: NO_DATABASE, NO_SCHEMA, OUTDATED, UNREACHABLE or None (compared).
    missing: str | None = None
    plan: ImportPlan | None = None
    impacts: dict[str, CourseImpact] = field(default_factory=dict)
    #: Errors an import into the configured database would stop at (e.g. a bank it lacks).
    problems: list[Diagnostic] = field(default_factory=list)

    @property
    def not_in_files(self) -> dict[str, CourseImpact]:
        """Courses not among the files whose learners a changed bank affects."""
        in_plan = {i.slug for i in self.plan.items if i.kind == "course"} if self.plan else set()
        return {slug: impact for slug, impact in self.impacts.items() if slug not in in_plan}


def dry_run(url: str, paths: list[Path], certificates: Path | None) -> DryRun:
    """``lms import --dry-run`` for ``paths`` against the database at ``url``, read-only."""
    try:
        parsed = make_url(url)
    except SQLAlchemyError:
        return DryRun("?", missing=UNREACHABLE)
    report = DryRun(parsed.render_as_string(hide_password=True))
    path = sqlite_file(url)
    if parsed.get_backend_name() == "sqlite" and (path is None or not path.is_file()):
        report.missing = NO_DATABASE
        return report
    try:
        engine = open_read_only(url)
    except (SQLAlchemyError, ValueError):
        report.missing = UNREACHABLE
        return report
    try:
        with Session(engine) as session:
            tables = set(inspect(session.connection()).get_table_names())
            if VERSION_TABLE not in tables:
                report.missing = NO_SCHEMA
                return report
            from alembic.runtime.migration import MigrationContext

            context = MigrationContext.configure(
                session.connection(), opts={"version_table": VERSION_TABLE}
            )
            if set(context.get_current_heads()) != set(code_heads()):
                report.missing = OUTDATED
                return report
            try:
                report.plan = plan_import(session, paths, certificates)
            except ImportFailed as exc:
                report.problems = [d for d in exc.diagnostics if d.is_error]
                return report
            report.impacts = plan_impact(session, report.plan)
            session.rollback()
    except SQLAlchemyError:
        report.missing = UNREACHABLE
    finally:
        engine.dispose()
    return report
