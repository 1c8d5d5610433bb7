"""Per-account back-off after repeated wrong passwords: slowing down, not locking out.

After ``LMS_LOGIN_BACKOFF_AFTER`` failures for one login name (as typed, normalised: an
unknown name is treated exactly like a known one, so the answer tells nothing about which
accounts exist), every further failure makes the next attempt for that name wait
``LMS_LOGIN_BACKOFF_SECONDS * 2**(extra failures)`` seconds, at most
``LMS_LOGIN_BACKOFF_MAX_SECONDS`` (15 minutes). An attacker can therefore slow a real person
down, but never lock them out for longer than that, and the person can always end the wait by
setting a new password from a reset link. Failures older than ``LMS_LOGIN_BACKOFF_WINDOW_MINUTES``
are forgotten. A successful sign-in or a new password clears the counters of the person's
e-mail address and username.

The counters are rows in the database, so every worker on every host shares them. A failure
is counted by one ``INSERT ... ON CONFLICT DO UPDATE SET failures = failures + 1`` (SQLite
and PostgreSQL alike), so failures sent at the same moment are all counted.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Integer, String, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from lms.accounts.models import User
from lms.core.db import Base, UTCDateTime, utcnow


class LoginBackoff(Base):
    """Recent failed sign-ins for one login name (as typed, whether an account exists or not)."""

    __tablename__ = "lms_login_backoff"

    #: The login name, normalised (lower case, no surrounding spaces).
    login: Mapped[str] = mapped_column(String(254), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: No attempt for this name is looked at before this moment.
    wait_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


def _settings() -> tuple[int, float, float, timedelta]:
    config = current_app.config
    return (
        int(config["LMS_LOGIN_BACKOFF_AFTER"]),
        float(config["LMS_LOGIN_BACKOFF_SECONDS"]),
        float(config["LMS_LOGIN_BACKOFF_MAX_SECONDS"]),
        timedelta(minutes=float(config["LMS_LOGIN_BACKOFF_WINDOW_MINUTES"])),
    )


def delay_after(failures: int) -> timedelta:
    """How long the next attempt waits after ``failures`` recent failures."""
    after, base, cap, _window = _settings()
    if failures < after:
        return timedelta(0)
    extra = min(failures - after, 32)  # 2**32 seconds is far past any cap
    return timedelta(seconds=min(base * 2**extra, cap))


def waiting(session: Session, login: str) -> timedelta | None:
    """How much longer attempts for ``login`` must wait, or None when they may go ahead."""
    wait_until = session.scalar(select(LoginBackoff.wait_until).where(LoginBackoff.login == login))
    now = utcnow()
    if wait_until is None or wait_until <= now:
        return None
    return wait_until - now


def record_failure(session: Session, login: str) -> int:
    """Count one failed attempt for ``login``; returns the recent failures (this one included)."""
    _after, _base, _cap, window = _settings()
    now = utcnow()
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = LoginBackoff.__table__
    stale = table.c.last_failure_at < now - window
    statement = (
        insert(LoginBackoff)
        .values(login=login, failures=1, last_failure_at=now, wait_until=None)
        .on_conflict_do_update(
            index_elements=[table.c.login],
            set_={
                "failures": case((stale, 1), else_=table.c.failures + 1),
                "last_failure_at": now,
            },
        )
        .returning(table.c.failures)
    )
    failures = int(session.execute(statement).scalar_one())
    delay = delay_after(failures)
    if delay:
        until = now + delay
        # Never shorten a wait another request set a moment ago.
        session.execute(
            update(LoginBackoff)
            .where(
                LoginBackoff.login == login,
                or_(LoginBackoff.wait_until.is_(None), LoginBackoff.wait_until < until),
            )
            .values(wait_until=until)
        )
    return failures


def clear(session: Session, user: User) -> None:
    """Forget the failures of ``user``'s e-mail address and username (signed in, new password)."""
    names = [name for name in (user.email, user.username) if name]
    if names:
        session.execute(
            delete(LoginBackoff).where(LoginBackoff.login.in_(names)),
            execution_options={"synchronize_session": False},
        )
