"""Getting people in: invitations and password resets, sent as single-use links by e-mail.

The tokens are ``accounts.tokens``; this module adds the e-mails (the mail outbox sits beside
accounts, so the two meet here, one layer up) and the rules around them: an invitation only
for someone without a password, a reset request that answers and works the same whether the
account exists or not, and at most one reset e-mail per account per interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale, format_date, format_datetime
from sqlalchemy.orm import Session

from lms.accounts import policy
from lms.accounts.models import User
from lms.accounts.services import AccountError, change_password, find_by_login
from lms.accounts.tokens import (
    issue_token,
    latest_token_at,
    new_token,
    pending_invitations,
    redeem_token,
)
from lms.core import audit
from lms.core.db import utcnow
from lms.core.i18n import gettext as _
from lms.mail.services import queue_mail


class InvitationError(AccountError):
    """An invitation that cannot be sent; the message says why (nothing was sent)."""


def invitation_lifetime() -> timedelta:
    return timedelta(days=float(current_app.config["LMS_INVITATION_DAYS"]))


def reset_lifetime() -> timedelta:
    return timedelta(hours=float(current_app.config["LMS_RESET_TOKEN_HOURS"]))


def reset_interval() -> timedelta:
    return timedelta(minutes=float(current_app.config["LMS_RESET_MAIL_INTERVAL_MINUTES"]))


def _link(endpoint: str, token: str) -> str:
    path = current_app.url_map.bind("localhost").build(endpoint, {"token": token})
    return current_app.config["LMS_BASE_URL"].rstrip("/") + path


def _when(moment: datetime, language: str) -> str:
    with force_locale(language):
        return format_datetime(moment, "d MMMM y, HH:mm")


@dataclass(frozen=True)
class InvitationState:
    """What a coordinator sees of a person's invitation."""

    expired: bool
    expires: str  # the day, in the page's language


def invitation_states(session: Session, people: list[User]) -> dict[int, InvitationState]:
    """The open invitation of each of ``people`` who has no password yet."""
    waiting = [p.id for p in people if p.active and not p.password_hash]
    now = utcnow()
    return {
        user_id: InvitationState(
            expired=token.expires_at <= now, expires=format_date(token.expires_at, "long")
        )
        for user_id, token in pending_invitations(session, waiting).items()
    }


def invitable(session: Session, user: User) -> bool:
    """Whether ``invite`` would send ``user`` an invitation (for imports that invite many)."""
    return (
        user.active
        and not user.password_hash
        and bool(user.email)
        and not policy.password_refused(session, user)
    )


def invite(session: Session, user: User, *, actor: User | None = None) -> str:
    """Send ``user`` an invitation to choose a password; returns the token (for tests).

    Refused with :class:`InvitationError` (nothing sent) for a person who can already log in
    with a password, who is deactivated, or who has no e-mail address.
    """
    if not user.active:
        raise InvitationError(_("%(name)s is deactivated. Nothing was sent.", name=user.full_name))
    if user.password_hash:
        raise InvitationError(
            _(
                "%(name)s already has a password and can log in. Nothing was sent. "
                "If they forgot it, they can ask for a new one on the login page.",
                name=user.full_name,
            )
        )
    if not user.email:
        raise InvitationError(
            _(
                "%(name)s has no e-mail address, so we cannot send an invitation.",
                name=user.full_name,
            )
        )
    if policy.password_refused(session, user):
        raise InvitationError(
            _(
                "%(name)s signs in with their organisation's own account and needs no "
                "password, so no invitation was sent.",
                name=user.full_name,
            )
        )
    token = issue_token(session, user, "invitation", invitation_lifetime(), actor=actor)
    expires = utcnow() + invitation_lifetime()
    language = user.preferred_language
    queue_mail(
        session,
        recipient=user.email,
        template="invitation",
        language=language,
        name=user.full_name,
        organisation=user.organisation.name if user.organisation else None,
        inviter=actor.full_name if actor else None,
        login_name=user.login_name,
        url=_link("lms.passwords.accept", token),
        expires=_when(expires, language),
    )
    audit.record(
        session,
        "user.invite",
        "user",
        user.id,
        actor_id=actor.id if actor else None,
        expires_at=expires.isoformat(),
    )
    return token


def request_reset(session: Session, identifier: str, *, address: str | None = None) -> str | None:
    """Someone asked for a new password for ``identifier`` (e-mail or username).

    The caller shows the same answer whatever happens here. The work is the same too: one
    token is made and hashed whether or not the account exists. Returns the token when an
    e-mail was queued (for tests), else None.
    """
    pair = new_token()  # for every request, known account or not
    user = find_by_login(session, identifier)
    if user is None or not user.active or not user.email:
        audit.record(session, "user.reset_request", "user", None, sent=False, address=address)
        return None
    if policy.password_refused(session, user):  # their organisation signs them in itself
        audit.record(
            session,
            "user.reset_request",
            "user",
            user.id,
            sent=False,
            reason="sso_only",
            address=address,
        )
        return None
    latest = latest_token_at(session, user, "reset")
    if latest is not None and utcnow() - latest < reset_interval():
        audit.record(session, "user.reset_request", "user", user.id, sent=False, address=address)
        return None
    token = issue_token(session, user, "reset", reset_lifetime(), pair=pair)
    language = user.preferred_language
    queue_mail(
        session,
        recipient=user.email,
        template="password_reset",
        language=language,
        name=user.full_name,
        login_name=user.login_name,
        url=_link("lms.passwords.reset", token),
        expires=_when(utcnow() + reset_lifetime(), language),
    )
    audit.record(session, "user.reset_request", "user", user.id, sent=True, address=address)
    return token


def set_password_with_token(session: Session, token: str, purpose: str, password: str) -> User:
    """Use the link once: set the person's password and end all their sessions. Raises
    :class:`lms.accounts.tokens.TokenError` when the link cannot be used (nothing changes)."""
    user = redeem_token(session, token, purpose)
    change_password(session, user, password)
    user.last_login_at = utcnow()
    audit.record(
        session,
        "user.invitation_accepted" if purpose == "invitation" else "user.reset",
        "user",
        user.id,
        actor_id=user.id,
    )
    session.flush()
    return user
