"""The tool's own RSA key (it signs Deep Linking answers and the grade service's client
assertions) and the platforms' key sets (they sign id_tokens).

The tool's key is generated on first use into ``<instance>/lti-keys/tool.pem`` (mode 0600);
its public half is published at ``/lti/jwks.json`` with the RFC 7638 thumbprint as ``kid``.
Several hosts must share the file (copy it with the instance's secret key).

joserfc is imported inside the functions: only LTI requests and commands need it, not every
worker (tests/core/test_worker_memory.py).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests
from flask import Flask

if TYPE_CHECKING:
    from joserfc.jwk import KeySet, RSAKey

KEY_FOLDER = "lti-keys"
KEY_FILE = "tool.pem"
_lock = threading.Lock()


class KeySetUnavailable(Exception):
    """The platform's key set could not be fetched or read; the message says why."""


def key_path(app: Flask) -> Path:
    return Path(app.config["LMS_INSTANCE_PATH"]) / KEY_FOLDER / KEY_FILE


def tool_key(app: Flask) -> RSAKey:
    """The tool's private key, made on first use (several processes at once: one wins)."""
    from joserfc.jwk import RSAKey

    extras = app.extensions["lms"].extras
    key = extras.get("lti_tool_key")
    if key is not None:
        return key
    path = key_path(app)
    with _lock:
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            new = RSAKey.generate_key(2048, private=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process made it first: use theirs
            else:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(new.as_pem(private=True))
        key = RSAKey.import_key(path.read_bytes())
        extras["lti_tool_key"] = key
    return key


def public_jwks(app: Flask) -> dict[str, Any]:
    key = tool_key(app)
    public = key.as_dict(private=False)
    public.update(kid=key.thumbprint(), alg="RS256", use="sig")
    return {"keys": [public]}


def sign(app: Flask, claims: dict[str, Any]) -> str:
    """A JWT of ``claims`` signed with the tool's key (RS256, ``kid`` = thumbprint)."""
    from joserfc import jwt

    key = tool_key(app)
    return jwt.encode({"alg": "RS256", "typ": "JWT", "kid": key.thumbprint()}, claims, key)


def _fetch(app: Flask, url: str) -> dict[str, Any]:
    timeout = float(app.config["LMS_LTI_HTTP_TIMEOUT"])
    try:
        response = requests.get(url, timeout=(timeout, timeout))
        response.raise_for_status()
        document = response.json()
    except requests.RequestException as exc:
        raise KeySetUnavailable(f"{type(exc).__name__} fetching {url}") from exc
    except ValueError as exc:
        raise KeySetUnavailable(f"{url} did not answer with JSON") from exc
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise KeySetUnavailable(f"{url} is not a JSON Web Key Set")
    return document


def platform_keys(app: Flask, url: str, kid: str | None) -> KeySet:
    """The platform's key set from ``url``, cached for ``LMS_LTI_KEY_SET_CACHE_SECONDS``; a
    ``kid`` the cached set does not know fetches it again once (the platform rotated)."""
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    cache: dict[str, tuple[float, dict[str, Any]]] = app.extensions["lms"].extras.setdefault(
        "lti_key_sets", {}
    )
    now = time.monotonic()
    cached = cache.get(url)
    fresh = cached is not None and now - cached[0] < float(
        app.config["LMS_LTI_KEY_SET_CACHE_SECONDS"]
    )
    known = cached is not None and any(k.get("kid") == kid for k in cached[1]["keys"])
    if not (fresh and (known or kid is None)):
        cache[url] = cached = (now, _fetch(app, url))
    assert cached is not None
    usable = [k for k in cached[1]["keys"] if isinstance(k, dict) and k.get("kty") == "RSA"]
    try:
        return KeySet.import_key_set({"keys": usable})
    except (JoseError, ValueError, TypeError) as exc:
        raise KeySetUnavailable(f"{url}: {exc}") from exc
