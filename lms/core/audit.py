"""A plain audit trail of administrative changes (who changed whom, when).

The trail is append-only: the application adds entries and never changes or removes one.
An ORM guard refuses an UPDATE or DELETE of an entry (through the unit of work or a bulk
``update()``/``delete()``), and on PostgreSQL a trigger (migration ``0015_privacy``) refuses
it in the database too. The one exception is the erasure of a person (``erasure_path``):
entries keep their actor and target ids (which then point at a nameless row), and the names,
e-mail addresses and network addresses in their details are removed (``pseudonymise``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, event, or_, select, text
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, object_session

from lms.core.db import Base, UTCDateTime, utcnow

#: ``session.info`` key set while the erasure path runs.
ERASURE_FLAG = "lms_audit_erasure"
#: Details that hold personal data about the actor or the target (client addresses).
PERSONAL_DETAILS = frozenset({"address", "email", "name", "full_name", "login"})
#: What replaces a name or an address in an entry's details.
PSEUDONYM = "[erased]"


class AuditEvent(Base):
    __tablename__ = "lms_audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    #: Who did it; None for the command line or the system itself.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AppendOnly(RuntimeError):
    """An attempt to change or delete an entry of the audit log."""


def record(
    session: Session,
    action: str,
    target_type: str,
    target_id: int | None,
    *,
    actor_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    event = AuditEvent(
        action=action,
        target_type=target_type,
        target_id=target_id,
        actor_id=actor_id,
        details=details,
    )
    session.add(event)
    return event


# Append-only ---------------------------------------------------------------------------------


def _erasing(session: Session | None) -> bool:
    return bool(session is not None and session.info.get(ERASURE_FLAG))


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, target: AuditEvent) -> None:
    if not _erasing(object_session(target)):
        raise AppendOnly(f"audit entry {target.id} cannot change: the log is append-only")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(_mapper: Any, _connection: Any, target: AuditEvent) -> None:
    if not _erasing(object_session(target)):
        raise AppendOnly(f"audit entry {target.id} cannot be deleted: the log is append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) == AuditEvent.__tablename__ and not _erasing(state.session):
        raise AppendOnly("the audit log is append-only: no UPDATE or DELETE")


@contextmanager
def erasure_path(session: Session) -> Iterator[None]:
    """The one way to change entries: while a person is erased (see the module docstring)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    session.info[ERASURE_FLAG] = True
    if postgres:
        session.execute(text("SELECT set_config('lms.audit_erasure', 'on', true)"))
    try:
        yield
        session.flush()
    finally:
        session.info.pop(ERASURE_FLAG, None)
        if postgres:
            session.execute(text("SELECT set_config('lms.audit_erasure', 'off', true)"))


def _scrub(value: Any, words: Iterable[str]) -> Any:
    if isinstance(value, str):
        lowered = value.casefold()
        for word in words:
            if word and word.casefold() in lowered:
                return PSEUDONYM
        return value
    if isinstance(value, list):
        return [_scrub(v, words) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, words) for k, v in value.items()}
    return value


def pseudonymise(session: Session, user_id: int, words: Iterable[str]) -> int:
    """Remove ``words`` (a person's name, e-mail address, username) from every entry's
    details, and the personal details (client address...) of entries by or about the
    person; ids stay. Returns the number of entries changed. Flushes."""
    words = [w for w in words if w]
    changed = 0
    with erasure_path(session):
        about = or_(
            AuditEvent.actor_id == user_id,
            (AuditEvent.target_type == "user") & (AuditEvent.target_id == user_id),
        )
        query = select(AuditEvent, about.label("about")).execution_options(yield_per=500)
        for entry, is_about in session.execute(query):
            details = dict(entry.details or {})
            new = _scrub(details, words)
            if is_about:
                new = {k: (PSEUDONYM if k in PERSONAL_DETAILS else v) for k, v in new.items()}
            if new != details:
                entry.details = new
                changed += 1
    return changed
