"""The identity providers the operator configured (``LMS_SSO_PROVIDERS``), and one Authlib
client per provider and app.

``LMS_SSO_PROVIDERS`` maps a key (what an organisation's settings name) to::

    {
        "label": "Microsoft Entra ID (Koksijde)",   # shown to administrators
        "issuer": "https://login.microsoftonline.com/<tenant id>/v2.0",
        "discovery_url": "...",   # optional; default: <issuer>/.well-known/openid-configuration
        "client_id": "...",
        "client_secret": "...",   # or "client_secret_env": "NAME_OF_AN_ENVIRONMENT_VARIABLE"
        "scope": "openid email profile",   # optional
        "email_claim": "email",   # optional: the claim that holds the e-mail address
        "trust_email": False,     # optional: accept the e-mail claim without email_verified
    }

Secrets stay in the operator's configuration (``instance/lms.cfg`` or the environment), never
in the database or the repository.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from flask import current_app

#: Seconds to wait for a provider (discovery, keys, token endpoint).
TIMEOUT = 10


class ProviderConfigError(ValueError):
    """``LMS_SSO_PROVIDERS`` has an entry that cannot work; the message says which key."""


@dataclass(frozen=True)
class ProviderConfig:
    key: str
    label: str
    issuer: str
    discovery_url: str
    client_id: str
    client_secret: str
    scope: str
    email_claim: str
    trust_email: bool


def _read(key: str, raw: dict[str, Any]) -> ProviderConfig:
    missing = [name for name in ("issuer", "client_id") if not raw.get(name)]
    secret = raw.get("client_secret") or os.environ.get(raw.get("client_secret_env") or "", "")
    if not secret:
        missing.append("client_secret (or client_secret_env)")
    if missing:
        raise ProviderConfigError(f"LMS_SSO_PROVIDERS[{key!r}] needs {', '.join(missing)}.")
    issuer = str(raw["issuer"])
    return ProviderConfig(
        key=key,
        label=str(raw.get("label") or key),
        issuer=issuer,
        discovery_url=str(
            raw.get("discovery_url") or issuer.rstrip("/") + "/.well-known/openid-configuration"
        ),
        client_id=str(raw["client_id"]),
        client_secret=str(secret),
        scope=str(raw.get("scope") or "openid email profile"),
        email_claim=str(raw.get("email_claim") or "email"),
        trust_email=bool(raw.get("trust_email", False)),
    )


def configured_providers() -> dict[str, ProviderConfig]:
    """Every provider of ``LMS_SSO_PROVIDERS`` (raises ``ProviderConfigError`` for a bad one)."""
    raw = current_app.config.get("LMS_SSO_PROVIDERS") or {}
    return {str(key): _read(str(key), value) for key, value in raw.items()}


def provider(key: str) -> ProviderConfig | None:
    """The provider ``key`` (None when there is no such key; ``ProviderConfigError`` when its
    entry cannot work: other entries do not matter)."""
    raw = (current_app.config.get("LMS_SSO_PROVIDERS") or {}).get(key)
    return None if raw is None else _read(key, raw)


def client_name(config: ProviderConfig) -> str:
    return f"lms_sso_{config.key}"


def oauth_client(config: ProviderConfig):
    """The app's Authlib client for ``config`` (authorisation code flow with PKCE; Authlib
    keeps state, nonce and code verifier in the session and checks them)."""
    # Authlib is imported on first use: a worker that never signs anyone in through an
    # organisation does not hold it (a few MB).
    from authlib.integrations.flask_client import OAuth

    extras = current_app.extensions["lms"].extras
    oauth: OAuth = extras.get("sso_oauth") or OAuth(current_app._get_current_object())
    extras["sso_oauth"] = oauth
    clients: dict[str, tuple[ProviderConfig, Any]] = extras.setdefault("sso_clients", {})
    known = clients.get(config.key)
    if known is None or known[0] != config:  # first use, or the configuration changed
        oauth._clients.pop(client_name(config), None)  # a changed configuration: a new client
        client = oauth.register(
            client_name(config),
            client_id=config.client_id,
            client_secret=config.client_secret,
            server_metadata_url=config.discovery_url,
            client_kwargs={
                "scope": config.scope,
                "code_challenge_method": "S256",
                "default_timeout": TIMEOUT,
            },
        )
        known = clients[config.key] = (config, client)
    return known[1]
