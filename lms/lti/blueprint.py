"""The LTI blueprint and its refusal page: every refused login, launch or choice says what
happened in plain words (4xx, never 500) and is written to the audit log."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from lms.core import audit
from lms.core.db import db
from lms.core.i18n import lazy_gettext as _l
from lms.lti.launch import LtiRefused

bp = Blueprint("lti", __name__, template_folder="templates")

_CHECKS_FAILED = (
    _l("We could not check this launch"),
    _l(
        "The message from your learning platform did not pass our safety checks, so we did "
        "not sign you in. Nothing has changed. Go back to your learning platform and open the "
        "course again. If it keeps happening, tell the administrator of your learning platform."
    ),
)

#: What each reason tells the person (title, explanation).
MESSAGES = {
    "state": (
        _l("This launch has expired or was not started here"),
        _l(
            "The course was not opened from your learning platform in this browser, or it took "
            "too long. Nothing has changed. Go back to your learning platform and open the "
            "course again."
        ),
    ),
    "expired": (
        _l("This launch has expired"),
        _l(
            "The message from your learning platform is too old. Nothing has changed. Go back "
            "to your learning platform and open the course again."
        ),
    ),
    "replayed": (
        _l("This launch was already used"),
        _l(
            "Each time you open the course from your learning platform, a new launch is made, "
            "and it works only once. Go back to your learning platform and open the course "
            "again."
        ),
    ),
    "unknown_platform": (
        _l("This learning platform is not connected"),
        _l(
            "The learning platform you came from is not registered here, so we cannot sign "
            "you in. Ask the administrator of your learning platform to contact us."
        ),
    ),
    "unknown_deployment": (
        _l("This learning platform is not connected"),
        _l(
            "This connection of your learning platform is not registered here, so we cannot "
            "sign you in. Ask the administrator of your learning platform to contact us."
        ),
    ),
    "bad_request": (
        _l("The launch is incomplete"),
        _l(
            "Your learning platform did not send everything a launch needs. Nothing has "
            "changed. Tell the administrator of your learning platform."
        ),
    ),
    "platform_keys": (
        _l("Your learning platform does not answer"),
        _l(
            "We could not reach your learning platform to check this launch. Nothing has "
            "changed. Try again in a few minutes."
        ),
    ),
    "no_user": (
        _l("We do not know who you are"),
        _l(
            "Your learning platform did not tell us who you are, so we cannot keep your "
            "progress. Sign in to your learning platform first, then open the course again."
        ),
    ),
    "other_organisation": (
        _l("Your account belongs to another organisation"),
        _l(
            "Your e-mail address belongs to an account of another organisation here. Ask "
            "your coordinator to move it, or log in with your password."
        ),
    ),
    "deactivated": (
        _l("Your account is switched off"),
        _l(
            "Your account in the learning platform is switched off. If you think it should "
            "work, ask your coordinator."
        ),
    ),
    "unknown_resource": (
        _l("This course is not here any more"),
        _l(
            "The link in your learning platform points to a course or module that does not "
            "exist here (any more). Tell your teacher, so that they can choose it again."
        ),
    ),
    "not_a_teacher": (
        _l("Only teachers can choose content"),
        _l(
            "Choosing a course or module for your learning platform is for teachers and "
            "course designers. Ask your teacher."
        ),
    ),
}


def refusal_text(reason: str):
    return MESSAGES.get(reason, _CHECKS_FAILED)


def refused(refusal: LtiRefused, step: str):
    """Undo the request's writes, record the refusal, and answer with its page."""
    db.session.rollback()
    audit.record(
        db.session,
        "lti.launch_refused",
        "lti_registration",
        refusal.registration_id,
        step=step,
        reason=refusal.reason,
        detail=refusal.detail[:300],
        issuer=(refusal.issuer or "")[:255] or None,
        address=request.remote_addr,
    )
    db.session.commit()
    title, message = refusal_text(refusal.reason)
    status = refusal.status if refusal.status in (400, 403, 404, 502) else 400
    return render_template("lms/lti/refused.html", title=title, message=message), status
