"""Ed25519 signatures: the signing key in the instance folder, public keys in the database.

Layout of the instance folder::

    certificate-keys/
      current              the key id (``kid``) of the key that signs new certificates
      <kid>.pem            its private key (PKCS#8, readable by the owner only)

The private key is generated on first use and never leaves the instance folder. Its public
half is stored in ``lms_certificate_key`` when it first signs, so that every host of a shared
database publishes every key (``keys.json``) and verification keeps working after
``lms certificates rotate-key`` (which retires the old key's row but keeps it).

A *signed document* is what a PDF carries and what ``verify_document`` checks::

    {"format": "connectoo-certificate/1", "alg": "Ed25519", "kid": "...",
     "payload": "<canonical JSON text>", "signature": "<base64url>"}

The signature covers the UTF-8 bytes of ``payload`` exactly as stored, so no JSON
re-serialisation can change what was signed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.certification.models import SigningKey
from lms.core.db import utcnow

KEY_FOLDER = "certificate-keys"
CURRENT_FILE = "current"
DOCUMENT_FORMAT = "connectoo-certificate/1"
ALGORITHM = "Ed25519"

_lock = threading.Lock()
_loaded: dict[Path, Ed25519PrivateKey] = {}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    """Strict base64url decoding (raises ``ValueError`` on anything else)."""
    if not isinstance(text, str) or not text.isascii():
        raise ValueError("not base64url text")
    padded = text + "=" * (-len(text) % 4)
    try:
        data = base64.urlsafe_b64decode(padded.encode("ascii"))
    except binascii.Error as exc:
        raise ValueError(str(exc)) from None
    if b64url(data) != text:  # refuse non-canonical spellings (e.g. changed padding bits)
        raise ValueError("not canonical base64url")
    return data


def canonical_json(data: Any) -> str:
    """Sorted keys, no spaces, real UTF-8 characters: the same text for the same data."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()[:16]


@dataclass(frozen=True)
class LocalKey:
    """The private key this instance signs with."""

    kid: str
    private_key: Ed25519PrivateKey

    @property
    def public_raw(self) -> bytes:
        return raw_public_key(self.private_key.public_key())

    def sign(self, data: bytes) -> str:
        return b64url(self.private_key.sign(data))


# The instance folder ---------------------------------------------------------------------


def key_folder(instance_path: Path | str) -> Path:
    return Path(instance_path) / KEY_FOLDER


def _write_private(folder: Path, key: Ed25519PrivateKey) -> str:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    kid = key_id(raw_public_key(key.public_key()))
    fd = os.open(folder / f"{kid}.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return kid


def _point_current(folder: Path, kid: str, *, replace: bool) -> bool:
    """Make ``kid`` the current key; without ``replace`` only if there is none yet.

    Written to a temporary file first, then linked or renamed into place, so that a reader
    never sees a half-written file. Returns False when another process was first.
    """
    tmp = folder / f".current-{kid}-{os.getpid()}-{threading.get_ident()}"
    tmp.write_text(kid + "\n", encoding="ascii")
    try:
        if replace:
            os.replace(tmp, folder / CURRENT_FILE)
            return True
        try:
            os.link(tmp, folder / CURRENT_FILE)
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _read_private(path: Path) -> Ed25519PrivateKey:
    key = _loaded.get(path)
    if key is None:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 key")
        key = _loaded[path] = loaded
    return key


def current_key(instance_path: Path | str) -> LocalKey:
    """The key that signs new certificates; generated into the instance folder on first use."""
    folder = key_folder(instance_path)
    pointer = folder / CURRENT_FILE
    with _lock:
        if not pointer.is_file():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            kid = _write_private(folder, Ed25519PrivateKey.generate())
            if not _point_current(folder, kid, replace=False):  # another process was first
                (folder / f"{kid}.pem").unlink(missing_ok=True)
        kid = pointer.read_text(encoding="ascii").strip()
        return LocalKey(kid, _read_private(folder / f"{kid}.pem"))


def rotate_local_key(instance_path: Path | str) -> tuple[LocalKey, str | None]:
    """Generate a new key and make it current. Returns (new key, previous kid or None).

    The previous private key file is removed afterwards by ``forget_local_key`` (once the
    database knows the new key), so a leaked old key cannot sign new certificates.
    """
    folder = key_folder(instance_path)
    pointer = folder / CURRENT_FILE
    with _lock:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        previous = pointer.read_text(encoding="ascii").strip() if pointer.is_file() else None
        key = Ed25519PrivateKey.generate()
        kid = _write_private(folder, key)
        _point_current(folder, kid, replace=True)
        return LocalKey(kid, key), previous


def forget_local_key(instance_path: Path | str, kid: str) -> None:
    path = key_folder(instance_path) / f"{kid}.pem"
    with _lock:
        _loaded.pop(path, None)
        path.unlink(missing_ok=True)


# The database ------------------------------------------------------------------------------


def register_key(session: Session, key: LocalKey, *, at: datetime | None = None) -> SigningKey:
    """The key's row in ``lms_certificate_key``, added on its first use (flush, no commit)."""
    row = session.scalar(select(SigningKey).where(SigningKey.kid == key.kid))
    if row is not None:
        return row
    row = SigningKey(
        kid=key.kid,
        algorithm=ALGORITHM,
        public_key=b64url(key.public_raw),
        created_at=at or utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # registered at the same moment by another request
        row = session.scalar(select(SigningKey).where(SigningKey.kid == key.kid))
        assert row is not None
    return row


def published_keys(session: Session) -> list[SigningKey]:
    return list(session.scalars(select(SigningKey).order_by(SigningKey.created_at, SigningKey.id)))


def jwks(keys: list[SigningKey], issuer: str) -> dict[str, Any]:
    """The public keys as a JSON Web Key Set (RFC 7517, OKP keys of RFC 8037)."""
    return {
        "issuer": issuer,
        "format": DOCUMENT_FORMAT,
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "alg": "EdDSA",
                "use": "sig",
                "kid": key.kid,
                "x": key.public_key,
                "created": key.created_at.isoformat(timespec="seconds"),
                "retired": key.retired_at.isoformat(timespec="seconds") if key.retired_at else None,
            }
            for key in keys
        ],
    }


def keys_from_jwks(data: Mapping[str, Any]) -> dict[str, bytes]:
    """{kid: raw public key} from a key set as ``jwks`` writes it."""
    found = {}
    for entry in data.get("keys", []):
        if entry.get("kty") == "OKP" and entry.get("crv") == "Ed25519":
            found[str(entry["kid"])] = unb64url(str(entry["x"]))
    return found


def known_keys(session: Session) -> dict[str, bytes]:
    return {key.kid: unb64url(key.public_key) for key in published_keys(session)}


# Signed documents ----------------------------------------------------------------------------


def signed_document(payload: str, signature: str, kid: str) -> dict[str, str]:
    return {
        "format": DOCUMENT_FORMAT,
        "alg": ALGORITHM,
        "kid": kid,
        "payload": payload,
        "signature": signature,
    }


@dataclass(frozen=True)
class Check:
    """The outcome of checking a signed document."""

    ok: bool
    #: "valid", "unknown-key", "bad-signature" or "malformed".
    reason: str
    kid: str | None = None
    payload: dict[str, Any] | None = None


def verify_document(document: Any, keys: Mapping[str, bytes]) -> Check:
    """Is ``document`` signed by one of ``keys`` ({kid: raw public key})?"""
    if not isinstance(document, Mapping) or document.get("format") != DOCUMENT_FORMAT:
        return Check(False, "malformed")
    kid, payload, signature = (document.get(k) for k in ("kid", "payload", "signature"))
    if not all(isinstance(v, str) for v in (kid, payload, signature)):
        return Check(False, "malformed")
    public_raw = keys.get(kid)
    if public_raw is None:
        return Check(False, "unknown-key", kid)
    try:
        signature_bytes = unb64url(signature)
        Ed25519PublicKey.from_public_bytes(public_raw).verify(
            signature_bytes, payload.encode("utf-8")
        )
    except (ValueError, InvalidSignature):
        return Check(False, "bad-signature", kid)
    try:
        data = json.loads(payload)
    except ValueError:
        return Check(False, "malformed", kid)
    return Check(True, "valid", kid, data if isinstance(data, dict) else None)
