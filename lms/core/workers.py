"""What the background workers (``lms mail send``, ``lms xapi deliver``) share: who they are,
how long a claim lasts, and the one-worker rule on SQLite.

On PostgreSQL any number of workers may run, on any number of hosts: they claim work in the
database (rows ``FOR UPDATE SKIP LOCKED``, stamped with ``claimed_by`` / ``claimed_until``),
and a worker that dies leaves its claims to expire after ``LMS_WORKER_LEASE_SECONDS``.

On SQLite the database file lives on one machine and has one writer at a time, so one worker
of each kind is enforced: it holds an exclusive lock on a file beside the database
(``<database>.<kind>-worker.lock``). The operating system releases the lock when the process
ends, however it ends, so a crashed worker never blocks the next one.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from lms.core.db import utcnow


class WorkerAlreadyRunning(RuntimeError):
    """Another worker of the same kind holds the SQLite lock."""


def worker_id() -> str:
    """``host:pid:random``: unique per process, readable in the database when debugging."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


def lease(app: Flask) -> timedelta:
    return timedelta(seconds=float(app.config["LMS_WORKER_LEASE_SECONDS"]))


def sqlite_file(engine: Engine) -> Path | None:
    """The SQLite database file, or None for another database (or SQLite in memory)."""
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return None
    if engine.url.database == ":memory:":
        return None
    return Path(engine.url.database).resolve()


@contextmanager
def single_worker(engine: Engine, kind: str) -> Iterator[None]:
    """On SQLite, hold the one lock of this ``kind`` of worker; elsewhere do nothing."""
    database = sqlite_file(engine)
    if database is None:
        yield
        return
    lock_path = database.with_name(f"{database.name}.{kind}-worker.lock")
    with open(lock_path, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkerAlreadyRunning(
                f"another {kind} worker is already running on this SQLite database "
                f"(it holds {lock_path}). With SQLite only one {kind} worker may run; stop "
                "the other one, or move to PostgreSQL to run several."
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"{worker_id()}\n")
        lock.flush()
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def claim_rows(
    session: Session,
    model: Any,
    *conditions: Any,
    worker: str,
    limit: int,
    held: timedelta,
    **values: Any,
) -> list[int]:
    """Claim up to ``limit`` rows of an outbox ``model`` (ids in order) for ``worker``; commits.

    A row is free when it meets ``conditions`` and is unclaimed or its claim expired (its
    worker died). On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets several workers claim at the
    same moment without waiting for each other or taking the same rows. The claimed rows get
    ``claimed_by``, ``claimed_until`` and any other ``values``."""
    now = utcnow()
    ids = list(
        session.scalars(
            select(model.id)
            .where(*conditions, or_(model.claimed_until.is_(None), model.claimed_until < now))
            .order_by(model.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        session.execute(
            update(model)
            .where(model.id.in_(ids))
            .values(claimed_by=worker, claimed_until=now + held, **values)
            .execution_options(synchronize_session=False)
        )
    session.commit()
    return ids
