"""Checking an LTI 1.3 launch: the id_token the platform posted, against the registration,
the platform's keys, the nonce the login initiation chose, and the nonces already used.

Every failure is an ``LtiRefused`` with a short ``reason`` (the audit log, the tests) that
the view turns into a plain-language page; nothing here commits.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.lti import claims as c
from lms.lti.keys import KeySetUnavailable, platform_keys
from lms.lti.models import LtiNonce, LtiRegistration

#: Seconds of clock difference accepted between the platform and this server.
LEEWAY = 60


@dataclass
class LtiRefused(Exception):
    """A launch (or login initiation) that is refused. ``reason`` is a code; ``status`` the
    HTTP status of the page; ``detail`` goes to the audit log only."""

    reason: str
    status: int = 400
    detail: str = ""
    issuer: str | None = None
    registration_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def unverified_claims(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and claims of a JWT before any check (to find the registration)."""
    try:
        head, body, _signature = token.split(".")
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, TypeError) as exc:
        raise LtiRefused("malformed", 400, "the id_token is not a JWT") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise LtiRefused("malformed", 400, "the id_token is not a JWT")
    return header, payload


def audiences(payload: dict[str, Any]) -> list[str]:
    aud = payload.get("aud")
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list) and all(isinstance(a, str) for a in aud):
        return aud
    return []


def find_registration(session: Session, issuer: Any, client_id: str | None = None):
    """The active registration of ``issuer`` (and ``client_id`` when given, or the only one)."""
    if not isinstance(issuer, str) or not issuer:
        return None
    query = select(LtiRegistration).where(
        LtiRegistration.issuer == issuer, LtiRegistration.active.is_(True)
    )
    if client_id:
        query = query.where(LtiRegistration.client_id == client_id)
    found = list(session.scalars(query))
    return found[0] if len(found) == 1 else None


def verify_id_token(
    app: Flask,
    session: Session,
    token: str,
    *,
    registration: LtiRegistration,
    expected_nonce: str,
    now: float | None = None,
) -> dict[str, Any]:
    """The claims of ``token`` once everything the specification asks has been checked;
    records its nonce as used (a flush: the caller's transaction keeps it)."""
    from joserfc import jwt
    from joserfc.errors import BadSignatureError, JoseError

    header, _ = unverified_claims(token)
    refused = {"issuer": registration.issuer, "registration_id": registration.id}
    if header.get("alg") != "RS256":
        raise LtiRefused("algorithm", 400, f"alg {header.get('alg')!r}", **refused)
    try:
        keys = platform_keys(app, registration.key_set_url, header.get("kid"))
    except KeySetUnavailable as exc:
        raise LtiRefused("platform_keys", 502, str(exc), **refused) from exc
    try:
        decoded = jwt.decode(token, keys, algorithms=["RS256"])
    except BadSignatureError as exc:
        raise LtiRefused("signature", 400, "signature does not verify", **refused) from exc
    except (JoseError, ValueError) as exc:
        raise LtiRefused("signature", 400, f"{type(exc).__name__}: {exc}", **refused) from exc
    claims = dict(decoded.claims)
    now = time.time() if now is None else now

    if claims.get("iss") != registration.issuer:
        raise LtiRefused("issuer", 400, "iss", **refused)
    aud = audiences(claims)
    if registration.client_id not in aud:
        raise LtiRefused("audience", 400, "aud", **refused)
    azp = claims.get("azp")
    if (len(aud) > 1 or azp is not None) and azp != registration.client_id:
        raise LtiRefused("audience", 400, "azp", **refused)
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        raise LtiRefused("expired", 400, "exp or iat missing", **refused)
    if exp < now - LEEWAY:
        raise LtiRefused("expired", 400, f"expired {int(now - exp)} s ago", **refused)
    max_age = float(app.config["LMS_LTI_MAX_TOKEN_AGE_SECONDS"])
    if iat > now + LEEWAY or iat < now - max_age:
        raise LtiRefused("expired", 400, f"issued {int(now - iat)} s ago", **refused)
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce or nonce != expected_nonce:
        raise LtiRefused("nonce", 400, "nonce differs from the login's", **refused)
    if claims.get(c.VERSION) != "1.3.0":
        raise LtiRefused("version", 400, f"version {claims.get(c.VERSION)!r}", **refused)
    message_type = claims.get(c.MESSAGE_TYPE)
    if message_type not in (c.RESOURCE_LINK_REQUEST, c.DEEP_LINKING_REQUEST):
        raise LtiRefused("message_type", 400, f"message type {message_type!r}", **refused)
    deployment = claims.get(c.DEPLOYMENT_ID)
    if deployment not in registration.deployment_ids:
        raise LtiRefused(
            "unknown_deployment", 403, f"deployment {str(deployment)[:100]!r}", **refused
        )
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise LtiRefused("no_user", 403, "no sub (anonymous launch)", **refused)
    use_nonce(session, registration, nonce)
    return claims


def use_nonce(session: Session, registration: LtiRegistration, nonce: str) -> None:
    """Record ``nonce`` as used; a nonce used before is a replay. The unique key decides
    between two workers or hosts at the same moment."""
    issuer = registration.issuer
    refused = {"issuer": issuer, "registration_id": registration.id}
    seen = session.scalar(
        select(LtiNonce.id).where(LtiNonce.issuer == issuer, LtiNonce.nonce == nonce[:255])
    )
    if seen is not None:
        raise LtiRefused("replayed", 403, "nonce already used", **refused)
    try:
        with session.begin_nested():
            session.add(LtiNonce(issuer=issuer, nonce=nonce[:255]))
    except IntegrityError as exc:
        raise LtiRefused("replayed", 403, "nonce already used", **refused) from exc
