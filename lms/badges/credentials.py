"""A certificate as an Open Badges 3.0 ``OpenBadgeCredential``, secured as a VC-JWT.

The credential is built from the certificate's immutable record (course title in the holder's
language, issue date, end of validity), so every download of one certificate states the same
thing. It is signed with the certificates' own Ed25519 key (``certification.signing``): a
compact JWS with ``alg: EdDSA`` whose ``kid`` is the URL of the public key
(``/badges/keys/<kid>``); every key, retired ones too, stays in the key set
(``/badges/jwks.json``), so a credential stays verifiable after ``lms certificates
rotate-key``.

Addresses are absolute, from ``LMS_BASE_URL`` (like the certificate's QR code), so that a
credential downloaded on one host of a shared database names the same issuer as on another.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.catalog.queries import get_course_version_def
from lms.certification import signing
from lms.certification.models import REPLACED, REVOKED, Certificate, SigningKey

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
JWT_ALGORITHM = "EdDSA"
#: The proof type of the JSON download: the same compact JWS, beside the readable credential.
JSON_PROOF_TYPE = "JwtProof2020"
STATUS_TYPE = "1EdTechRevocationList"
#: The JWT claims that repeat the credential's own fields (OB 3.0, "JWT Payload Format").
JWT_CLAIMS = ("iss", "jti", "sub", "nbf", "exp")

#: The criteria narrative in the certificate's language (it is data of the credential, in the
#: holder's language like the certificate, not a text of the interface).
CRITERIA = {
    "nl": "Alle verplichte modules van de opleiding “{title}” afgewerkt en de toetsen behaald.",
    "fr": "A terminé les modules obligatoires de la formation « {title} » et réussi les tests.",
    "de": "Alle Pflichtmodule der Schulung „{title}“ abgeschlossen und die Tests bestanden.",
    "en": "Completed every required module of the course “{title}” and passed its tests.",
}
DESCRIPTION = {
    "nl": "Getuigschrift van de opleiding “{title}”.",
    "fr": "Certificat de la formation « {title} ».",
    "de": "Zertifikat der Schulung „{title}“.",
    "en": "Certificate of the course “{title}”.",
}


# Addresses -------------------------------------------------------------------------------------


def absolute_url(endpoint: str, **values: Any) -> str:
    """``endpoint``'s address under ``LMS_BASE_URL`` (no request needed)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["LMS_BASE_URL"].rstrip("/") + path


def issuer_id() -> str:
    return absolute_url("lms.badges.issuer")


def key_url(kid: str) -> str:
    return absolute_url("lms.badges.key", kid=kid)


def key_url_prefix() -> str:
    """What every key URL of ours starts with (the key id follows)."""
    return key_url("0" * 16).removesuffix("0" * 16)


def credential_id(certificate: Certificate) -> str:
    return f"urn:uuid:{certificate.public_id}"


def public_id_of(credential_ref: Any) -> uuid.UUID | None:
    """The certificate's ``public_id`` in a credential id (``urn:uuid:...``), else None."""
    if not isinstance(credential_ref, str) or not credential_ref.startswith("urn:uuid:"):
        return None
    try:
        return uuid.UUID(credential_ref.removeprefix("urn:uuid:"))
    except ValueError:
        return None


# Dates -----------------------------------------------------------------------------------------


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def end_of_validity(valid_until: date) -> datetime:
    """The last second of the ``valid_until`` day, in the certificates' time zone."""
    zone = ZoneInfo(current_app.config["LMS_CERTIFICATE_TIMEZONE"])
    next_day = datetime.combine(valid_until + timedelta(days=1), time(0), tzinfo=zone)
    return (next_day - timedelta(seconds=1)).astimezone(UTC)


# The holder ------------------------------------------------------------------------------------


def salt_for(certificate: Certificate) -> str:
    """A salt of its own for each credential, the same at every download of it."""
    secret = str(current_app.secret_key).encode("utf-8")
    message = f"open-badges-salt:{certificate.public_id}".encode("ascii")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def identity_hash(email: str, salt: str) -> str:
    """OB 3.0 ``IdentityHash``: ``sha256$`` and the hex SHA-256 of the address and the salt."""
    normalised = email.strip().lower()
    return "sha256$" + hashlib.sha256((normalised + salt).encode("utf-8")).hexdigest()


def _identifier(holder: User, certificate: Certificate) -> list[dict[str, Any]]:
    if not holder.email:  # a login name only: nothing a verifier could compare with
        return []
    salt = salt_for(certificate)
    return [
        {
            "type": "IdentityObject",
            "identityHash": identity_hash(holder.email, salt),
            "identityType": "emailAddress",
            "hashed": True,
            "salt": salt,
        }
    ]


# The credential --------------------------------------------------------------------------------


def build_credential(session: Session, certificate: Certificate) -> dict[str, Any]:
    """The unsigned ``OpenBadgeCredential`` of ``certificate`` (OB 3.0, VC data model 2.0)."""
    config = current_app.config
    lang = certificate.language
    course = get_course_version_def(session, certificate.course_version_id)
    title = certificate.course_title
    words = lang if lang in CRITERIA else "en"
    description = course.text(course.description, lang) if course is not None else ""
    course_url = absolute_url("lms.learning.course", slug=course.slug) if course else issuer_id()
    achievement = {
        "id": course_url,
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": title,
        "description": description or DESCRIPTION[words].format(title=title),
        "criteria": {"narrative": CRITERIA[words].format(title=title)},
        "image": {"id": absolute_url("lms.badges.image"), "type": "Image", "caption": title},
        "inLanguage": lang,
        "version": str(certificate.course_version),
    }
    subject: dict[str, Any] = {
        # An opaque id of the holder for this credential only (the JWT's ``sub``).
        "id": f"urn:uuid:{uuid.uuid5(certificate.public_id, 'credentialSubject')}",
        "type": ["AchievementSubject"],
        "achievement": achievement,
    }
    identifier = _identifier(certificate.user, certificate)
    if identifier:
        subject["identifier"] = identifier
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": title,
        "issuer": {
            "id": issuer_id(),
            "type": ["Profile"],
            "name": certificate.issuer,
            "url": config["LMS_BASE_URL"],
        },
        "validFrom": iso(certificate.issued_at),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": absolute_url("lms.badges.revocations"),
            "type": STATUS_TYPE,
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if certificate.valid_until is not None:
        credential["validUntil"] = iso(end_of_validity(certificate.valid_until))
    return credential


def jwt_claims(credential: dict[str, Any]) -> dict[str, Any]:
    """The JWT payload: the credential and the registered claims that repeat it (OB 3.0)."""
    claims = dict(credential)
    claims["iss"] = credential["issuer"]["id"]
    claims["jti"] = credential["id"]
    claims["sub"] = credential["credentialSubject"]["id"]
    claims["nbf"] = int(datetime.fromisoformat(credential["validFrom"]).timestamp())
    if "validUntil" in credential:
        claims["exp"] = int(datetime.fromisoformat(credential["validUntil"]).timestamp())
    return claims


def _json_bytes(data: dict[str, Any]) -> bytes:
    return signing.canonical_json(data).encode("utf-8")


def sign_jwt(claims: dict[str, Any], key: signing.LocalKey) -> str:
    """A compact JWS (RFC 7515) of ``claims``: header ``{alg: EdDSA, kid: <key URL>, typ: JWT}``."""
    header = {"alg": JWT_ALGORITHM, "kid": key_url(key.kid), "typ": "JWT"}
    signing_input = f"{signing.b64url(_json_bytes(header))}.{signing.b64url(_json_bytes(claims))}"
    return f"{signing_input}.{key.sign(signing_input.encode('ascii'))}"


def signed_credential(
    session: Session, certificate: Certificate
) -> tuple[dict[str, Any], str, str]:
    """(credential, compact JWS, key id) signed with the current key. Flushes the key's row
    when it signs for the first time; the caller commits."""
    key = signing.current_key(current_app.config["LMS_INSTANCE_PATH"])
    signing.register_key(session, key)
    credential = build_credential(session, certificate)
    return credential, sign_jwt(jwt_claims(credential), key), key.kid


def with_proof(credential: dict[str, Any], token: str, kid: str) -> dict[str, Any]:
    """The JSON download: the readable credential with the JWS as its proof."""
    return {
        **credential,
        # A list, as the OB 3.0 schema wants it.
        "proof": [
            {
                "type": JSON_PROOF_TYPE,
                "proofPurpose": "assertionMethod",
                "verificationMethod": key_url(kid),
                "jwt": token,
            }
        ],
    }


# What the issuer publishes -----------------------------------------------------------------------


def jwk_of(key: SigningKey) -> dict[str, str]:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "alg": JWT_ALGORITHM,
        "use": "sig",
        "kid": key_url(key.kid),
        "x": key.public_key,
    }


def key_set(session: Session) -> dict[str, Any]:
    """Every key that ever signed, retired ones included (RFC 7517 key set)."""
    return {"keys": [jwk_of(key) for key in signing.published_keys(session)]}


def issuer_profile() -> dict[str, Any]:
    config = current_app.config
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer_id(),
        "type": ["Profile"],
        "name": config["LMS_CERTIFICATE_ISSUER"],
        "url": config["LMS_BASE_URL"],
    }


def revocation_list(session: Session) -> dict[str, Any]:
    """The 1EdTech revocation list: the ids of withdrawn credentials (revoked or replaced).

    The reason an administrator typed is not published (it may name the person).
    """
    rows = session.execute(
        select(Certificate.public_id, Certificate.status)
        .where(Certificate.status.in_((REVOKED, REPLACED)))
        .order_by(Certificate.id)
    )
    return {
        "id": absolute_url("lms.badges.revocations"),
        "issuer": issuer_id(),
        "revokedCredentials": [
            {
                "id": f"urn:uuid:{public_id}",
                "revocationReason": "replaced" if status == REPLACED else "revoked",
            }
            for public_id, status in rows
        ],
    }


def pretty_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
