"""Reads for the admin page and the CLI: the queue per endpoint, issues, the export."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.core.health import Check
from lms.xapi.models import XapiDeliveryIssue, XapiEndpoint, XapiStatement
from lms.xapi.transport import Endpoint

ISSUE_STATUSES = ("retrying", "failed", "conflict")


@dataclass(frozen=True)
class EndpointQueue:
    name: str
    url: str | None  # None: in the database but no longer configured
    state: XapiEndpoint | None  # None: configured but never served yet
    #: Statements it has not had yet (above its cursor, or not stamped yet).
    waiting: int
    retrying: int
    failed: int
    conflicts: int


@dataclass(frozen=True)
class Queue:
    total: int
    endpoints: list[EndpointQueue]


def queue(session: Session, endpoints: Sequence[Endpoint]) -> Queue:
    total = session.scalar(select(func.count()).select_from(XapiStatement)) or 0
    unstamped = session.scalar(
        select(func.count()).select_from(XapiStatement).where(XapiStatement.sequence.is_(None))
    )
    states = {s.name: s for s in session.scalars(select(XapiEndpoint).order_by(XapiEndpoint.name))}
    counts = {
        (endpoint_id, status): count
        for endpoint_id, status, count in session.execute(
            select(XapiDeliveryIssue.endpoint_id, XapiDeliveryIssue.status, func.count()).group_by(
                XapiDeliveryIssue.endpoint_id, XapiDeliveryIssue.status
            )
        )
    }
    configured = {endpoint.name: endpoint for endpoint in endpoints}
    names = list(configured) + [name for name in states if name not in configured]
    rows = []
    for name in names:
        state = states.get(name)
        cursor = state.cursor if state is not None else 0
        above = session.scalar(
            select(func.count()).select_from(XapiStatement).where(XapiStatement.sequence > cursor)
        )
        state_id = state.id if state is not None else None
        endpoint = configured.get(name)
        rows.append(
            EndpointQueue(
                name=name,
                url=endpoint.url if endpoint else None,
                state=state,
                waiting=(above or 0) + (unstamped or 0),
                retrying=counts.get((state_id, "retrying"), 0),
                failed=counts.get((state_id, "failed"), 0),
                conflicts=counts.get((state_id, "conflict"), 0),
            )
        )
    return Queue(total=total, endpoints=rows)


@dataclass(frozen=True)
class Issue:
    id: int
    endpoint: str
    statement_id: str
    verb: str
    status: str
    attempts: int
    http_status: int | None
    last_error: str | None
    updated_at: datetime


def issues(
    session: Session, statuses: Sequence[str] = ISSUE_STATUSES, limit: int | None = None
) -> list[Issue]:
    query = (
        select(XapiDeliveryIssue, XapiEndpoint.name, XapiStatement.statement_id, XapiStatement.verb)
        .join(XapiEndpoint, XapiEndpoint.id == XapiDeliveryIssue.endpoint_id)
        .join(XapiStatement, XapiStatement.id == XapiDeliveryIssue.statement_row_id)
        .where(XapiDeliveryIssue.status.in_(list(statuses)))
        .order_by(XapiDeliveryIssue.updated_at.desc(), XapiDeliveryIssue.id.desc())
        .limit(limit)
    )
    return [
        Issue(
            id=issue.id,
            endpoint=endpoint,
            statement_id=str(statement_id),
            verb=verb.rsplit("/", 1)[-1],
            status=issue.status,
            attempts=issue.attempts,
            http_status=issue.http_status,
            last_error=issue.last_error,
            updated_at=issue.updated_at,
        )
        for issue, endpoint, statement_id, verb in session.execute(query)
    ]


def export_lines(
    session: Session, since: datetime | None = None, *, chunk: int = 1000
) -> Iterator[str]:
    """Every statement created since ``since``, oldest first, one JSON text each."""
    last_id = 0
    while True:
        query = (
            select(XapiStatement.id, XapiStatement.payload)
            .where(XapiStatement.id > last_id)
            .order_by(XapiStatement.id)
            .limit(chunk)
        )
        if since is not None:
            query = query.where(XapiStatement.created_at >= since)
        rows = session.execute(query).all()
        if not rows:
            return
        for row in rows:
            yield row.payload
        last_id = rows[-1].id


def backlog(session: Session) -> int:
    """Statements the slowest endpoint has not had yet (0 without an endpoint)."""
    lowest = session.scalar(select(func.min(XapiEndpoint.cursor)))
    if lowest is None:
        return 0
    return (
        session.scalar(
            select(func.count()).where(
                (XapiStatement.sequence.is_(None)) | (XapiStatement.sequence > lowest)
            )
        )
        or 0
    )


def backlog_check(app: Flask, session: Session) -> Check:
    if not app.config["LMS_LRS_ENDPOINTS"]:
        return Check(True, "no LRS configured")
    waiting = backlog(session)
    limit = int(app.config["LMS_READY_XAPI_BACKLOG"])
    if waiting < limit:
        return Check(True, f"{waiting} waiting")
    return Check(
        False, f"{waiting} statements waiting (limit {limit}): is `lms xapi deliver` running?"
    )
