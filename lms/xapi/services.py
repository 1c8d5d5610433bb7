"""Writes an administrator asks for. Services flush, never commit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.core.db import utcnow
from lms.xapi.models import XapiDeliveryIssue


def retry_issues(session: Session, ids: Sequence[int] | None = None) -> int:
    """Send issues again at the next round, with a fresh count of attempts.

    ``ids=None`` means every dead letter ("failed"); named issues are retried whatever their
    status, so a conflict that someone resolved at the LRS can be sent again. Returns how many.
    """
    query = select(XapiDeliveryIssue)
    if ids is None:
        query = query.where(XapiDeliveryIssue.status == "failed")
    else:
        query = query.where(XapiDeliveryIssue.id.in_(list(ids)))
    now = utcnow()
    count = 0
    for issue in session.scalars(query):
        issue.status, issue.attempts = "retrying", 0
        issue.next_attempt_at, issue.updated_at = now, now
        count += 1
    session.flush()
    return count
