"""Database plumbing: the declarative base, UTC timestamps and the per-app session.

The LMS does not use Flask-SQLAlchemy so that it can live inside a host application that has
its own database setup. Each Flask app that runs the LMS gets one engine and one
``sessionmaker`` (kept in ``app.extensions["lms"]``); ``db.session`` is the session of the
current application context, created on first use and closed when the context ends.

Transaction rule: services only ``flush``; the view (or CLI command) that handles the request
commits once at the end. Signal listeners add rows and flush, never commit.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from flask import current_app, g
from sqlalchemy import DateTime, MetaData, String, TypeDecorator, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

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


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
            # savepoints and transactional DDL behave as on PostgreSQL.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url and url != "sqlite://":
                cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

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

    def remove(self, exc: BaseException | None = None) -> None:
        session = g.pop("_lms_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


db = _Database()
