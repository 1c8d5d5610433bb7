"""Single sign-on rules: which organisation an address belongs to, who may sign in, and the
accounts made on a first sign-in (flush only; the view commits)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.accounts.services import RoleSpec, create_user, find_by_login, normalise_login
from lms.core import audit
from lms.core.db import utcnow
from lms.core.i18n import lazy_gettext as _l
from lms.organisations.models import Organisation
from lms.sso.models import OrganisationSSO, SSODomain
from lms.sso.providers import ProviderConfig


class SSOSettingsError(ValueError):
    """Settings an administrator gave that cannot work; ``field`` names the form field."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class SSORefused(Exception):
    """A sign-in through the organisation's provider that is refused: ``reason`` is a short
    code (for the audit trail and the tests), ``title`` and ``message`` are for the person,
    ``status`` the HTTP status of the page."""

    reason: str
    title: str
    message: str
    status: int = 400


def domain_of(email: str) -> str:
    return (normalise_login(email) or "").rpartition("@")[2]


def sso_for_email(session: Session, email: str) -> OrganisationSSO | None:
    """The single sign-on of the organisation an e-mail address's domain belongs to."""
    domain = domain_of(email)
    if not domain:
        return None
    return session.scalar(select(OrganisationSSO).join(SSODomain).where(SSODomain.domain == domain))


def sso_of(session: Session, organisation: Organisation | None) -> OrganisationSSO | None:
    if organisation is None:
        return None
    return session.scalar(
        select(OrganisationSSO).where(OrganisationSSO.organisation_id == organisation.id)
    )


def passwords_off(session: Session, user: User) -> bool:
    """True when the person's organisation signs its people in through its provider only."""
    sso = session.scalar(
        select(OrganisationSSO).where(OrganisationSSO.organisation_id == user.organisation_id)
    )
    return sso is not None and sso.passwords_off


def sso_only_domain(session: Session, login: str) -> bool:
    """True when ``login`` is an e-mail address at a domain whose organisation switched local
    passwords off (decided by the address typed, so it says nothing about any account)."""
    sso = sso_for_email(session, login) if "@" in (login or "") else None
    return sso is not None and sso.passwords_off


def clean_domains(text: str | Iterable[str]) -> list[str]:
    """The domains of an administrator's list (one per line or separated by commas or
    spaces), lower case, without "@"; raises ``SSOSettingsError`` for one that is not a
    domain."""
    parts = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    domains: list[str] = []
    for part in parts:
        domain = part.strip().lower().lstrip("@")
        labels = domain.split(".")
        if (
            len(labels) < 2
            or len(domain) > 253
            or not all(
                label
                and len(label) <= 63
                and label.replace("-", "").isalnum()
                and label.isascii()
                and not label.startswith("-")
                and not label.endswith("-")
                for label in labels
            )
        ):
            raise SSOSettingsError(
                _l("“%(domain)s” is not a domain. Write domains like gemeente.be.", domain=part),
                "sso_domains",
            )
        if domain not in domains:
            domains.append(domain)
    return domains


def configure(
    session: Session,
    organisation: Organisation,
    *,
    provider: str | None,
    domains: list[str],
    create_accounts: bool,
    passwords_off: bool,
    actor_id: int | None = None,
) -> OrganisationSSO | None:
    """Link ``organisation`` to a provider (or unlink it: ``provider`` None)."""
    current = sso_of(session, organisation)
    if not provider:
        if current is not None:
            session.delete(current)
            session.flush()
            audit.record(
                session, "organisation.sso_off", "organisation", organisation.id, actor_id=actor_id
            )
        return None
    if provider not in (current_app.config.get("LMS_SSO_PROVIDERS") or {}):
        raise SSOSettingsError(_l("Choose one of the sign-in services."), "sso_provider")
    if not domains:
        raise SSOSettingsError(
            _l("Give at least one e-mail domain of the organisation, like gemeente.be."),
            "sso_domains",
        )
    taken = session.scalars(
        select(SSODomain.domain)
        .join(OrganisationSSO)
        .where(
            SSODomain.domain.in_(domains),
            OrganisationSSO.organisation_id != organisation.id,
        )
    ).all()
    if taken:
        raise SSOSettingsError(
            _l(
                "%(domains)s already belongs to another organisation.",
                domains=", ".join(sorted(taken)),
            ),
            "sso_domains",
        )
    sso = current or OrganisationSSO(organisation=organisation)
    sso.provider = provider
    sso.create_accounts = create_accounts
    sso.passwords_off = passwords_off
    keep = {d.domain: d for d in sso.domains}
    sso.domains = [keep.get(domain) or SSODomain(domain=domain) for domain in domains]
    session.add(sso)
    session.flush()
    audit.record(
        session,
        "organisation.sso",
        "organisation",
        organisation.id,
        actor_id=actor_id,
        provider=provider,
        domains=domains,
        create_accounts=create_accounts,
        passwords_off=passwords_off,
    )
    return sso


def _refuse(session: Session, reason: str, user: User | None, provider: str, address) -> None:
    audit.record(
        session,
        "user.login_failed",
        "user",
        user.id if user else None,
        method="sso",
        provider=provider,
        reason=reason,
        address=address,
    )


def sign_in(
    session: Session,
    sso: OrganisationSSO,
    config: ProviderConfig,
    claims: dict,
    *,
    address: str | None = None,
) -> User:
    """The person the provider vouched for (``claims`` of a validated ID token), signed in
    to ``sso``'s organisation: matched by e-mail address, or created when the organisation
    allows it. Raises ``SSORefused`` (after writing the refusal to the audit trail; nothing
    else changes)."""
    organisation = sso.organisation
    email = normalise_login(str(claims.get(config.email_claim) or ""))
    verified = claims.get("email_verified") is True or config.trust_email
    if not email or "@" not in email or not verified:
        _refuse(session, "no_verified_email", None, config.key, address)
        raise SSORefused(
            "no_verified_email",
            _l("Your e-mail address is missing"),
            _l(
                "Your organisation's sign-in service did not give us a confirmed e-mail "
                "address, so we cannot tell who you are. Ask your organisation's IT "
                "department."
            ),
            403,
        )
    if domain_of(email) not in sso.domain_names:
        _refuse(session, "domain", None, config.key, address)
        raise SSORefused(
            "domain",
            _l("This address does not belong to %(organisation)s", organisation=organisation.name),
            _l(
                "You signed in as %(email)s, but %(organisation)s only signs in addresses "
                "ending in %(domains)s. Sign in with your work account, or log in with your "
                "password.",
                email=email,
                organisation=organisation.name,
                domains=", ".join("@" + d for d in sso.domain_names),
            ),
            403,
        )
    user = find_by_login(session, email)
    if user is not None and user.organisation_id not in (None, organisation.id):
        _refuse(session, "other_organisation", user, config.key, address)
        raise SSORefused(
            "other_organisation",
            _l("Your account belongs to another organisation"),
            _l(
                "Your account in the learning platform belongs to another organisation. Ask "
                "your coordinator to move it, or log in with your password."
            ),
            403,
        )
    if user is not None and not user.active:
        _refuse(session, "deactivated", user, config.key, address)
        raise SSORefused(
            "deactivated",
            _l("Your account is switched off"),
            _l(
                "Your account in the learning platform is switched off. If you think it "
                "should work, ask your coordinator."
            ),
            403,
        )
    if user is None and not sso.create_accounts:
        _refuse(session, "unknown_account", None, config.key, address)
        raise SSORefused(
            "unknown_account",
            _l("You do not have an account yet"),
            _l(
                "%(organisation)s has not made an account for %(email)s in the learning "
                "platform yet. Ask your coordinator to add you.",
                organisation=organisation.name,
                email=email,
            ),
            403,
        )
    if user is None:
        languages = current_app.config["LMS_LANGUAGES"]
        locale = str(claims.get("locale") or "").replace("_", "-").split("-")[0].lower()
        name = str(claims.get("name") or "").strip() or email.partition("@")[0]
        user = create_user(
            session,
            full_name=name[:200],
            email=email,
            organisation=organisation,
            roles=(RoleSpec("learner"),),
            language=locale if locale in languages else languages[0],
        )
        audit.record(
            session, "user.sso_created", "user", user.id, actor_id=user.id, provider=config.key
        )
    user.last_login_at = utcnow()
    audit.record(
        session,
        "user.login",
        "user",
        user.id,
        actor_id=user.id,
        method="sso",
        provider=config.key,
        address=address,
    )
    session.flush()
    return user
