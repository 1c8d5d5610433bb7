"""The delivery worker: sends committed outbox rows to each configured LRS.

One round: stamp newly committed rows with a ``sequence`` (commit order), then for each
endpoint send the rows above its cursor in batches, then the rejected rows whose retry is
due. Every request has a timeout; no database transaction is open while a request is in
flight, so a slow or dead LRS never holds a lock that a learner's page needs.

What an answer means:

- 2xx: delivered; the cursor moves on. Statement ids make a resend idempotent, so a batch
  that reached the LRS but whose answer was lost is simply sent again (at-least-once).
- 400/422 or 409 for a batch: each statement is sent alone to find the culprits. Alone,
  400/422 is a rejection: the row becomes an issue, retried with back-off and a dead letter
  after ``LMS_XAPI_MAX_ATTEMPTS``; 409 (the LRS holds another statement with this id) is
  reported as a conflict and never retried by itself.
- anything else (no connection, timeout, 401, 5xx...): the endpoint failed; it waits
  ``BACKOFF_BASE * 2**(failures-1)`` seconds (at most ``BACKOFF_MAX``) and the cursor stays.

Several workers (processes, hosts) may run at once. Each endpoint is served by one worker at
a time, which claims it (``claimed_by``, ``claimed_until``: a lease of
``LMS_WORKER_LEASE_SECONDS``, renewed at every batch and checked in the transaction that
moves the cursor): statements go out once and in order. The others serve other endpoints or
wait; when the claiming worker dies its lease expires and the next one carries on from the
cursor, resending at most the batch that was in flight (idempotent at the LRS). On SQLite
the command allows one worker (``core.workers.single_worker``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from lms.core.db import utcnow
from lms.core.workers import worker_id
from lms.xapi.models import XapiDeliveryIssue, XapiEndpoint, XapiStatement
from lms.xapi.transport import CONFLICT, Endpoint, EndpointFailure, Settings, Transport

#: Serialises stamping between workers on PostgreSQL (SQLite serialises writers anyway).
STAMP_LOCK_KEY = 0x786170690  # "xapi"


@dataclass
class EndpointReport:
    name: str
    sent: int = 0
    rejected: int = 0
    conflicts: int = 0
    dead: int = 0
    #: Why the endpoint failed this round (its cursor stayed), or None.
    error: str | None = None
    #: The round skipped the endpoint: it is backing off until then.
    waiting_until: datetime | None = None
    #: The round skipped the endpoint (or stopped): another worker serves it.
    served_by: str | None = None

    def line(self) -> str:
        if self.served_by is not None:
            return f"{self.name}: served by another worker ({self.served_by})"
        if self.waiting_until is not None:
            return f"{self.name}: backing off until {self.waiting_until:%Y-%m-%d %H:%M:%S} UTC"
        text = f"{self.name}: sent {self.sent}"
        for label, count in (("rejected", self.rejected), ("conflicts", self.conflicts)):
            if count:
                text += f", {label} {count}"
        if self.dead:
            text += f", dead letters {self.dead}"
        return text + (f"; failed: {self.error}" if self.error else "")


# Stamping ------------------------------------------------------------------------------------


def stamp(session: Session) -> int:
    """Give every committed, unstamped row the next sequence numbers, in id order.

    One UPDATE whose (uncorrelated) subqueries are evaluated once: new numbers start above
    the highest number given so far, so a row that committed late lands above every cursor.
    Commits; returns how many rows were stamped.
    """
    session.commit()  # a fresh transaction sees every row committed until now
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(STAMP_LOCK_KEY)))
    unstamped = XapiStatement.sequence.is_(None)
    first_id = select(func.min(XapiStatement.id)).where(unstamped).scalar_subquery()
    highest = select(func.coalesce(func.max(XapiStatement.sequence), 0)).scalar_subquery()
    result = session.execute(
        update(XapiStatement)
        .where(unstamped)
        .values(sequence=XapiStatement.id - first_id + 1 + highest)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount or 0


# Delivery ------------------------------------------------------------------------------------


def endpoint_state(session: Session, name: str) -> XapiEndpoint:
    state = session.scalar(select(XapiEndpoint).where(XapiEndpoint.name == name))
    if state is None:
        state = XapiEndpoint(name=name, cursor=0, delivered=0, failures=0)
        session.add(state)
        try:
            session.commit()
        except IntegrityError:  # another worker created it at the same moment
            session.rollback()
            state = session.scalars(select(XapiEndpoint).where(XapiEndpoint.name == name)).one()
    return state


class ClaimLost(Exception):
    """The worker's lease on an endpoint expired and another worker took it over."""


def claim_endpoint(session: Session, state: XapiEndpoint, worker: str, settings: Settings) -> bool:
    """Take or renew ``worker``'s lease on the endpoint; commits. False: another worker has it.

    One conditional UPDATE: on PostgreSQL a second worker updating the same row waits for the
    first to commit and then finds the condition false.
    """
    now = utcnow()
    result = session.execute(
        update(XapiEndpoint)
        .where(
            XapiEndpoint.id == state.id,
            or_(
                XapiEndpoint.claimed_by.is_(None),
                XapiEndpoint.claimed_by == worker,
                XapiEndpoint.claimed_until < now,
            ),
        )
        .values(claimed_by=worker, claimed_until=now + settings.lease)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if result.rowcount == 1:
        session.refresh(state)  # the cursor as the previous worker left it
        return True
    return False


def release_endpoint(session: Session, state: XapiEndpoint, worker: str) -> None:
    session.execute(
        update(XapiEndpoint)
        .where(XapiEndpoint.id == state.id, XapiEndpoint.claimed_by == worker)
        .values(claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


@dataclass
class _Outcome:
    """What one request (or its split into single statements) settled, in order."""

    delivered: list[int] = field(default_factory=list)  # row ids
    rejected: list[int] = field(default_factory=list)
    conflicts: list[int] = field(default_factory=list)
    #: Rows settled, in order: the cursor may move over them.
    settled: list[int] = field(default_factory=list)
    error: str | None = None
    status: dict[int, int] = field(default_factory=dict)


def _send(transport: Transport, endpoint: Endpoint, rows: Sequence[tuple[int, str]]) -> _Outcome:
    """Send rows [(row id, payload)]; split the batch when the LRS refuses part of it."""
    outcome = _Outcome()
    try:
        status = transport.post(endpoint, [payload for _id, payload in rows])
    except EndpointFailure as exc:
        outcome.error = str(exc)
        return outcome
    if 200 <= status < 300:
        outcome.delivered = outcome.settled = [row_id for row_id, _p in rows]
        return outcome
    if len(rows) == 1:
        row_id = rows[0][0]
        (outcome.conflicts if status == CONFLICT else outcome.rejected).append(row_id)
        outcome.settled.append(row_id)
        outcome.status[row_id] = status
        return outcome
    for row in rows:  # find the statements that the LRS refuses
        single = _send(transport, endpoint, [row])
        outcome.delivered += single.delivered
        outcome.rejected += single.rejected
        outcome.conflicts += single.conflicts
        outcome.settled += single.settled
        outcome.status.update(single.status)
        if single.error:
            outcome.error = single.error
            break
    return outcome


def _record(
    session: Session,
    state: XapiEndpoint,
    outcome: _Outcome,
    settings: Settings,
    report: EndpointReport,
    now: datetime,
    worker: str,
) -> None:
    """Write what a request settled (one short transaction), if the lease is still ours."""
    # Write first: SQLite then takes its write lock at the start of the transaction (waiting
    # for it if need be) instead of failing when another writer committed after a read.
    # On PostgreSQL it takes the endpoint's row lock; the condition checks the lease, so a
    # worker whose lease expired never moves the cursor that another worker now owns.
    renewed = session.execute(
        update(XapiEndpoint)
        .where(XapiEndpoint.id == state.id, XapiEndpoint.claimed_by == worker)
        .values(claimed_until=now + settings.lease)
        .execution_options(synchronize_session=False)
    )
    if renewed.rowcount != 1:
        session.rollback()
        raise ClaimLost(state.name)
    issues = {
        issue.statement_row_id: issue
        for issue in session.scalars(
            select(XapiDeliveryIssue).where(
                XapiDeliveryIssue.endpoint_id == state.id,
                XapiDeliveryIssue.statement_row_id.in_(outcome.settled),
            )
        )
    }
    for row_id in outcome.delivered:
        if row_id in issues:
            session.delete(issues[row_id])
    for row_id in outcome.rejected + outcome.conflicts:
        issue = issues.get(row_id)
        if issue is None:
            issue = XapiDeliveryIssue(endpoint_id=state.id, statement_row_id=row_id, attempts=0)
            session.add(issue)
        issue.attempts += 1
        issue.http_status = outcome.status.get(row_id)
        issue.updated_at = now
        if row_id in outcome.conflicts:
            issue.status, issue.next_attempt_at = "conflict", None
            issue.last_error = "the LRS holds a different statement with this id"
            report.conflicts += 1
        elif issue.attempts >= settings.max_attempts:
            issue.status, issue.next_attempt_at = "failed", None
            issue.last_error = f"rejected {issue.attempts} times (HTTP {issue.http_status})"
            report.dead += 1
        else:
            issue.status = "retrying"
            issue.next_attempt_at = now + settings.backoff(issue.attempts)
            issue.last_error = f"rejected (HTTP {issue.http_status})"
            report.rejected += 1
    report.sent += len(outcome.delivered)
    state.delivered += len(outcome.delivered)
    if outcome.error:
        state.failures += 1
        state.next_attempt_at = now + settings.backoff(state.failures)
        state.last_error, state.last_error_at = outcome.error[:2000], now
        report.error = outcome.error
    elif outcome.settled:
        state.failures, state.next_attempt_at, state.last_success_at = 0, None, now
    session.commit()


def deliver_endpoint(
    session: Session,
    endpoint: Endpoint,
    settings: Settings,
    transport: Transport,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    worker: str | None = None,
) -> EndpointReport:
    """Send what ``endpoint`` has not had yet, then its due retries; stop at a failure.

    Only while ``worker`` holds the endpoint's lease (see the module's docstring).
    """
    worker = worker or worker_id()
    report = EndpointReport(endpoint.name)
    state = endpoint_state(session, endpoint.name)
    if not claim_endpoint(session, state, worker, settings):
        session.refresh(state)
        report.served_by = state.claimed_by
        session.commit()
        return report
    try:
        _deliver_claimed(session, state, endpoint, settings, transport, report, should_stop, worker)
    except ClaimLost:
        session.refresh(state)
        report.served_by = state.claimed_by
        session.commit()
        return report
    release_endpoint(session, state, worker)
    return report


def _deliver_claimed(
    session: Session,
    state: XapiEndpoint,
    endpoint: Endpoint,
    settings: Settings,
    transport: Transport,
    report: EndpointReport,
    should_stop: Callable[[], bool],
    worker: str,
) -> None:
    now = utcnow()
    if state.next_attempt_at is not None and state.next_attempt_at > now:
        report.waiting_until = state.next_attempt_at
        session.commit()
        return
    while not should_stop():
        rows = session.execute(
            select(XapiStatement.id, XapiStatement.sequence, XapiStatement.payload)
            .where(XapiStatement.sequence > state.cursor)
            .order_by(XapiStatement.sequence)
            .limit(settings.batch_size)
        ).all()
        session.commit()  # no transaction stays open during the request
        if not rows:
            break
        outcome = _send(transport, endpoint, [(row.id, row.payload) for row in rows])
        sequences = {row.id: row.sequence for row in rows}
        if outcome.settled:
            state.cursor = max(sequences[row_id] for row_id in outcome.settled)
        _record(session, state, outcome, settings, report, utcnow(), worker)
        if outcome.error:
            return
    while not should_stop():
        due = session.execute(
            select(XapiDeliveryIssue.statement_row_id, XapiStatement.payload)
            .join(XapiStatement, XapiStatement.id == XapiDeliveryIssue.statement_row_id)
            .where(
                XapiDeliveryIssue.endpoint_id == state.id,
                XapiDeliveryIssue.status == "retrying",
                XapiDeliveryIssue.next_attempt_at <= utcnow(),
            )
            .order_by(XapiStatement.sequence)
            .limit(settings.batch_size)
        ).all()
        session.commit()
        if not due:
            break
        outcome = _send(transport, endpoint, [(row_id, payload) for row_id, payload in due])
        _record(session, state, outcome, settings, report, utcnow(), worker)
        if outcome.error or not outcome.delivered:
            break


def deliver_round(
    session: Session,
    endpoints: Iterable[Endpoint],
    settings: Settings,
    transport: Transport,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    worker: str | None = None,
) -> list[EndpointReport]:
    """Stamp, then serve every endpoint once (those no other worker is serving)."""
    worker = worker or worker_id()
    stamp(session)
    return [
        deliver_endpoint(
            session, endpoint, settings, transport, should_stop=should_stop, worker=worker
        )
        for endpoint in endpoints
    ]


def run(
    session_factory: Callable[[], Session],
    endpoints: Sequence[Endpoint],
    settings: Settings,
    *,
    once: bool = False,
    interval: float = 5.0,
    should_stop: Callable[[], bool] = lambda: False,
    echo: Callable[[str], None] = lambda _line: None,
) -> None:
    """The worker loop of ``lms xapi deliver`` (``once``: a single round, for cron)."""
    transport = Transport(settings)
    worker = worker_id()
    try:
        while not should_stop():
            session = session_factory()
            try:
                reports = deliver_round(
                    session, endpoints, settings, transport, should_stop=should_stop, worker=worker
                )
            except SQLAlchemyError as exc:
                # The database was busy or away: nothing is lost (the cursor only moves in
                # the transaction that records a delivery); try again next round.
                session.rollback()
                if once:
                    raise
                echo(f"database error, retrying: {exc}")
                reports = []
            finally:
                session.close()
            for report in reports:
                if once or report.sent or report.error or report.rejected or report.conflicts:
                    echo(report.line())
            if once:
                return
            _sleep(interval, should_stop)
    finally:
        transport.close()


def _sleep(seconds: float, should_stop: Callable[[], bool]) -> None:
    deadline = time.monotonic() + seconds
    while not should_stop() and time.monotonic() < deadline:
        time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
