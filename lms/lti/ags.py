"""Posting queued scores to the platforms' grade books (Assignment and Grade Services 2.0).

``send_pending`` claims a batch of unsent scores (``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
like the mail outbox), asks each platform for an access token once per batch (OAuth 2
client credentials, authenticated with a JWT signed by the tool's key: RFC 7523 as the IMS
Security Framework says), then POSTs each score to ``<lineitem>/scores``. No database
transaction stays open while a platform is called. A failure is recorded and retried with
exponential back-off; after ``LMS_LTI_MAX_ATTEMPTS`` the score is given up (``lms lti
scores`` lists those).
"""

from __future__ import annotations

import secrets
import time
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from flask import Flask, current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from lms.core.db import utcnow
from lms.core.workers import claim_rows, lease, worker_id
from lms.lti import claims as c
from lms.lti.keys import sign
from lms.lti.models import LtiGradeLink, LtiNonce, LtiRegistration, LtiScore

SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class DeliveryError(Exception):
    """A platform that did not take a token request or a score; the message says what."""


def scores_url(lineitem: str) -> str:
    """``<lineitem>/scores``, keeping the line item's query string (AGS 2.0, 3.4)."""
    parts = urlsplit(lineitem)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def client_assertion(app: Flask, registration: LtiRegistration) -> str:
    now = int(time.time())
    return sign(
        app,
        {
            "iss": registration.client_id,
            "sub": registration.client_id,
            "aud": registration.auth_token_url,
            "iat": now,
            "exp": now + 300,
            "jti": str(uuid.uuid4()),
        },
    )


def access_token(app: Flask, registration: LtiRegistration) -> str:
    timeout = float(app.config["LMS_LTI_HTTP_TIMEOUT"])
    try:
        response = requests.post(
            registration.auth_token_url,
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": client_assertion(app, registration),
                "scope": c.AGS_SCORE_SCOPE,
            },
            headers={"Accept": "application/json"},
            timeout=(timeout, timeout),
        )
    except requests.RequestException as exc:
        raise DeliveryError(f"token: {type(exc).__name__}") from exc
    if response.status_code != 200:
        raise DeliveryError(f"token: HTTP {response.status_code} {response.text[:200]}")
    try:
        token = response.json()["access_token"]
    except (ValueError, KeyError, TypeError) as exc:
        raise DeliveryError("token: no access_token in the answer") from exc
    if not isinstance(token, str) or not token:
        raise DeliveryError("token: no access_token in the answer")
    return token


def score_message(score: LtiScore, link: LtiGradeLink) -> dict[str, Any]:
    stamp = score.timestamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {**score.payload, "userId": link.subject, "timestamp": stamp}


def post_score(app: Flask, token: str, link: LtiGradeLink, score: LtiScore) -> None:
    timeout = float(app.config["LMS_LTI_HTTP_TIMEOUT"])
    try:
        response = requests.post(
            scores_url(link.lineitem_url),
            json=score_message(score, link),
            headers={"Authorization": f"Bearer {token}", "Content-Type": SCORE_MEDIA_TYPE},
            timeout=(timeout, timeout),
        )
    except requests.RequestException as exc:
        raise DeliveryError(f"score: {type(exc).__name__}") from exc
    if response.status_code not in (200, 201, 202, 204):
        raise DeliveryError(f"score: HTTP {response.status_code} {response.text[:200]}")


def claim_batch(
    session: Session, *, worker: str, limit: int, max_attempts: int, held: timedelta
) -> list[int]:
    """Claim up to ``limit`` due scores for ``worker``, counting the attempt; commits."""
    now = utcnow()
    return claim_rows(
        session,
        LtiScore,
        LtiScore.sent_at.is_(None),
        LtiScore.attempts < max_attempts,
        or_(LtiScore.next_attempt_at.is_(None), LtiScore.next_attempt_at <= now),
        worker=worker,
        limit=limit,
        held=held,
        attempts=LtiScore.attempts + 1,
    )


def backoff(attempts: int, base: float) -> timedelta:
    """30 s, 1 min, 2 min... at most 6 hours, with a little jitter."""
    seconds = min(base * 2 ** max(attempts - 1, 0), 6 * 3600)
    return timedelta(seconds=seconds * (1 + secrets.randbelow(100) / 1000))


def send_pending(
    session: Session, *, limit: int | None = None, worker: str | None = None
) -> tuple[int, int]:
    """Post a batch of queued scores; returns (sent, failed). Commits."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    worker = worker or worker_id()
    ids = claim_batch(
        session,
        worker=worker,
        limit=limit or int(app.config["LMS_LTI_BATCH_SIZE"]),
        max_attempts=int(app.config["LMS_LTI_MAX_ATTEMPTS"]),
        held=lease(app),
    )
    if not ids:
        return 0, 0
    rows = session.execute(
        select(LtiScore, LtiGradeLink, LtiRegistration)
        .join(LtiGradeLink, LtiScore.grade_link_id == LtiGradeLink.id)
        .join(LtiRegistration, LtiGradeLink.registration_id == LtiRegistration.id)
        .where(LtiScore.id.in_(ids))
        .order_by(LtiScore.id)
    ).all()
    session.expunge_all()
    session.commit()  # nothing held open while the platforms are called
    tokens: dict[int, str | DeliveryError] = {}
    outcomes: list[tuple[int, int, str | None]] = []
    for score, link, registration in rows:
        try:
            if registration.id not in tokens:
                try:
                    tokens[registration.id] = access_token(app, registration)
                except DeliveryError as exc:
                    tokens[registration.id] = exc
            token = tokens[registration.id]
            if isinstance(token, DeliveryError):
                raise token
            post_score(app, token, link, score)
        except DeliveryError as exc:
            outcomes.append((score.id, score.attempts + 1, str(exc)))
        else:
            outcomes.append((score.id, score.attempts + 1, None))
    sent = failed = 0
    now = utcnow()
    base = float(app.config["LMS_LTI_RETRY_SECONDS"])
    for score_id, attempts, error in outcomes:
        values: dict[str, Any] = {"claimed_by": None, "claimed_until": None, "last_error": error}
        if error is None:
            values["sent_at"] = now
            sent += 1
        else:
            values["next_attempt_at"] = now + backoff(attempts, base)
            failed += 1
        session.execute(
            update(LtiScore)
            .where(LtiScore.id == score_id, LtiScore.claimed_by == worker)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    session.commit()
    return sent, failed


def prune_nonces(session: Session, *, older_than: datetime | None = None) -> int:
    """Forget used nonces older than a day: an id_token that old is refused anyway (iat)."""
    cutoff = older_than or utcnow() - timedelta(days=1)
    removed = session.execute(delete(LtiNonce).where(LtiNonce.used_at < cutoff)).rowcount
    session.commit()
    return removed or 0
