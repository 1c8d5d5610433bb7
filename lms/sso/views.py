"""Signing in with the organisation's own account (OpenID Connect, authorisation code flow
with PKCE).

1. ``/login/organisation``: the person types their work e-mail address; its domain finds the
   organisation (``lms_sso_domain``), whose provider the browser is sent to, with a fresh
   state, nonce and PKCE code verifier (kept by Authlib in the signed session).
2. ``/login/organisation/callback``: the provider sends the browser back with a code; Authlib
   checks the state, exchanges the code (with the verifier and the client secret), checks the
   ID token's signature against the provider's keys (JWKS), its issuer, audience, expiry and
   nonce. ``services.sign_in`` then applies the organisation's rules.

Every refusal is a page that says what happened (4xx, never 500), is written to the audit
trail, and changes nothing else.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select
from wtforms import EmailField
from wtforms.validators import DataRequired
from wtforms.validators import Email as EmailValidator

from lms.accounts import policy
from lms.accounts.login import start_session
from lms.core import audit
from lms.core.db import db, writes
from lms.core.forms import LMSForm
from lms.core.i18n import current_language
from lms.core.i18n import lazy_gettext as _l
from lms.core.security import allow_form_targets
from lms.core.urls import external_url
from lms.sso import services
from lms.sso.models import OrganisationSSO
from lms.sso.providers import (
    ProviderConfig,
    ProviderConfigError,
    configured_providers,
    oauth_client,
    provider,
)
from lms.sso.services import SSORefused

bp = Blueprint("sso", __name__, template_folder="templates")

PENDING = "lms_sso"

policy.register(services.passwords_off, services.sso_only_domain)


class StartForm(LMSForm):
    email = EmailField(
        _l("Your work e-mail address"),
        description=_l("The address you use at work, for example an.peeters@gemeente.be."),
        validators=[
            DataRequired(_l("Enter your work e-mail address.")),
            EmailValidator(_l("Enter an e-mail address like name@example.be.")),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"},
    )


#: What each failure of the protocol tells the person (title, explanation).
PROTOCOL_FAILURES = {
    "expired": (
        _l("This sign-in has expired"),
        _l(
            "The sign-in was not started here, or it took too long, or it was already used. "
            "Nothing has changed. Start again."
        ),
    ),
    "provider_unreachable": (
        _l("Your organisation's sign-in service does not answer"),
        _l(
            "We could not reach your organisation's sign-in service. Nothing has changed. Try "
            "again in a few minutes, or log in with your password if you have one."
        ),
    ),
    "provider_error": (
        _l("Your organisation's sign-in service said no"),
        _l(
            "The sign-in service of your organisation did not sign you in (you may have "
            "cancelled). Nothing has changed. Start again, or ask your organisation's IT "
            "department."
        ),
    ),
    "invalid_token": (
        _l("We could not check who you are"),
        _l(
            "The answer from your organisation's sign-in service did not pass our safety "
            "checks, so we did not sign you in. Nothing has changed. Start again. If it keeps "
            "happening, tell your organisation's IT department."
        ),
    ),
    "not_configured": (
        _l("Signing in with your organisation's account is not set up"),
        _l(
            "Your organisation's sign-in service is not set up correctly in the learning "
            "platform. Log in with your password if you have one, and tell your coordinator."
        ),
    ),
}


def _protocol_refusal(reason: str, detail: str) -> SSORefused:
    kind = {
        "state": "expired",
        "no_pending": "expired",
    }.get(reason, reason)
    if kind not in PROTOCOL_FAILURES:
        kind = "invalid_token"
    title, message = PROTOCOL_FAILURES[kind]
    refusal = SSORefused(reason, title, message, 400)
    refusal.detail = detail  # type: ignore[attr-defined]
    return refusal


def _refused(refusal: SSORefused, provider_key: str | None = None, *, record: bool = True):
    """The page for a refused sign-in; protocol failures are written to the audit trail here
    (``services.sign_in`` records its own)."""
    db.session.rollback()
    if record:
        audit.record(
            db.session,
            "user.login_failed",
            "user",
            None,
            method="sso",
            provider=provider_key,
            reason=refusal.reason,
            detail=getattr(refusal, "detail", None),
            address=request.remote_addr,
        )
    db.session.commit()
    return render_template("lms/sso/refused.html", refusal=refusal), refusal.status


def _settings_for(organisation_id: int | None) -> tuple[OrganisationSSO, ProviderConfig] | None:
    if organisation_id is None:
        return None
    sso = db.session.scalar(
        select(OrganisationSSO).where(OrganisationSSO.organisation_id == organisation_id)
    )
    if sso is None:
        return None
    try:
        config = provider(sso.provider)
    except ProviderConfigError as exc:
        raise _protocol_refusal("not_configured", str(exc)) from exc
    if config is None:
        raise _protocol_refusal("not_configured", f"no provider {sso.provider!r}")
    return sso, config


def _load_metadata(config: ProviderConfig) -> None:
    """Fetch the provider's discovery document (once per process) and check that it speaks
    for the configured issuer."""
    client = oauth_client(config)
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        raise _protocol_refusal("provider_unreachable", type(exc).__name__) from exc
    if metadata.get("issuer") != config.issuer:
        client.server_metadata.clear()  # look again next time
        raise _protocol_refusal("not_configured", "issuer of the discovery document")


@bp.route("/login/organisation", methods=["GET", "POST"])
def start():
    form = StartForm()
    if form.validate_on_submit():
        email = form.email.data.strip()
        sso = services.sso_for_email(db.session, email)
        try:
            settings = _settings_for(sso.organisation_id) if sso is not None else None
        except SSORefused as refusal:
            return _refused(refusal, sso.provider if sso is not None else None)
        if settings is None:
            form.email.errors.append(
                _l(
                    "No organisation signs in addresses ending in @%(domain)s here. Log in "
                    "with your password instead, or check the address.",
                    domain=services.domain_of(email),
                )
            )
        else:
            sso, config = settings
            try:
                _load_metadata(config)
            except SSORefused as refusal:
                return _refused(refusal, config.key)
            session[PENDING] = {"organisation_id": sso.organisation_id, "provider": config.key}
            return oauth_client(config).authorize_redirect(
                external_url("lms.sso.callback"),
                login_hint=email,
                ui_locales=current_language(),
            )
    response = make_response(
        render_template("lms/sso/start.html", form=form), 422 if form.errors else 200
    )
    return allow_form_targets(response, _provider_origins())


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else None


def _provider_origins() -> list[str]:
    """Where the form of the start page may lead: every configured provider's issuer, and its
    authorisation endpoint when the discovery document is already known (usually the same
    host)."""
    origins: list[str] = []
    try:
        configs = configured_providers().values()
    except ProviderConfigError:
        return origins
    for config in configs:
        origins.append(_origin(config.issuer) or "")
        clients = current_app.extensions["lms"].extras.get("sso_clients", {})
        known = clients.get(config.key)
        if known is not None:
            endpoint = known[1].server_metadata.get("authorization_endpoint")
            origins.append(_origin(endpoint or "") or "")
    return [o for o in origins if o]


@bp.get("/login/organisation/callback")
@writes
def callback():
    # Authlib and joserfc are imported here, on first use (see providers.oauth_client).
    from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
    from joserfc.errors import BadSignatureError, ClaimError, JoseError

    pending = session.pop(PENDING, None) or {}
    try:
        settings = _settings_for(pending.get("organisation_id"))
    except SSORefused as refusal:
        return _refused(refusal, pending.get("provider"))
    if settings is None or settings[1].key != pending.get("provider"):
        return _refused(_protocol_refusal("no_pending", "no sign-in started in this browser"))
    sso, config = settings
    client = oauth_client(config)
    try:
        _load_metadata(config)
        returned_issuer = request.args.get("iss")  # RFC 9207, when the provider sends it
        if returned_issuer is not None and returned_issuer != config.issuer:
            raise _protocol_refusal("issuer", "iss parameter of the response")
        # Authlib checks the audience only through "azp" unless told: name it explicitly.
        token = client.authorize_access_token(
            claims_options={
                "iss": {"essential": True, "value": config.issuer},
                "aud": {"essential": True, "value": config.client_id},
            }
        )
        claims = token.get("userinfo")
        if not claims:
            raise _protocol_refusal("no_id_token", "the token response had no ID token")
    except SSORefused as refusal:
        return _refused(refusal, config.key)
    except MismatchingStateError:
        return _refused(_protocol_refusal("state", "state"), config.key)
    except OAuthError as exc:
        return _refused(_protocol_refusal("provider_error", str(exc.error)), config.key)
    except requests.RequestException as exc:
        return _refused(_protocol_refusal("provider_unreachable", type(exc).__name__), config.key)
    except BadSignatureError:
        return _refused(_protocol_refusal("signature", "signature"), config.key)
    except ClaimError as exc:
        # nonce, aud, iss, exp, azp...: which claim failed goes into the audit trail
        return _refused(_protocol_refusal(exc.claim, exc.error), config.key)
    except (JoseError, ValueError) as exc:
        return _refused(_protocol_refusal("token", type(exc).__name__), config.key)
    try:
        user = services.sign_in(db.session, sso, config, dict(claims), address=request.remote_addr)
    except SSORefused as refusal:
        db.session.commit()  # the refusal, in the audit trail (services recorded it)
        return render_template("lms/sso/refused.html", refusal=refusal), refusal.status
    db.session.commit()
    session.pop("lms_lang", None)
    start_session(user)
    return redirect(url_for("lms.learning.my_learning"))
