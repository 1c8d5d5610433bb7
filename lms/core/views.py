"""Pages that belong to no feature: the home page, the language switch, static files."""

from __future__ import annotations

from flask import Blueprint, redirect, request, session, url_for
from flask_login import current_user

from lms.core.db import db, writes
from lms.core.health import health_view, ready_view
from lms.core.i18n import ui_languages
from lms.core.urls import safe_next

bp = Blueprint(
    "core",
    __name__,
    template_folder="../templates",
    static_folder="../static",
    static_url_path="/static",
)


@bp.get("/language/<code>")
@writes
def set_language(code: str):
    """Switch the interface language; remembered for the session and in the profile."""
    target = safe_next(request.args.get("next")) or url_for("lms.learning.my_learning")
    if code in ui_languages():
        session["lms_lang"] = code
        if current_user.is_authenticated and current_user.preferred_language != code:
            current_user.preferred_language = code
            db.session.commit()
    return redirect(target)


bp.add_url_rule("/healthz", "health", health_view)
bp.add_url_rule("/readyz", "ready", ready_view)
