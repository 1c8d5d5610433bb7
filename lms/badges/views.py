"""Open Badges pages: the holder's downloads (JWT, JSON, baked PNG), what the issuer publishes
(profile, key set, one key, revocation list, badge image) and the public check of an upload."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from importlib.resources import files
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from lms.badges import baking, credentials, verification
from lms.badges.forms import CheckBadgeForm
from lms.certification import queries
from lms.certification.models import REPLACED, REVOKED, Certificate, SigningKey
from lms.core import audit
from lms.core.db import db, writes
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l

bp = Blueprint("badges", __name__, template_folder="templates")

_KID = re.compile(r"^[0-9a-f]{16}$")
#: Extra room for the text field and the multipart framing above the file limit.
FORM_OVERHEAD = 64 * 1024

UPLOAD_ERRORS = {
    "size": _l("The file is too big. A badge file is at most %(kb)s kB."),
    "missing": _l("Choose a badge file, or paste the credential."),
    "empty": _l("The file is empty."),
    "not-png": _l("This file is not a PNG image, although its name says so."),
    "damaged": _l("This PNG image is damaged, so we cannot read a badge in it."),
    "no-credential": _l("This image carries no badge credential. Upload the badge you downloaded."),
    "two-credentials": _l("This image carries two badge credentials; a badge has only one."),
    "unreadable": _l(
        "We cannot read a badge credential in this. Upload a badge image (PNG), a .json or a "
        ".jwt file, or paste its text."
    ),
}


def _badge_png() -> bytes:
    return files("lms.badges").joinpath("static/badge.png").read_bytes()


def _max_bytes() -> int:
    return int(current_app.config["LMS_BADGE_MAX_UPLOAD_KB"]) * 1024


# The holder's downloads --------------------------------------------------------------------------


def _downloadable(code: str) -> Certificate:
    """The certificate if the person may download it (as its PDF: holder, their coordinators,
    admins) and it is not withdrawn; else 404."""
    certificate = queries.visible_certificate(db.session, current_user, code)
    if certificate is None or certificate.status in (REVOKED, REPLACED):
        abort(404)
    if certificate.holder_erased_at is not None:
        abort(404)
    return certificate


def _download(body: bytes | str, mimetype: str, certificate: Certificate, ext: str) -> Response:
    response = Response(body, mimetype=mimetype)
    name = f"badge-{certificate.display_code}.{ext}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _signed(code: str) -> tuple[Certificate, dict[str, Any], str, str]:
    """The downloadable certificate and its credential, signed (the signing key's row is
    added on its first use, hence the commit)."""
    certificate = _downloadable(code)
    credential, token, kid = credentials.signed_credential(db.session, certificate)
    db.session.commit()
    return certificate, credential, token, kid


@bp.get("/<code>.jwt")
@writes
@login_required
def download_jwt(code: str):
    certificate, _credential, token, _kid = _signed(code)
    return _download(token, "application/vc+jwt", certificate, "jwt")


@bp.get("/<code>.json")
@writes
@login_required
def download_json(code: str):
    certificate, credential, token, kid = _signed(code)
    body = credentials.pretty_json(credentials.with_proof(credential, token, kid))
    return _download(body, "application/json", certificate, "json")


@bp.get("/<code>.png")
@writes
@login_required
def download_png(code: str):
    certificate, _credential, token, _kid = _signed(code)
    return _download(baking.bake(_badge_png(), token), "image/png", certificate, "png")


# What the issuer publishes (no login) ------------------------------------------------------------


def _public_json(data: dict, max_age: int = 300) -> Response:
    response = jsonify(data)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/issuer")
def issuer():
    return _public_json(credentials.issuer_profile())


@bp.get("/jwks.json")
def jwks():
    return _public_json(credentials.key_set(db.session))


@bp.get("/keys/<kid>")
def key(kid: str):
    found = select(SigningKey).where(SigningKey.kid == kid)
    row = db.session.scalar(found) if _KID.match(kid) else None
    if row is None:
        abort(404)
    return _public_json(credentials.jwk_of(row))


@bp.get("/revocations")
def revocations():
    # Short cache: a revocation should reach verifiers within a minute.
    return _public_json(credentials.revocation_list(db.session), max_age=60)


@bp.get("/image.png")
def image():
    response = Response(_badge_png(), mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


# Checking an upload (no login) -------------------------------------------------------------------


@bp.before_app_request
def _limit_upload_size() -> None:
    """An upload far beyond the limit is refused before it is read (before the CSRF check)."""
    if request.endpoint == "lms.badges.verify" and request.method == "POST":
        request.max_content_length = _max_bytes() + FORM_OVERHEAD


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    form = CheckBadgeForm(formdata=None)
    form.file.errors = [_error_text("size")]
    return _page(form, None, 413)


def _error_text(reason: str) -> str:
    return str(UPLOAD_ERRORS.get(reason, UPLOAD_ERRORS["unreadable"])) % {
        "kb": current_app.config["LMS_BADGE_MAX_UPLOAD_KB"]
    }


def _page(form: CheckBadgeForm, outcome: verification.Outcome | None, status: int = 200):
    response = render_template(
        "lms/badges/verify.html",
        form=form,
        outcome=outcome,
        title=outcome_title(outcome.status) if outcome else None,
        max_kb=current_app.config["LMS_BADGE_MAX_UPLOAD_KB"],
    )
    return response, status, {"X-Robots-Tag": "noindex"}


def _upload(form: CheckBadgeForm) -> tuple[bytes, bool, object] | None:
    """(bytes, declared PNG, the field to put an error on) of the upload, or None."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        data = upload.stream.read(_max_bytes() + 1)
        declared_png = upload.filename.lower().endswith(".png") or upload.mimetype == "image/png"
        return data, declared_png, form.file
    text = (form.text.data or "").strip()
    if text:
        return text.encode("utf-8"), False, form.text
    return None


@bp.route("/verify", methods=["GET", "POST"])
def verify():
    form = CheckBadgeForm()
    if request.method == "GET":
        return _page(form, None)
    limiter = current_app.extensions["lms"].limiter
    with limiter.shared_limit(
        lambda: current_app.config["LMS_BADGE_VERIFY_RATE_LIMIT"], scope="badge-verification"
    ):
        pass
    upload = _upload(form)
    if upload is None:
        form.file.errors = [_error_text("missing")]
        return _page(form, None, 400)
    data, declared_png, field = upload
    if len(data) > _max_bytes():
        field.errors = [_error_text("size")]
        return _page(form, None, 413)
    try:
        outcome = verification.check_upload(
            db.session, data, declared_png=declared_png, now=datetime.now(UTC)
        )
    except verification.UploadError as exc:
        field.errors = [_error_text(exc.reason)]
        return _page(form, None, 400)
    if outcome.refused:
        audit.record(
            db.session,
            "badge.refused",
            "badge_credential",
            None,
            actor_id=current_user.id if current_user.is_authenticated else None,
            outcome=outcome.status,
            reason=outcome.detail,
            format=outcome.form,
            kid=outcome.kid,
            credential_id=(outcome.credential_id or "")[:200] or None,
        )
        db.session.commit()
    return _page(form, outcome)


def outcome_title(status: str) -> str:
    return {
        verification.VALID: _("This badge is valid"),
        verification.REVOKED_OUTCOME: _("This badge was withdrawn"),
        verification.EXPIRED: _("This badge has expired"),
        verification.TAMPERED: _("This badge was changed: do not trust it"),
        verification.OTHER_ISSUER: _("We did not issue this badge"),
        verification.UNKNOWN: _("We have no record of this badge"),
        verification.UNSUPPORTED: _("We cannot check this badge"),
    }[status]
