"""A certificate's PDF: the record as the template shows it, rendered once and stored.

The PDF is rendered at its first download (not inside the completing request: a render takes
a few tenths of a second) and kept in ``lms_certificate_file``; every later download sends
the same bytes, so an edit of the template never changes an issued certificate.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.certification import codes, signing
from lms.certification.models import Certificate, CertificateFile
from lms.certification.rendering import (
    CertificateView,
    TestResult,
    format_day,
    qr_data_uri,
    render_pdf,
)
from lms.certification.services import local_day, verification_url
from lms.core.db import utcnow


def certificate_view(certificate: Certificate) -> CertificateView:
    """The certificate's record as the template shows it (texts in its language)."""
    lang = certificate.language
    payload = json.loads(certificate.payload)
    url = payload.get("verify_url") or verification_url(certificate.code)
    results = certificate.summary or {}
    tests = tuple(
        TestResult(
            title=str(test.get("title", "")),
            percent=None if test.get("score") is None else round(float(test["score"]) * 100),
        )
        for test in results.get("tests", [])
    )
    return CertificateView(
        language=lang,
        holder_name=certificate.holder_name,
        course_title=certificate.course_title,
        completed_on=format_day(local_day(certificate.completed_at), lang),
        issued_on=format_day(local_day(certificate.issued_at), lang),
        valid_until=format_day(certificate.valid_until, lang) if certificate.valid_until else None,
        code=codes.format_code(certificate.code),
        verify_url=url,
        verify_page=url.split("?", 1)[0],
        qr_code=qr_data_uri(url),
        issuer=certificate.issuer,
        course_version=certificate.course_version,
        edition=certificate.edition,
        modules_completed=int(results.get("modules_completed", 0)),
        modules_total=int(results.get("modules_total", 0)),
        tests=tests,
        issued_iso=certificate.issued_at.isoformat(timespec="seconds"),
    )


def signed_document_of(certificate: Certificate, kid: str) -> dict[str, str]:
    return signing.signed_document(certificate.payload, certificate.signature, kid)


def render_certificate(certificate: Certificate) -> bytes:
    """Render the PDF of ``certificate`` (no storing; see ``certificate_pdf``)."""
    config = current_app.config
    return render_pdf(
        Path(config["LMS_CERTIFICATES_PATH"]),
        certificate.template,
        certificate_view(certificate),
        signed_document_of(certificate, certificate.key.kid),
        fonts=config.get("LMS_CERTIFICATE_FONTS") or None,
        created=certificate.issued_at,
    )


def certificate_pdf(session: Session, certificate: Certificate) -> bytes:
    """The stored PDF; rendered and stored on first request (then every download sends the
    same bytes). Flushes; the caller commits."""
    stored = session.get(CertificateFile, certificate.id)
    if stored is not None:
        return stored.pdf
    pdf = render_certificate(certificate)
    row = CertificateFile(
        certificate_id=certificate.id,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        rendered_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # rendered at the same moment by another request: keep theirs
        stored = session.get(CertificateFile, certificate.id, populate_existing=True)
        if stored is not None:
            return stored.pdf
    return pdf
