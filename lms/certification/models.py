"""Certificates, their stored PDFs and the public halves of the signing keys.

A certificate is a record of an achievement as it was on the day it was issued: the holder's
name, the course title in the holder's language, the completion date and the results are
copied into it and signed; later edits of the person or the course never change it. Only its
status moves on: valid -> revoked, or valid -> replaced (a corrected certificate was issued in
its place). "Expired" is not stored: a certificate with a ``valid_until`` date in the past
reads as expired.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.db import Base, UTCDateTime, UUIDString, utcnow

VALID = "valid"
EXPIRED = "expired"
REVOKED = "revoked"
REPLACED = "replaced"
#: What ``status`` may hold; ``EXPIRED`` is derived from ``valid_until``.
STORED_STATUSES = (VALID, REVOKED, REPLACED)


class SigningKey(Base):
    """The public half of an Ed25519 key that signed certificates.

    The private half lives only in the instance folder (``certification.signing``). Public
    keys are kept here, never deleted, so that every host publishes every key (``keys.json``)
    and a certificate stays verifiable after its key was rotated out.
    """

    __tablename__ = "lms_certificate_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Key id: the first 16 hex digits of the SHA-256 of the raw public key.
    kid: Mapped[str] = mapped_column(String(32), unique=True)
    algorithm: Mapped[str] = mapped_column(String(16), default="Ed25519")
    #: The raw 32-byte public key, base64url without padding (as in a JWK's ``x``).
    public_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When a newer key took over signing; the key still verifies what it signed.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Certificate(Base):
    """One issued certificate. Immutable except for its status fields (see module doc)."""

    __tablename__ = "lms_certificate"
    __table_args__ = (
        # One automatic certificate per learner and course: the concurrent second issue
        # fails here and gets the first one. Re-issues take the next edition.
        UniqueConstraint("user_id", "course_id", "edition"),
        CheckConstraint("status IN ('valid', 'revoked', 'replaced')", name="known_status"),
        # What the national overview reads of each person's certificates in a course, from
        # the index alone (reporting.overview and reporting.targets; migration 0021).
        Index(
            "ix_lms_certificate_facts",
            "course_id",
            "user_id",
            "status",
            "completed_at",
            "valid_until",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The certificate's opaque id outside the LMS (xAPI object, Open Badges).
    public_id: Mapped[uuid.UUID] = mapped_column(UUIDString(), unique=True, default=uuid.uuid4)
    #: Verification code without hyphens (``K7QM2XRD9TPA``); shown as ``K7QM-2XRD-9TPA``.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id"), index=True)
    #: 1 for the certificate issued on completion, 2, 3... for re-issues.
    edition: Mapped[int] = mapped_column(Integer, default=1)
    #: The course version the learner completed.
    course_version_id: Mapped[int] = mapped_column(ForeignKey("lms_course_version.id"))
    course_version: Mapped[int] = mapped_column(Integer)
    #: The holder's name as it was when issued.
    holder_name: Mapped[str] = mapped_column(String(200))
    #: Language of the certificate (nl, fr, de, en): the holder's at the time.
    language: Mapped[str] = mapped_column(String(5))
    #: The course title in that language (or the course's default language).
    course_title: Mapped[str] = mapped_column(String(300))
    template: Mapped[str] = mapped_column(String(64))
    #: The issuing organisation (``LMS_CERTIFICATE_ISSUER``).
    issuer: Mapped[str] = mapped_column(String(200))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Last day of validity, from the course's ``valid_for_months``; None: no end.
    valid_until: Mapped[date | None] = mapped_column(Date)
    #: Results at completion (``certification.summary``): modules and tests with scores.
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The signed payload: canonical JSON text, signed byte for byte as UTF-8.
    payload: Mapped[str] = mapped_column(Text)
    #: Ed25519 signature of ``payload``, base64url without padding.
    signature: Mapped[str] = mapped_column(String(100))
    key_id: Mapped[int] = mapped_column(ForeignKey("lms_certificate_key.id"))
    #: Who issued it: None when issued automatically on completion.
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))

    # The only fields that change after issue.
    status: Mapped[str] = mapped_column(String(10), default=VALID)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_certificate.id"))
    #: Set when the holder was erased: the name, the signed document and the results are
    #: gone; the code, course, dates and status stay to answer "valid or revoked".
    holder_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    key: Mapped[SigningKey] = relationship()

    def status_on(self, day: date) -> str:
        """valid, expired, revoked or replaced, as of ``day``."""
        if self.status == VALID and self.valid_until is not None and day > self.valid_until:
            return EXPIRED
        return self.status

    @property
    def display_code(self) -> str:
        from lms.certification.codes import format_code

        return format_code(self.code)

    def __repr__(self) -> str:
        return f"<Certificate {self.display_code} {self.status}>"


#: Columns that may change after issue; everything else is the immutable record.
MUTABLE_COLUMNS = frozenset(
    {
        "status",
        "revoked_at",
        "revoked_by_id",
        "revocation_reason",
        "replaced_at",
        "replaced_by_id",
    }
)


#: Columns the erasure of the holder empties (only together with ``holder_erased_at``).
ERASABLE_COLUMNS = frozenset(
    {"holder_name", "payload", "signature", "summary", "holder_erased_at", "revocation_reason"}
)


class ImmutableCertificate(RuntimeError):
    """An attempt to change what a certificate says."""


@event.listens_for(Certificate, "before_update")
def _refuse_changes(_mapper: Any, _connection: Any, target: Certificate) -> None:
    state = inspect(target)
    erasing = target.holder_erased_at is not None and state.attrs.holder_erased_at.history.added
    allowed = MUTABLE_COLUMNS | ERASABLE_COLUMNS if erasing else MUTABLE_COLUMNS
    changed = [
        attr.key
        for attr in state.attrs
        if attr.key not in allowed
        and attr.history.has_changes()
        and attr.key in Certificate.__table__.columns
    ]
    if changed:
        raise ImmutableCertificate(f"a certificate's record cannot change ({', '.join(changed)})")


class CertificateFile(Base):
    """The PDF of a certificate, rendered once and kept (downloads send these bytes).

    A table of its own so that lists of certificates never load the documents.
    """

    __tablename__ = "lms_certificate_file"

    certificate_id: Mapped[int] = mapped_column(ForeignKey("lms_certificate.id"), primary_key=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    #: SHA-256 of ``pdf`` (hex), shown to people who want to compare two copies.
    sha256: Mapped[str] = mapped_column(String(64))
    rendered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
