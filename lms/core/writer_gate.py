"""The writer gate (SQLite): write transactions of every process on the host queue on one
file lock instead of in SQLite's busy handler.

SQLite lets one writer at a time hold the database's write lock. A transaction that asks
for it while another holds it (``BEGIN IMMEDIATE``, see :mod:`lms.core.db`) waits in SQLite's
busy handler, which does not wake when the lock is released: it sleeps 1, 2, 5, 10, 15, 20,
25... ms between tries. With two gunicorn workers that both write (a lesson page holds the
write lock for some milliseconds), the waiting worker mostly sleeps past the moment the lock
came free, and throughput and the slowest requests suffer.

So each connection to a database file holds a descriptor of ``<database>-writer.lock`` beside
it. Before ``BEGIN IMMEDIATE`` it takes an exclusive ``flock`` on it, and it lets go right after
its COMMIT or ROLLBACK (``GatedConnection.commit`` / ``rollback``) or when the connection
closes. A waiter tries again after at most a millisecond, so it starts as soon as the writer
before it has finished; ``BEGIN IMMEDIATE`` then finds the lock free. Read transactions never
touch the gate (WAL lets them run beside the writer). Processes that do not use the gate (the
``sqlite3`` shell, another program) still meet SQLite's own lock and busy timeout: the gate
only adds order, never permission. ``flock`` locks belong to the open descriptor, so two
connections of one process (threads) exclude each other as two processes do, and a process
that dies lets go of its lock with its descriptors.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time

#: The longest sleep between two tries for the gate (seconds).
MAX_PAUSE = 0.001


def gate_path(database: str) -> str:
    return f"{database}-writer.lock"


class GatedConnection(sqlite3.Connection):
    """A ``sqlite3`` connection (``sqlite3.connect(..., factory=GatedConnection)``) that can
    hold the writer gate of its database for the length of one transaction."""

    _gate_fd: int | None = None
    _gate_held = False

    def attach_gate(self, database: str) -> None:
        """Open the gate's lock file of ``database`` (at connect)."""
        if self._gate_fd is None:
            self._gate_fd = os.open(gate_path(database), os.O_RDWR | os.O_CREAT, 0o600)

    def enter_gate(self, timeout: float) -> None:
        """Wait for the gate (at most ``timeout`` seconds), before ``BEGIN IMMEDIATE``."""
        if self._gate_fd is None or self._gate_held:
            return
        deadline = time.monotonic() + timeout
        pause = 0.00005
        while True:
            try:
                fcntl.flock(self._gate_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise sqlite3.OperationalError(
                        f"database is locked: another write did not finish within {timeout:g} s"
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE)
                continue
            self._gate_held = True
            return

    def leave_gate(self) -> None:
        if self._gate_held and self._gate_fd is not None:
            self._gate_held = False
            fcntl.flock(self._gate_fd, fcntl.LOCK_UN)

    @property
    def holds_gate(self) -> bool:
        return self._gate_held

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.leave_gate()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.leave_gate()

    def close(self) -> None:
        try:
            self.leave_gate()
            if self._gate_fd is not None:
                os.close(self._gate_fd)
                self._gate_fd = None
        finally:
            super().close()
