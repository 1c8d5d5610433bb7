"""The administrator's view of the xAPI queue, per LRS endpoint, with dead-letter retry."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.core import audit
from lms.core.auth import admin_required
from lms.core.db import db
from lms.core.i18n import gettext as _
from lms.core.i18n import ngettext
from lms.core.params import parse_int
from lms.xapi import listeners, queries
from lms.xapi.services import retry_issues
from lms.xapi.transport import endpoints_from_config

bp = Blueprint("xapi", __name__, template_folder="templates")

# The extension imports every feature blueprint at start-up: that is when the outbox starts
# listening to the learning signals (connecting twice changes nothing).
listeners.connect()

#: Issues shown on the page (the CLI lists them all).
ISSUES_SHOWN = 100


@bp.before_request
@admin_required
def _only_admins() -> None:
    """Every page here is for administrators."""


@bp.get("/")
def queue():
    endpoints = endpoints_from_config(current_app.config)
    return render_template(
        "lms/xapi/queue.html",
        queue=queries.queue(db.session, endpoints),
        issues=queries.issues(db.session, limit=ISSUES_SHOWN),
    )


@bp.post("/retry")
def retry():
    ids = [n for n in map(parse_int, request.form.getlist("issue")) if n is not None]
    if request.form.get("all") == "1":
        count = retry_issues(db.session)
    elif ids:
        count = retry_issues(db.session, ids)
    else:
        flash(_("Choose the statements to send again."), "error")
        return redirect(url_for(".queue"))
    audit.record(
        db.session,
        "xapi.retry",
        "xapi_issue",
        None,
        actor_id=current_user.id,
        all=request.form.get("all") == "1",
        issues=ids,
        count=count,
    )
    db.session.commit()
    message = ngettext(
        "%(num)d statement will be sent again at the next delivery round.",
        "%(num)d statements will be sent again at the next delivery round.",
        count,
    )
    flash(message, "success")
    return redirect(url_for(".queue"))
