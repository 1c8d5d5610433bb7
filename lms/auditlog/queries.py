"""Reading the audit log: filters from the URL, the entries a person may see, a report
object for the CSV and XLSX exports (``lms.reporting.exports``).

Tenancy: an administrator sees every entry. A coordinator sees the entries about their
organisations: about a person ``people_visible_to`` gives them, about one of their
organisations or its departments, or done by one of their people. Anyone else sees nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.auditlog.labels import action_label
from lms.core.audit import AuditEvent
from lms.core.db import utcnow
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
from lms.core.params import parse_int
from lms.organisations.models import Department
from lms.organisations.queries import people_visible_to
from lms.reporting.reports import Column

#: The longest text accepted in the action filter.
MAX_ACTION = 64


class FilterError(ValueError):
    """A filter that cannot be read; the message says what to type instead."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class AuditFilters:
    actor: int | None = None
    action: str = ""
    target_type: str = ""
    target: int | None = None
    since: date | None = None
    until: date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def args(self) -> dict[str, str]:
        """The filters as URL arguments (for pages and exports)."""
        pairs = {
            "actor": self.actor,
            "action": self.action,
            "target_type": self.target_type,
            "target": self.target,
            "from": self.since.isoformat() if self.since else None,
            "to": self.until.isoformat() if self.until else None,
        }
        return {k: str(v) for k, v in pairs.items() if v not in (None, "")}


def _id(raw: str | None, name: str, label: str, errors: dict[str, str]) -> int | None:
    if raw is None or not raw.strip():
        return None
    value = parse_int(raw)
    if value is None:
        errors[name] = _("%(label)s: type a number from 1 to 2147483647.", label=label)
    return value


def _day(raw: str | None, name: str, label: str, errors: dict[str, str]) -> date | None:
    if raw is None or not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        errors[name] = _("%(label)s: type a date like 2026-12-31.", label=label)
        return None


def read_filters(args: Mapping[str, str]) -> AuditFilters:
    """The filters in ``args`` (the query string); what cannot be read is in ``errors`` and
    left out of the filter."""
    errors: dict[str, str] = {}
    action = (args.get("action") or "").strip()
    if len(action) > MAX_ACTION:
        errors["action"] = _("Action: at most %(num)d characters.", num=MAX_ACTION)
        action = ""
    target_type = (args.get("target_type") or "").strip()
    if len(target_type) > 32:
        errors["target_type"] = _("Target: at most %(num)d characters.", num=32)
        target_type = ""
    filters = AuditFilters(
        actor=_id(args.get("actor"), "actor", _("Done by (number)"), errors),
        action=action,
        target_type=target_type,
        target=_id(args.get("target"), "target", _("About (number)"), errors),
        since=_day(args.get("from"), "from", _("From"), errors),
        until=_day(args.get("to"), "to", _("Until"), errors),
        errors=errors,
    )
    if filters.since and filters.until and filters.since > filters.until:
        errors["to"] = _("Until: the date must be on or after the From date.")
    return filters


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def visible_entries(actor: User) -> Select[tuple[AuditEvent]]:
    """The entries ``actor`` may read (see the module docstring)."""
    query = select(AuditEvent)
    if actor.is_admin:
        return query
    managed = actor.managed_organisation_ids
    if not managed:
        return query.where(false())
    people = people_visible_to(actor).with_only_columns(User.id).scalar_subquery()
    departments = select(Department.id).where(Department.organisation_id.in_(managed))
    return query.where(
        or_(
            (AuditEvent.target_type == "user") & AuditEvent.target_id.in_(people),
            (AuditEvent.target_type == "organisation") & AuditEvent.target_id.in_(managed),
            (AuditEvent.target_type == "department")
            & AuditEvent.target_id.in_(departments.scalar_subquery()),
            AuditEvent.actor_id.in_(people),
        )
    )


def filtered(actor: User, filters: AuditFilters, timezone: str) -> Select[tuple[AuditEvent]]:
    zone = ZoneInfo(timezone)
    query = visible_entries(actor)
    if filters.actor is not None:
        query = query.where(AuditEvent.actor_id == filters.actor)
    if filters.action:
        # "user" finds user.create, user.login...; "user.login" finds exactly that.
        action = filters.action.lower()
        query = query.where(
            or_(
                AuditEvent.action == action,
                AuditEvent.action.startswith(action + ".", autoescape=True),
            )
        )
    if filters.target_type:
        query = query.where(AuditEvent.target_type == filters.target_type)
    if filters.target is not None:
        query = query.where(AuditEvent.target_id == filters.target)
    if filters.since:
        query = query.where(AuditEvent.created_at >= _start_of(filters.since, zone))
    if filters.until:
        query = query.where(
            AuditEvent.created_at < _start_of(filters.until + timedelta(days=1), zone)
        )
    return query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def _distinct(session: Session, actor: User, column: Any) -> list[str]:
    visible = visible_entries(actor).subquery()
    values = select(visible.c[column.key]).distinct().order_by(visible.c[column.key])
    return list(session.scalars(values))


def action_names(session: Session, actor: User) -> list[str]:
    """The actions of the entries ``actor`` may read (the filter's choices)."""
    return _distinct(session, actor, AuditEvent.action)


def target_types(session: Session, actor: User) -> list[str]:
    return _distinct(session, actor, AuditEvent.target_type)


def names_of(session: Session, ids: set[int]) -> dict[int, str]:
    """The names of the people ``ids``; an erased person is shown by the name the erasure
    left them ("Former participant"), never their own."""
    if not ids:
        return {}
    rows = session.execute(
        select(User.id, User.full_name, User.erased_at).where(User.id.in_(ids))
    ).all()
    return {uid: (_("Former participant") if erased else name) for uid, name, erased in rows}


def names_on_page(session: Session, entries: Iterable[AuditEvent]) -> dict[int, str]:
    """The names of the people who did the ``entries`` and of the people they are about, in
    one query (an erased person by the name the erasure left them, never their own)."""
    ids: set[int] = set()
    for entry in entries:
        if entry.actor_id:
            ids.add(entry.actor_id)
        if entry.target_type == "user" and entry.target_id:
            ids.add(entry.target_id)
    return names_of(session, ids)


def details_text(details: Mapping[str, Any] | None) -> str:
    if not details:
        return ""
    return "; ".join(
        f"{key}: {value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}"
        for key, value in details.items()
    )


# The export ---------------------------------------------------------------------------------


@dataclass
class AuditRow:
    event: AuditEvent
    actor_name: str


AUDIT_COLUMNS: tuple[Column, ...] = (
    Column("id", _l("Number"), "int", lambda r: r.event.id, width=10),
    Column("created_at", _l("When"), "datetime", lambda r: r.event.created_at),
    Column("actor_id", _l("Done by (number)"), "int", lambda r: r.event.actor_id),
    Column("actor", _l("Done by"), "text", lambda r: r.actor_name, width=28),
    Column("action", _l("Action"), "text", lambda r: r.event.action, width=24),
    Column(
        "action_label",
        _l("What was done"),
        "text",
        lambda r: action_label(r.event.action),
        width=40,
    ),
    Column("target_type", _l("About"), "text", lambda r: r.event.target_type),
    Column("target_id", _l("About (number)"), "int", lambda r: r.event.target_id),
    Column("details", _l("Details"), "text", lambda r: details_text(r.event.details), width=60),
)


@dataclass
class AuditReport:
    """The filtered log as a report object for ``csv_response`` / ``xlsx_response``."""

    session: Session
    query: Select[tuple[AuditEvent]]
    filters: AuditFilters
    columns: tuple[Column, ...] = AUDIT_COLUMNS
    generated_at: datetime = field(default_factory=utcnow)
    rows_written: int = 0

    def iter_rows(self) -> Iterator[AuditRow]:
        names: dict[int, str] = {}
        batch: list[AuditEvent] = []
        for event in self.session.scalars(self.query.execution_options(yield_per=500)):
            batch.append(event)
            if len(batch) == 500:
                yield from self._rows(batch, names)
                batch = []
        yield from self._rows(batch, names)

    def _rows(self, batch: list[AuditEvent], names: dict[int, str]) -> Iterator[AuditRow]:
        missing = {e.actor_id for e in batch if e.actor_id and e.actor_id not in names}
        names.update(names_of(self.session, missing))
        for event in batch:
            self.rows_written += 1
            yield AuditRow(event, names.get(event.actor_id, "") if event.actor_id else "")

    @property
    def title(self) -> Any:
        return _l("Audit log")

    def values(self, row: AuditRow) -> list[Any]:
        return [column.read(row) for column in self.columns]

    def applied_filters(self) -> list[tuple[Any, str]]:
        f = self.filters
        pairs: list[tuple[Any, Any]] = [
            (_l("Done by (number)"), f.actor),
            (_l("Action"), f.action),
            (_l("About"), f.target_type),
            (_l("About (number)"), f.target),
            (_l("From"), f.since),
            (_l("Until"), f.until),
        ]
        return [(label, str(value)) for label, value in pairs if value not in (None, "")]
