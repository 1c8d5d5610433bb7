"""Writes for certificates: issue (on completion), revoke, re-issue (the PDF: ``documents``).

Services take explicit arguments, flush and never commit. ``issue_certificate`` runs inside
the transaction of the request that completed the course (a ``course_completed`` listener):
the certificate, its signature and the ``earned`` statement commit together with the
completion, or not at all.
"""

from __future__ import annotations

import uuid
from calendar import monthrange
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.catalog.queries import get_course_version_def
from lms.catalog.readmodel import CourseDef
from lms.certification import codes, signing, summary
from lms.certification.models import REPLACED, REVOKED, VALID, Certificate, SigningKey
from lms.core import audit
from lms.core.db import utcnow
from lms.core.i18n import lazy_gettext as _l
from lms.learning.models import Enrolment
from lms.learning.queries import enrolment_view
from lms.xapi import builder

#: Languages a certificate can be printed in (the UI languages).
CERTIFICATE_LANGUAGES = ("nl", "fr", "de", "en")
#: A fresh code that collides with an existing one is drawn again, at most this often.
CODE_ATTEMPTS = 5
#: The word for a certificate, for the ``earned`` statement's object name.
CERTIFICATE_WORD = {
    "nl": "Getuigschrift",
    "fr": "Certificat",
    "de": "Zertifikat",
    "en": "Certificate",
}


class CertificateError(ValueError):
    """An action on a certificate that cannot be done; the message is for the person."""


# Small helpers -------------------------------------------------------------------------------


def certificate_language(user: User, course: CourseDef) -> str:
    preferred = getattr(user, "preferred_language", None)
    return preferred if preferred in CERTIFICATE_LANGUAGES else course.default_language


def local_day(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(current_app.config["LMS_CERTIFICATE_TIMEZONE"])).date()


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def verification_url(code: str) -> str:
    """The public verification page of ``code``, from ``LMS_BASE_URL`` (no request needed)."""
    return f"{verification_page()}?code={codes.format_code(code)}"


def verification_page() -> str:
    adapter = current_app.url_map.bind("localhost")
    path = adapter.build("lms.certification.verify", {})
    return current_app.config["LMS_BASE_URL"].rstrip("/") + path


def _iso(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).isoformat(timespec="seconds").replace("+00:00", "Z")


def _current_signing_key(session: Session, at: datetime) -> tuple[signing.LocalKey, SigningKey]:
    key = signing.current_key(current_app.config["LMS_INSTANCE_PATH"])
    return key, signing.register_key(session, key, at=at)


def certificate_payload(certificate: Certificate, course_slug: str) -> dict[str, Any]:
    """What is signed: everything the certificate states, and where to check it."""
    return {
        "type": "certificate",
        "id": str(certificate.public_id),
        "code": codes.format_code(certificate.code),
        "edition": certificate.edition,
        "holder": certificate.holder_name,
        "course": {
            "id": course_slug,
            "title": certificate.course_title,
            "version": certificate.course_version,
        },
        "language": certificate.language,
        "completed_on": local_day(certificate.completed_at).isoformat(),
        "issued_at": _iso(certificate.issued_at),
        "valid_until": certificate.valid_until.isoformat() if certificate.valid_until else None,
        "issuer": certificate.issuer,
        "results": certificate.summary,
        "template": certificate.template,
        "verify_url": verification_url(certificate.code),
    }


def _sign(session: Session, certificate: Certificate, course_slug: str) -> None:
    key, row = _current_signing_key(session, certificate.issued_at)
    certificate.payload = signing.canonical_json(certificate_payload(certificate, course_slug))
    certificate.signature = key.sign(certificate.payload.encode("utf-8"))
    certificate.key_id = row.id


def _insert(session: Session, certificate: Certificate, course_slug: str) -> bool:
    """Insert with a fresh code in a savepoint; False when (user, course, edition) exists."""
    for _ in range(CODE_ATTEMPTS):
        certificate.code = codes.new_code()
        _sign(session, certificate, course_slug)
        try:
            with session.begin_nested():
                session.add(certificate)
                session.flush()
            return True
        except IntegrityError:  # the savepoint's rollback took the new row out again
            taken = session.scalar(
                select(Certificate.id).where(
                    Certificate.user_id == certificate.user_id,
                    Certificate.course_id == certificate.course_id,
                    Certificate.edition == certificate.edition,
                )
            )
            if taken is not None:
                return False
            # Otherwise the code was taken (about 1 in 10^17): draw another.
    raise RuntimeError("could not draw an unused verification code")


def _earned(
    session: Session,
    certificate: Certificate,
    enrolment: Enrolment | None,
    user: User,
    course: CourseDef,
) -> None:
    if enrolment is None:
        return
    name = {
        lang: f"{CERTIFICATE_WORD[lang]} {course.text(course.title, lang)}"
        for lang in course.languages
        if lang in CERTIFICATE_WORD
    }
    statement = builder.earned(
        enrolment=enrolment,
        user=user,
        course=course,
        certificate_id=certificate.public_id,
        name=name,
        at=certificate.issued_at,
    )
    builder.enqueue(session, statement, user_id=user.id, enrolment_id=enrolment.id)


# Issue ---------------------------------------------------------------------------------------


def first_certificate(session: Session, user_id: int, course_id: int) -> Certificate | None:
    return session.scalar(
        select(Certificate).where(
            Certificate.user_id == user_id,
            Certificate.course_id == course_id,
            Certificate.edition == 1,
        )
    )


def issue_certificate(
    session: Session,
    enrolment: Enrolment,
    user: User,
    course: CourseDef,
    *,
    completed_at: datetime,
    at: datetime | None = None,
) -> tuple[Certificate | None, bool]:
    """Issue the certificate of ``course`` to ``user``, once: returns (certificate, created).

    Nothing is issued for a course without ``certificate:`` (returns (None, False)). A
    second call, even from a concurrent request, returns the first certificate.
    """
    if not course.certificate_template:
        return None, False
    existing = first_certificate(session, user.id, course.course_id)
    if existing is not None:
        return existing, False
    at = at or utcnow()
    language = certificate_language(user, course)
    view = enrolment_view(session, user.id, course)
    results = (
        summary.build_summary(
            course, view.state, language, summary.best_scores(session, enrolment.id, course)
        )
        if view is not None
        else {"modules_completed": 0, "modules_total": len(course.counted_modules), "tests": []}
    )
    months = course.certificate_valid_for_months
    certificate = Certificate(
        public_id=uuid.uuid4(),
        user_id=user.id,
        course_id=course.course_id,
        edition=1,
        course_version_id=course.version_id,
        course_version=course.version_number,
        holder_name=user.full_name,
        language=language,
        course_title=course.text(course.title, language),
        template=course.certificate_template,
        issuer=current_app.config["LMS_CERTIFICATE_ISSUER"],
        completed_at=completed_at,
        issued_at=at,
        valid_until=add_months(local_day(completed_at), months) if months else None,
        summary=results,
        status=VALID,
    )
    if not _insert(session, certificate, course.slug):
        existing = first_certificate(session, user.id, course.course_id)
        return existing, False
    _earned(session, certificate, enrolment, user, course)
    return certificate, True


# Revoke and re-issue -------------------------------------------------------------------------


def revoke_certificate(
    session: Session,
    certificate: Certificate,
    *,
    actor: User | None,
    reason: str,
    at: datetime | None = None,
) -> Certificate:
    """Withdraw a certificate; the verification page says so, with the date."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_l("Give the reason for revoking the certificate."))
    if certificate.status == REVOKED:
        raise CertificateError(_l("This certificate is already revoked."))
    if certificate.status == REPLACED:
        raise CertificateError(_l("This certificate was replaced; revoke the new one instead."))
    certificate.status = REVOKED
    certificate.revoked_at = at or utcnow()
    certificate.revoked_by_id = actor.id if actor is not None else None
    certificate.revocation_reason = reason
    audit.record(
        session,
        "certificate.revoked",
        "certificate",
        certificate.id,
        actor_id=certificate.revoked_by_id,
        code=certificate.code,
        reason=reason,
    )
    session.flush()
    return certificate


def reissue_certificate(
    session: Session, certificate: Certificate, *, actor: User | None, at: datetime | None = None
) -> Certificate:
    """Issue a new certificate for the same achievement with the holder's current name (after
    a correction); the old one is marked replaced and points at the new one."""
    if certificate.status != VALID:
        raise CertificateError(_l("Only a valid (or expired) certificate can be re-issued."))
    at = at or utcnow()
    user = session.get(User, certificate.user_id)
    course = get_course_version_def(session, certificate.course_version_id)
    if user is None or course is None:
        raise CertificateError(_l("The person or the course of this certificate no longer exists."))
    language = certificate_language(user, course)
    edition = (
        session.scalar(
            select(func.max(Certificate.edition)).where(
                Certificate.user_id == certificate.user_id,
                Certificate.course_id == certificate.course_id,
            )
        )
        or 0
    ) + 1
    new = Certificate(
        public_id=uuid.uuid4(),
        user_id=certificate.user_id,
        course_id=certificate.course_id,
        edition=edition,
        course_version_id=certificate.course_version_id,
        course_version=certificate.course_version,
        holder_name=user.full_name,
        language=language,
        course_title=course.text(course.title, language),
        template=certificate.template,
        issuer=certificate.issuer,
        completed_at=certificate.completed_at,
        issued_at=at,
        valid_until=certificate.valid_until,
        summary=certificate.summary,
        status=VALID,
        issued_by_id=actor.id if actor is not None else None,
    )
    if not _insert(session, new, course.slug):
        raise CertificateError(_l("This certificate was re-issued at the same moment; reload."))
    certificate.status = REPLACED
    certificate.replaced_at = at
    certificate.replaced_by_id = new.id
    audit.record(
        session,
        "certificate.reissued",
        "certificate",
        certificate.id,
        actor_id=new.issued_by_id,
        code=certificate.code,
        new_code=new.code,
        old_name=certificate.holder_name,
        new_name=new.holder_name,
    )
    session.flush()
    enrolment = session.scalar(
        select(Enrolment).where(
            Enrolment.user_id == new.user_id, Enrolment.course_id == new.course_id
        )
    )
    _earned(session, new, enrolment, user, course)
    return new
