"""A person's statements when the person is erased (called by ``lms.privacy.erasure``).

Statements no LRS has received yet (not stamped, or above every endpoint's cursor) are
simply deleted: they will never leave the LMS. Statements at least one LRS has received
are *voided*: for each one a ``voided`` statement (object: a StatementRef to it) goes into
the outbox, so every endpoint receives it after the original, in the usual order; then the
original row is deleted from the outbox. The voiding statement's actor is the LMS itself
(an opaque id derived from ``LMS_XAPI_BASE_IRI``), so it names nobody. xAPI has no
deletion: an LRS keeps voided statements (hidden from ordinary queries); removing them for
good is the LRS operator's task, using the person's public id (docs/xapi.md).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from lms.core.db import utcnow
from lms.xapi.activities import base_iri, format_timestamp
from lms.xapi.builder import enqueue
from lms.xapi.models import XapiDeliveryIssue, XapiEndpoint, XapiStatement
from lms.xapi.vocabulary import VERBS


def system_actor_id() -> str:
    """The LMS's own opaque actor name: stable for one base IRI, naming no person."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, base_iri() + "/xapi/lms"))


def voiding_statement(statement_id: uuid.UUID | str, at: datetime) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "timestamp": format_timestamp(at),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": base_iri(), "name": system_actor_id()},
        },
        "verb": {"id": VERBS["voided"], "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": str(statement_id)},
        "context": {"language": "en", "platform": current_app.config["LMS_XAPI_PLATFORM"]},
    }


@dataclass(frozen=True)
class StatementsErased:
    deleted: int
    voided: int


def erase_statements(session: Session, user_id: int) -> StatementsErased:
    """Delete the person's statements, voiding those an LRS already has. Flushes."""
    reached = session.scalar(select(func.max(XapiEndpoint.cursor))) or 0
    rows = session.execute(
        select(XapiStatement.id, XapiStatement.statement_id, XapiStatement.sequence)
        .where(XapiStatement.user_id == user_id, XapiStatement.verb != VERBS["voided"])
        .order_by(XapiStatement.id)
    ).all()
    now = utcnow()
    voided = 0
    for _row_id, statement_id, sequence in rows:
        if sequence is not None and sequence <= reached:
            enqueue(session, voiding_statement(statement_id, now), user_id=user_id)
            voided += 1
    ids = [row_id for row_id, _s, _q in rows]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        session.execute(
            delete(XapiDeliveryIssue).where(XapiDeliveryIssue.statement_row_id.in_(chunk))
        )
        session.execute(delete(XapiStatement).where(XapiStatement.id.in_(chunk)))
    session.flush()
    return StatementsErased(deleted=len(ids) - voided, voided=voided)
