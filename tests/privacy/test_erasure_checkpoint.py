"""The clean-up after an erasure rewrites an SQLite database and empties its write-ahead log,
so that no old page keeps the erased text; when another connection still reads, it says so
instead of claiming the log is empty."""

from __future__ import annotations

import sqlite3

from sqlalchemy import text

from lms.core.db import make_engine
from lms.privacy.erasure import ErasureReport, clean_up_after_erasure

MARKER = b"Zo\xc3\xab-erased-marker"


def _files(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_the_log_is_emptied_or_the_operator_is_told_it_is_still_in_use(tmp_path):
    database = tmp_path / "lms.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT)"))
        conn.execute(text("INSERT INTO person (name) VALUES (:n)"), {"n": MARKER.decode()})
    # Another process reads, with a snapshot from before the erasure.
    reader = sqlite3.connect(database, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM person").fetchone() == (1,)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM person"))

    notes = clean_up_after_erasure(engine, tmp_path, ErasureReport(user_id=1), patience=0.3)
    assert any("still in use by another process" in note for note in notes), notes
    assert (tmp_path / "lms.sqlite3-wal").stat().st_size > 0

    reader.execute("COMMIT")
    reader.close()
    notes = clean_up_after_erasure(engine, tmp_path, ErasureReport(user_id=1), patience=0.3)
    assert "database file rewritten (VACUUM) and write-ahead log emptied" in notes, notes
    assert (tmp_path / "lms.sqlite3-wal").stat().st_size == 0
    leftovers = [name for name, data in _files(tmp_path).items() if MARKER in data]
    assert leftovers == []
    engine.dispose()
