"""The public pages of counter labels (no login): the labelled counters per municipality, and
the verification of a label's code (the link that goes with each label)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from lms.certification import codes
from lms.certification.lookup import read_code
from lms.core.db import db
from lms.labels import queries
from lms.labels.forms import VerifyLabelForm

bp = Blueprint("labels", __name__, template_folder="templates")


@bp.get("/")
def index():
    search = (request.args.get("q") or "").strip()[:200]
    places = queries.labelled_places(db.session, search)
    return render_template("lms/labels/index.html", places=places, search=search)


@bp.get("/verify")
def verify():
    """The form, and (with ``?code=``, the label's link) what the code stands for."""
    form, code = read_code(VerifyLabelForm, "LMS_LABEL_VERIFY_RATE_LIMIT", "label-verification")
    label = queries.find_by_code(db.session, code) if code else None
    response = render_template(
        "lms/labels/verify.html",
        form=form,
        looked_up=code is not None,
        code=codes.format_code(code) if code else None,
        label=label,
    )
    return response, 200, {"X-Robots-Tag": "noindex"}
