"""Checking an uploaded Open Badges credential: a compact JWS, a JSON credential with its
proof, or a baked PNG.

The outcome is one of ``OUTCOMES``; the order of the checks decides which one a person reads:
first what the upload is (``UploadError`` for anything that is not a credential at all), then
who signed it (another issuer, or a key we never published), then whether the bytes are the
ones signed (tampered), and last what this server knows of it now (revoked, expired).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.badges import baking, credentials
from lms.certification import signing
from lms.certification.models import REPLACED, REVOKED, Certificate

VALID = "valid"
REVOKED_OUTCOME = "revoked"
EXPIRED = "expired"
TAMPERED = "tampered"
OTHER_ISSUER = "other-issuer"
UNKNOWN = "unknown"
UNSUPPORTED = "unsupported"
OUTCOMES = (VALID, REVOKED_OUTCOME, EXPIRED, TAMPERED, OTHER_ISSUER, UNKNOWN, UNSUPPORTED)
#: Outcomes that are refusals worth an entry in the audit log.
REFUSALS = (TAMPERED, OTHER_ISSUER)

_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$")


class UploadError(ValueError):
    """The upload is not a credential we can read; ``reason`` names what is wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Outcome:
    status: str
    #: A short technical reason (for the audit log), e.g. "bad-signature".
    detail: str
    #: The format the credential came in: "jwt", "json" or "png".
    form: str
    kid: str | None = None
    credential: dict[str, Any] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return self.status in REFUSALS

    @property
    def credential_id(self) -> str | None:
        value = self.credential.get("id")
        return value if isinstance(value, str) else None


# Reading the upload ----------------------------------------------------------------------------


def credential_text(data: bytes, *, declared_png: bool = False) -> tuple[str, str]:
    """(form, text) of an upload: the baked text of a PNG, else the UTF-8 text itself."""
    if not data.strip():
        raise UploadError("empty")
    if baking.is_png(data):
        try:
            return "png", baking.extract(data)
        except baking.BakingError as exc:
            raise UploadError(exc.reason) from None
    if declared_png:
        raise UploadError(baking.BakingError.NOT_PNG)
    try:
        text = data.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise UploadError("unreadable") from None
    return ("json" if text.startswith("{") else "jwt"), text


def _token_and_body(form: str, text: str) -> tuple[str, dict[str, Any] | None]:
    """The compact JWS, and the readable credential that came with it (JSON form)."""
    text = text.strip()
    if not text.startswith("{"):
        if not _JWS.match(text):
            raise UploadError("unreadable")
        return text, None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nesting built to exhaust the parser
        raise UploadError("unreadable") from None
    if not isinstance(data, dict):
        raise UploadError("unreadable")
    types = data.get("type")
    types = types if isinstance(types, list) else [types]
    envelope = data.get("id")
    if "EnvelopedVerifiableCredential" in types and isinstance(envelope, str):
        token = envelope.partition(",")[2] if envelope.startswith("data:") else ""
        if not _JWS.match(token):
            raise UploadError("unreadable")
        return token, None
    proofs = data.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs] if proofs else []
    for proof in proofs:
        if isinstance(proof, dict) and proof.get("type") == credentials.JSON_PROOF_TYPE:
            token = proof.get("jwt")
            if isinstance(token, str) and _JWS.match(token):
                return token, data
            raise UploadError("unreadable")
    if "VerifiableCredential" not in types:
        raise UploadError("unreadable")
    raise _NoProof(data, bool(proofs))


class _NoProof(Exception):
    def __init__(self, data: dict[str, Any], other_proof: bool) -> None:
        super().__init__("no JWT proof")
        self.data = data
        self.other_proof = other_proof


# Checking --------------------------------------------------------------------------------------


def _json_part(segment: str) -> Any:
    return json.loads(signing.unb64url(segment).decode("utf-8"))


def _our_kid(kid: Any, keys: Mapping[str, bytes]) -> str | None:
    """The short key id behind a ``kid`` of ours (its URL), else None."""
    if not isinstance(kid, str):
        return None
    prefix = credentials.key_url_prefix()
    short = kid.removeprefix(prefix) if kid.startswith(prefix) else None
    return short if short in keys else None


def _issuer_of(body: Mapping[str, Any]) -> Any:
    issuer = body.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def _same_credential(body: Mapping[str, Any], claims: Mapping[str, Any]) -> bool:
    """Does the readable JSON say exactly what the signed claims say?"""
    readable = {k: v for k, v in body.items() if k != "proof"}
    signed = {k: v for k, v in claims.items() if k not in credentials.JWT_CLAIMS}
    return readable == signed


def _claims_agree(claims: Mapping[str, Any]) -> bool:
    """OB 3.0 "Verify a Credential VC-JWT Signature": the claims repeat the credential."""
    try:
        subject = claims["credentialSubject"]
        nbf = datetime.fromisoformat(claims["validFrom"]).timestamp()
        checks = [
            claims.get("iss") == _issuer_of(claims),
            claims.get("jti") == claims.get("id"),
            isinstance(subject, Mapping) and claims.get("sub") == subject.get("id"),
            claims.get("nbf") == int(nbf),
        ]
        if "validUntil" in claims or "exp" in claims:
            exp = datetime.fromisoformat(claims["validUntil"]).timestamp()
            checks.append(claims.get("exp") == int(exp))
    except (KeyError, TypeError, ValueError):
        return False
    return all(checks)


def check_token(
    session: Session, form: str, token: str, body: dict[str, Any] | None, now: datetime
) -> Outcome:
    keys = signing.known_keys(session)
    header_part, payload_part, signature_part = token.split(".")
    try:
        header = _json_part(header_part)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise UploadError("unreadable") from None
    if not isinstance(header, dict):
        raise UploadError("unreadable")
    kid = header.get("kid")
    shown_kid = str(kid)[:200] if kid is not None else None
    short = _our_kid(kid, keys)
    if short is None:
        return Outcome(OTHER_ISSUER, "unknown-key", form, shown_kid, body or {})
    if header.get("alg") != credentials.JWT_ALGORITHM:
        return Outcome(TAMPERED, "wrong-algorithm", form, shown_kid, body or {})
    try:
        signature = signing.unb64url(signature_part)
        Ed25519PublicKey.from_public_bytes(keys[short]).verify(
            signature, f"{header_part}.{payload_part}".encode("ascii")
        )
    except (ValueError, InvalidSignature):
        return Outcome(TAMPERED, "bad-signature", form, shown_kid, body or {})
    try:
        claims = _json_part(payload_part)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return Outcome(TAMPERED, "bad-payload", form, shown_kid)
    if not isinstance(claims, dict) or not _claims_agree(claims):
        return Outcome(TAMPERED, "claims-disagree", form, shown_kid, body or {})
    if body is not None and not _same_credential(body, claims):
        return Outcome(TAMPERED, "json-differs-from-proof", form, shown_kid, body)
    if claims.get("iss") != credentials.issuer_id():
        return Outcome(OTHER_ISSUER, "other-issuer-id", form, shown_kid, claims)
    return _status(session, form, shown_kid, claims, now)


def _status(
    session: Session, form: str, kid: str | None, claims: dict[str, Any], now: datetime
) -> Outcome:
    public_id = credentials.public_id_of(claims.get("jti"))
    certificate = (
        session.scalar(select(Certificate).where(Certificate.public_id == public_id))
        if isinstance(public_id, uuid.UUID)
        else None
    )
    if certificate is None:
        return Outcome(UNKNOWN, "no-such-certificate", form, kid, claims)
    if certificate.status in (REVOKED, REPLACED):
        return Outcome(REVOKED_OUTCOME, certificate.status, form, kid, claims)
    exp = claims.get("exp")
    if isinstance(exp, int) and now.timestamp() > exp:
        return Outcome(EXPIRED, "expired", form, kid, claims)
    return Outcome(VALID, "valid", form, kid, claims)


def check_upload(
    session: Session, data: bytes, *, declared_png: bool = False, now: datetime | None = None
) -> Outcome:
    """What ``data`` (an uploaded file or pasted text) is worth. Raises ``UploadError`` when
    it is not a credential at all."""
    now = now or datetime.now(UTC)
    form, text = credential_text(data, declared_png=declared_png)
    try:
        token, body = _token_and_body(form, text)
    except _NoProof as missing:
        issuer = _issuer_of(missing.data)
        if issuer != credentials.issuer_id():
            return Outcome(OTHER_ISSUER, "other-issuer-id", form, None, missing.data)
        if missing.other_proof:
            return Outcome(UNSUPPORTED, "unsupported-proof", form, None, missing.data)
        return Outcome(TAMPERED, "no-proof", form, None, missing.data)
    form = "png" if form == "png" else "json" if body is not None else form
    return check_token(session, form, token, body, now)
