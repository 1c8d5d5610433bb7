"""The writer gate: SQLite write transactions queue on a file lock beside the database.

These run on a SQLite file of their own whatever the suite's database (the gate is SQLite's),
and check what the gate promises: a write transaction holds it from BEGIN to COMMIT or
ROLLBACK and no longer, a read transaction never takes it, a writer waits while another holds
it and goes on once it is released, a wait that lasts too long ends in a clear error, and
many writers at once lose nothing. When the database stays locked, a page answers 503.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading

import pytest
from flask import Flask, g
from sqlalchemy import text

from lms.core import db as core_db
from lms.core.db import make_engine
from lms.core.writer_gate import GatedConnection, gate_path


@pytest.fixture
def gated(tmp_path):
    path = tmp_path / "gate.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO counter (id, n) VALUES (1, 0)"))
    yield engine, gate_path(str(path))
    engine.dispose()


def free(lock_file: str) -> bool:
    """Whether another holder could take the gate right now."""
    fd = os.open(lock_file, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def hold(lock_file: str) -> int:
    fd = os.open(lock_file, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def test_a_write_transaction_holds_the_gate_from_begin_to_commit_or_rollback(gated):
    engine, lock_file = gated
    with Flask(__name__).app_context():  # a CLI command or job: it may write
        with engine.connect() as conn:
            assert isinstance(conn.connection.dbapi_connection, GatedConnection)
            conn.begin()
            conn.execute(text("UPDATE counter SET n = n + 1"))
            assert not free(lock_file)
            conn.commit()
            assert free(lock_file)
            conn.begin()
            conn.execute(text("UPDATE counter SET n = n + 1"))
            assert not free(lock_file)
            conn.rollback()
            assert free(lock_file)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 1


def test_a_read_transaction_never_takes_the_gate(gated):
    engine, lock_file = gated
    app = Flask(__name__)
    with app.test_request_context("/"):
        g._lms_write_intent = False  # a plain GET
        fd = hold(lock_file)  # a writer holds the gate: reading goes on regardless
        try:
            with engine.connect() as conn:
                assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 0
        finally:
            os.close(fd)


def test_a_writer_waits_for_the_gate_and_goes_on_when_it_is_free(gated):
    engine, lock_file = gated
    fd = hold(lock_file)
    done = threading.Event()

    def write():
        with Flask(__name__).app_context(), engine.begin() as conn:
            conn.execute(text("UPDATE counter SET n = n + 1"))
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert not done.wait(0.3)  # still queued behind the holder
    finally:
        os.close(fd)  # closing the descriptor releases the lock, as a process's death would
    writer.join(10)
    assert done.is_set()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 1


def test_a_wait_that_lasts_too_long_ends_in_a_clear_error(gated, monkeypatch):
    engine, lock_file = gated
    monkeypatch.setattr(core_db, "SQLITE_TIMEOUT", 0.2)
    fd = hold(lock_file)
    try:
        with (
            Flask(__name__).app_context(),
            pytest.raises(Exception) as caught,
            engine.begin() as conn,
        ):
            conn.execute(text("UPDATE counter SET n = n + 1"))
    finally:
        os.close(fd)
    assert isinstance(caught.value.orig, sqlite3.OperationalError)
    assert "database is locked: another write did not finish within 0.2 s" in str(caught.value)
    # The failed BEGIN left nothing held: the next writer goes straight through.
    with Flask(__name__).app_context(), engine.begin() as conn:
        conn.execute(text("UPDATE counter SET n = n + 1"))
        assert not free(lock_file)
    assert free(lock_file)


def test_writers_in_threads_at_once_lose_no_update(gated):
    """Read-then-write increments from 4 threads released together: every one counts."""
    engine, _ = gated
    threads, rounds = 4, 25
    barrier = threading.Barrier(threads)
    failures: list[BaseException] = []

    def work():
        barrier.wait()
        try:
            for _ in range(rounds):
                with Flask(__name__).app_context(), engine.begin() as conn:
                    n = conn.execute(text("SELECT n FROM counter")).scalar_one()
                    conn.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        except BaseException as exc:
            failures.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert failures == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == threads * rounds


def test_an_in_memory_database_has_no_gate():
    engine = make_engine("sqlite://")
    with engine.connect() as conn:
        assert not isinstance(conn.connection.dbapi_connection, GatedConnection)
    engine.dispose()


def test_a_page_whose_database_stays_locked_answers_503(app, client):
    """The 503 page: nothing saved, try again in a moment (not a 500)."""

    def locked():
        raise core_db_operational_error()

    app.add_url_rule("/_test/locked", "lms.test_locked", locked)
    response = client.get("/_test/locked")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "Niets is opgeslagen" in page  # the default language is Dutch


def core_db_operational_error():
    from sqlalchemy.exc import OperationalError

    return OperationalError(
        "BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked: waited")
    )


def test_other_database_errors_are_not_turned_into_503(app, client):
    from sqlalchemy.exc import OperationalError

    def broken():
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("disk I/O error"))

    app.add_url_rule("/_test/broken", "lms.test_broken", broken)
    with pytest.raises(OperationalError):  # testing: unexpected errors reach the test
        client.get("/_test/broken")
