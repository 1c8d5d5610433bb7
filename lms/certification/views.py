"""Certificate pages: the learner's, the coordinator's, the admin's actions, and the public
verification page and key set (no login)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from io import BytesIO

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from lms.certification import codes, documents, listeners, queries, services, signing
from lms.certification.forms import ReissueForm, RevokeForm, VerifyForm
from lms.certification.lookup import read_code
from lms.certification.models import EXPIRED, REPLACED, REVOKED, Certificate
from lms.core.auth import admin_required, role_required
from lms.core.db import db, utcnow, writes
from lms.core.i18n import gettext as _
from lms.core.pagination import paginate
from lms.core.params import page_arg
from lms.learning.statuses import register_certificate_reader

bp = Blueprint("certification", __name__, template_folder="templates")

# The extension imports every feature blueprint at start-up: that is when certificates start
# being issued on course completion (connecting twice changes nothing).
listeners.connect()
# ...and the statuses ("certified") read the certificates through this reader.
register_certificate_reader(queries.latest_certificates)

PAGE_SIZE = 50
LIST_STATUSES = ("valid", EXPIRED, REVOKED, REPLACED)


def _today() -> date:
    return services.local_day(utcnow())


# The learner -------------------------------------------------------------------------------


@bp.get("/")
@login_required
def mine():
    today = _today()
    certificates = queries.my_certificates(db.session, current_user.id)
    return render_template(
        "lms/certification/mine.html",
        certificates=certificates,
        today=today,
        refresher_due=queries.refresher_due,
    )


def _visible_or_404(code: str) -> Certificate:
    certificate = queries.visible_certificate(db.session, current_user, code)
    if certificate is None:
        abort(404)  # not 403: a code of someone out of scope is not even confirmed
    return certificate


@bp.get("/<code>")
@login_required
def detail(code: str):
    certificate = _visible_or_404(code)
    return _detail_page(certificate, RevokeForm(), ReissueForm())


def _detail_page(certificate: Certificate, revoke_form: RevokeForm, reissue_form: ReissueForm):
    today = _today()
    holder = certificate.user
    return render_template(
        "lms/certification/detail.html",
        certificate=certificate,
        status=certificate.status_on(today),
        refresher_due=queries.refresher_due(certificate, today),
        replacement=queries.replacement_of(db.session, certificate),
        verify_url=services.verification_url(certificate.code),
        holder=holder,
        revoke_form=revoke_form,
        reissue_form=reissue_form,
        is_holder=holder.id == current_user.id,
    )


def _file_name(certificate: Certificate) -> str:
    ascii_title = (
        unicodedata.normalize("NFKD", certificate.course_title).encode("ascii", "ignore").decode()
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-") or "course"
    return f"certificate-{slug}-{certificate.display_code}.pdf"


@bp.get("/<code>.pdf")
@writes
@login_required
def download(code: str):
    certificate = _visible_or_404(code)
    if certificate.status in (REVOKED, REPLACED):
        abort(404)  # a withdrawn certificate is not handed out again
    pdf = documents.certificate_pdf(db.session, certificate)
    db.session.commit()  # keeps a PDF rendered just now
    return send_file(
        BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=_file_name(certificate),
        max_age=0,
    )


# Coordinators ------------------------------------------------------------------------------


@bp.get("/organisation")
@role_required("manager")
def organisation():
    status = request.args.get("status")
    status = status if status in LIST_STATUSES else None
    query = queries.visible_certificates(current_user, status=status, today=_today())
    page = paginate(db.session, query, page_arg(), PAGE_SIZE)
    return render_template(
        "lms/certification/organisation.html",
        page=page,
        status=status,
        statuses=LIST_STATUSES,
        today=_today(),
    )


# Administrators ----------------------------------------------------------------------------


@bp.post("/<code>/revoke")
@admin_required
def revoke(code: str):
    certificate = _visible_or_404(code)
    form = RevokeForm()
    if not form.validate():
        return _detail_page(certificate, form, ReissueForm()), 400
    try:
        services.revoke_certificate(
            db.session, certificate, actor=current_user, reason=form.reason.data
        )
    except services.CertificateError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".detail", code=certificate.display_code))
    db.session.commit()
    flash(_("The certificate is revoked. The verification page now says so."), "success")
    return redirect(url_for(".detail", code=certificate.display_code))


@bp.post("/<code>/reissue")
@admin_required
def reissue(code: str):
    certificate = _visible_or_404(code)
    try:
        new = services.reissue_certificate(db.session, certificate, actor=current_user)
    except services.CertificateError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".detail", code=certificate.display_code))
    db.session.commit()
    flash(_("A new certificate was issued. The old one is marked as replaced."), "success")
    return redirect(url_for(".detail", code=new.display_code))


# Public ------------------------------------------------------------------------------------


@bp.get("/verify")
def verify():
    """The form, and (with ``?code=``, the address in the QR code) what the code stands for."""
    form, code = read_code(
        VerifyForm, "LMS_CERTIFICATE_VERIFY_RATE_LIMIT", "certificate-verification"
    )
    certificate = queries.find_by_code(db.session, code) if code else None
    response = render_template(
        "lms/certification/verify.html",
        form=form,
        looked_up=code is not None,
        code=codes.format_code(code) if code else None,
        result=queries.public_result(certificate, _today()) if certificate else None,
    )
    # A verification result is for the person who typed the code, not for search engines.
    return response, 200, {"X-Robots-Tag": "noindex"}


@bp.get("/keys.json")
def keys():
    keys = signing.published_keys(db.session)
    response = jsonify(signing.jwks(keys, current_app.config["LMS_CERTIFICATE_ISSUER"]))
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
