"""Single-use tokens for e-mailed links: invitations and password resets.

A token is 32 random bytes (``secrets.token_urlsafe``) given to the person once, in a link;
only its SHA-256 is stored. A token is bound to the account's password state when it was
issued (``fingerprint``: a hash of the current password hash), so it dies when the password
changes: an old reset link cannot undo a newer password, an invitation dies once accepted.
It is used once: ``redeem_token`` marks it used with one conditional
``UPDATE ... WHERE used_at IS NULL``, so of two requests at the same moment exactly one wins.
Every refusal is a specific :class:`TokenError` (unknown, expired, used, stale), each shown as
a clear page with a way to ask for a new link.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from lms.accounts.models import User
from lms.core.db import Base, UTCDateTime, utcnow

PURPOSES = ("invitation", "reset")
#: ``secrets.token_urlsafe(32)`` is 43 characters; anything else is refused before a look-up.
TOKEN_LENGTH = 43


class AccountToken(Base):
    """An invitation or reset link that was sent; only the hash of its token is kept."""

    __tablename__ = "lms_account_token"
    __table_args__ = (CheckConstraint("purpose IN ('invitation', 'reset')", name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: A hash of the account's password state when the token was issued.
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Who sent an invitation (None: the command line, or the person asking for a reset).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class TokenError(ValueError):
    """A link that cannot be used; ``reason`` says why (for the page and the tests)."""

    reason = "invalid"


class TokenInvalid(TokenError):
    """Forged, truncated, or for another purpose: no such token."""


class TokenExpired(TokenError):
    reason = "expired"


class TokenUsed(TokenError):
    reason = "used"


class TokenStale(TokenError):
    """The password changed (or the account was deactivated) since the link was sent."""

    reason = "stale"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def fingerprint(user: User) -> str:
    """The account's password state: changes whenever a password is set (a new salt)."""
    return hashlib.sha256(f"{user.id}:{user.password_hash or ''}".encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh random token and its hash (also used for unknown accounts, for equal work)."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def issue_token(
    session: Session,
    user: User,
    purpose: str,
    lifetime: timedelta,
    *,
    actor: User | None = None,
    pair: tuple[str, str] | None = None,
) -> str:
    """A new token for ``user``; earlier unused tokens of the same purpose stop working.
    Returns the token itself (to put in the link); only its hash is stored. ``pair`` is a
    token made beforehand with :func:`new_token`."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    now = utcnow()
    session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    token, token_hash = pair or new_token()
    session.add(
        AccountToken(
            purpose=purpose,
            user_id=user.id,
            token_hash=token_hash,
            fingerprint=fingerprint(user),
            created_at=now,
            expires_at=now + lifetime,
            created_by_id=actor.id if actor else None,
        )
    )
    session.flush()
    return token


def check_token(session: Session, token: str, purpose: str) -> AccountToken:
    """The usable token row for ``token`` (nothing is changed), or a :class:`TokenError`."""
    if not isinstance(token, str) or len(token) != TOKEN_LENGTH:
        raise TokenInvalid()
    row = session.scalars(
        select(AccountToken).where(AccountToken.token_hash == hash_token(token))
    ).first()
    if row is None or row.purpose != purpose:
        raise TokenInvalid()
    if row.used_at is not None:
        raise TokenUsed()
    if row.expires_at <= utcnow():
        raise TokenExpired()
    user = row.user
    if not user.active or row.fingerprint != fingerprint(user):
        raise TokenStale()
    return row


def redeem_token(session: Session, token: str, purpose: str) -> User:
    """Use ``token`` once: its person, or a :class:`TokenError`. Of two redemptions at the same
    moment, the conditional UPDATE lets exactly one through (the other gets ``TokenUsed``)."""
    row = check_token(session, token, purpose)
    result = session.execute(
        update(AccountToken)
        .where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise TokenUsed()
    session.expire(row)
    return row.user


def pending_invitations(session: Session, user_ids: list[int]) -> dict[int, AccountToken]:
    """The open (unused, unexpired) invitation of each of these people who has one."""
    if not user_ids:
        return {}
    rows = session.scalars(
        select(AccountToken).where(
            AccountToken.user_id.in_(user_ids),
            AccountToken.purpose == "invitation",
            AccountToken.used_at.is_(None),
        )
    )
    return {row.user_id: row for row in rows}


def latest_token_at(session: Session, user: User, purpose: str) -> datetime | None:
    return session.scalar(
        select(AccountToken.created_at)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose)
        .order_by(AccountToken.created_at.desc())
        .limit(1)
    )
