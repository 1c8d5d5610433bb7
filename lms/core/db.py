"""Database plumbing: the declarative base, UTC timestamps and the per-app session.

The LMS does not use Flask-SQLAlchemy so that it can live inside a host application that has
its own database setup. Each Flask app that runs the LMS gets one engine and one
``sessionmaker`` (kept in ``app.extensions["lms"]``); ``db.session`` is the session of the
current application context, created on first use and closed when the context ends.

Transaction rule: services only ``flush``; the view (or CLI command) that handles the request
commits once at the end. Signal listeners add rows and flush, never commit.

Write intent (SQLite): a SQLite transaction that has read cannot wait for the write lock
when another connection committed in between; it fails at once with "database is locked". So
a transaction that may write takes the write lock when it begins (``BEGIN IMMEDIATE``),
where SQLite does wait (busy timeout); writers of one host queue for it on a file lock first
(:mod:`lms.core.writer_gate`), which wakes them sooner than SQLite's busy handler. A request
may write when its method is unsafe (POST...) or its view is marked with :func:`writes`; CLI
commands and jobs always may. Other requests (plain GETs) begin a read transaction and run
in parallel with everything. A request that writes without intent is refused in tests
(``LMS_STRICT_WRITE_INTENT``) and logged in production, so a missing :func:`writes` is found
by the suite, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import current_app, g, has_app_context, request
from sqlalchemy import DateTime, MetaData, String, TypeDecorator, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from lms.core.writer_gate import GatedConnection

#: Constraint names are stable across SQLite and PostgreSQL so that migrations can name them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Every table of the LMS starts with this prefix, so it can share a host's database.
TABLE_PREFIX = "lms_"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the database.

    SQLite has no time zones; PostgreSQL stores ``timestamptz``. Naive values are refused so
    that a local time never slips in unnoticed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class UUIDString(TypeDecorator[uuid.UUID]):
    """A UUID stored as its 36-character text form, identical on every database."""

    impl = String(36)
    cache_ok = True

    def process_bind_param(self, value: uuid.UUID | str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return str(uuid.UUID(str(value)))

    def process_result_value(self, value: str | None, dialect: Any) -> uuid.UUID | None:
        return None if value is None else uuid.UUID(value)


log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

#: How long (seconds) a SQLite transaction waits for the write lock (and the writer gate).
SQLITE_TIMEOUT = 30
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_WRITE_PREFIXES = ("INSERT", "UPDATE", "DELETE")


def writes(view: F | None = None, *, when: Callable[[], bool] | None = None) -> Any:
    """Mark a view that writes even on GET (a lesson page records the visit), so that its
    transaction takes the write lock at its start on SQLite. ``@writes(when=...)`` marks a
    view that writes only for some requests (a report page writes an audit row when it is
    downloaded): ``when()`` is asked at the start of each request."""

    def mark(function: F) -> F:
        function._lms_writes = when or True  # type: ignore[attr-defined]
        return function

    return mark if view is None else mark(view)


def may_write() -> bool:
    """Whether the transaction beginning now may write (see the module docstring)."""
    if not has_app_context():
        return False  # plain engine use (tests' fixtures, migrations): SQLite's default
    # Set for each request by note_write_intent(); CLI commands and jobs (and URL building
    # in a test request context) have none: they may always write.
    intent = g.get("_lms_write_intent")
    return True if intent is None else intent


def note_write_intent() -> None:
    """``before_request``: decide from the method and the view whether this request writes."""
    endpoint = request.endpoint or ""
    view = current_app.view_functions.get(endpoint)
    g._lms_write_intent = (
        request.method in UNSAFE_METHODS
        # a host app's own routes may write through LMS services: never fail them
        or not endpoint.startswith("lms.")
        or _marked_as_writing(view)
    )


def _marked_as_writing(view: Any) -> bool:
    mark = getattr(view, "_lms_writes", False)
    return bool(mark() if callable(mark) else mark)


def _check_write_intent(statement: str) -> None:
    if not has_app_context() or g.get("_lms_write_intent") is not False:
        return
    if not statement.lstrip().upper().startswith(_WRITE_PREFIXES):
        return
    message = (
        f"{request.method} {request.endpoint} writes to the database without write intent: "
        "mark the view with lms.core.db.writes"
    )
    if current_app.config.get("LMS_STRICT_WRITE_INTENT", current_app.testing):
        raise RuntimeError(message)
    log.warning(message)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL, a busy timeout and write intent."""
    parsed = make_url(url)
    database = parsed.database if parsed.get_backend_name() == "sqlite" else None
    # A database file (not in memory) gets the writer gate (lms.core.writer_gate).
    gated = bool(database) and database != ":memory:" and "mode=memory" not in url
    if url.startswith("sqlite"):
        connect_args = kwargs.setdefault("connect_args", {"timeout": SQLITE_TIMEOUT})
        if gated:
            connect_args.setdefault("factory", GatedConnection)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "before_cursor_execute")
    def _write_intent_guard(_conn, _cursor, statement, _params, _context, _many) -> None:
        _check_write_intent(statement)

    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
            # savepoints and transactional DDL behave as on PostgreSQL.
            dbapi_conn.isolation_level = None
            if gated and isinstance(dbapi_conn, GatedConnection):
                dbapi_conn.attach_gate(os.path.abspath(database))
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url and url != "sqlite://":
                cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Take the write lock now if this transaction may write: SQLite waits for it
            # here (busy timeout), but not when a read transaction tries to upgrade later.
            if not may_write():
                conn.exec_driver_sql("BEGIN")
                return
            raw = conn.connection.dbapi_connection
            gate = raw if isinstance(raw, GatedConnection) else None
            if gate is not None:  # queue behind the other writers of this host first
                try:
                    gate.enter_gate(SQLITE_TIMEOUT)
                except sqlite3.OperationalError as exc:  # as SQLite's own "locked" would be
                    raise OperationalError("BEGIN IMMEDIATE", None, exc) from None
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                if gate is not None:
                    gate.leave_gate()
                raise

    return engine


class _Database:
    """Access to the current app's engine and request-scoped session."""

    @property
    def engine(self) -> Engine:
        return current_app.extensions["lms"].engine

    @property
    def session(self) -> Session:
        session = g.get("_lms_session")
        if session is None:
            factory: sessionmaker[Session] = current_app.extensions["lms"].session_factory
            session = factory()
            g._lms_session = session
        return session

    def discard(self) -> None:
        """Roll back and drop the current session without ever raising (error pages).

        Objects already loaded keep their loaded values (they are detached, not expired), so
        a page can still show them without going back to the database."""
        session = g.pop("_lms_session", None)
        if session is None:
            return
        try:
            session.rollback()
        except Exception:  # the database itself may be what failed
            log.warning("rollback failed while rendering an error page", exc_info=True)
        finally:
            try:
                session.close()
            except Exception:
                log.warning("closing the session failed", exc_info=True)

    def remove(self, exc: BaseException | None = None) -> None:
        session = g.pop("_lms_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


db = _Database()
