"""Reads for certificates. Who may see which certificate is decided here, from the one
tenancy filter (``people_visible_to``): the holder, their organisations' managers, admins."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.certification.codes import normalise_code
from lms.certification.models import EXPIRED, REPLACED, REVOKED, VALID, Certificate
from lms.learning.statuses import CertificateFact
from lms.organisations.queries import people_visible_to

#: Days before the end of validity from which the learner is told a refresher is due.
REFRESHER_NOTICE_DAYS = 90


def latest_certificates(
    session: Session, user_ids: Iterable[int] | Select, course_ids: Iterable[int]
) -> dict[tuple[int, int], CertificateFact]:
    """The latest edition of each (person, course)'s certificate, in one query; the reader
    the statuses use (``learning.statuses.register_certificate_reader``)."""
    users = user_ids if isinstance(user_ids, Select) else list(user_ids)
    latest: dict[tuple[int, int], tuple[int, CertificateFact]] = {}
    for user_id, course_id, edition, code, issued_at, valid_until, status in session.execute(
        select(
            Certificate.user_id,
            Certificate.course_id,
            Certificate.edition,
            Certificate.code,
            Certificate.issued_at,
            Certificate.valid_until,
            Certificate.status,
        ).where(Certificate.user_id.in_(users), Certificate.course_id.in_(list(course_ids)))
    ):
        key = (user_id, course_id)
        if key not in latest or latest[key][0] < edition:
            latest[key] = (edition, CertificateFact(code, issued_at, valid_until, status))
    return {key: fact for key, (_edition, fact) in latest.items()}


def my_certificates(session: Session, user_id: int) -> list[Certificate]:
    """The holder's certificates, newest first (replaced ones too: they say by what)."""
    return list(
        session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user_id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def visible_certificates(
    actor: User, *, today: date, status: str | None = None
) -> Select[tuple[Certificate]]:
    """Certificates of the people ``actor`` may see, newest first (for a paginated list)."""
    people = people_visible_to(actor).with_only_columns(User.id).scalar_subquery()
    query = select(Certificate).where(Certificate.user_id.in_(people))
    if status in (REVOKED, REPLACED):
        query = query.where(Certificate.status == status)
    elif status == EXPIRED:
        query = query.where(Certificate.status == VALID, Certificate.valid_until < today)
    elif status == VALID:
        query = query.where(
            Certificate.status == VALID,
            or_(Certificate.valid_until.is_(None), Certificate.valid_until >= today),
        )
    return query.order_by(Certificate.issued_at.desc(), Certificate.id.desc())


def find_by_code(session: Session, text: str | None) -> Certificate | None:
    code = normalise_code(text)
    if code is None:
        return None
    return session.scalar(select(Certificate).where(Certificate.code == code))


def visible_certificate(session: Session, actor: User, text: str) -> Certificate | None:
    """The certificate with this code if ``actor`` may see it, else None (the view 404s)."""
    code = normalise_code(text)
    if code is None:
        return None
    people = people_visible_to(actor).with_only_columns(User.id).scalar_subquery()
    return session.scalar(
        select(Certificate).where(Certificate.code == code, Certificate.user_id.in_(people))
    )


def replacement_of(session: Session, certificate: Certificate) -> Certificate | None:
    if certificate.replaced_by_id is None:
        return None
    return session.get(Certificate, certificate.replaced_by_id)


@dataclass(frozen=True)
class PublicResult:
    """What the public verification page may say, and nothing more."""

    status: str  # valid, expired, revoked, replaced
    holder_name: str
    course_title: str
    completed_at: datetime
    #: The day it expired or expires (None: no end of validity).
    valid_until: date | None
    #: When it was revoked or replaced.
    changed_at: datetime | None


def public_result(certificate: Certificate, today: date) -> PublicResult:
    status = certificate.status_on(today)
    changed = {REVOKED: certificate.revoked_at, REPLACED: certificate.replaced_at}.get(status)
    return PublicResult(
        status=status,
        holder_name=certificate.holder_name,
        course_title=certificate.course_title,
        completed_at=certificate.completed_at,
        valid_until=certificate.valid_until,
        changed_at=changed,
    )


def refresher_due(certificate: Certificate, today: date) -> bool:
    """True when a valid certificate ends within ``REFRESHER_NOTICE_DAYS`` (or has ended)."""
    if certificate.valid_until is None or certificate.status in (REVOKED, REPLACED):
        return False
    return (certificate.valid_until - today).days <= REFRESHER_NOTICE_DAYS
