"""Friendly error pages (400, 403, 404, 405, 429, 500, 503) in the user's language."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, g, render_template
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from lms.core.db import db
from lms.core.i18n import lazy_gettext as _l
from lms.core.requestlog import request_id

#: Title and plain-language explanation per status code.
MESSAGES = {
    400: (
        _l("Something went wrong with your request"),
        _l("The page could not handle what was sent. Go back, reload the page and try again."),
    ),
    403: (
        _l("You do not have access to this page"),
        _l(
            "Your account does not allow you to see this page. Ask your coordinator if you "
            "think you should have access."
        ),
    ),
    404: (
        _l("Page not found"),
        _l(
            "The page does not exist (any more). Check the address, or start again from the "
            "home page."
        ),
    ),
    405: (
        _l("This action is not possible here"),
        _l(
            "The page does not accept this kind of request. Go back and use the buttons on "
            "the page."
        ),
    ),
    429: (
        _l("Too many attempts"),
        _l("You tried too often in a short time. Wait a minute and try again."),
    ),
    500: (
        _l("Sorry, something went wrong on our side"),
        _l(
            "Nothing you did caused this. Try again in a moment. If it keeps happening, tell "
            "your coordinator what you were doing."
        ),
    ),
    503: (
        _l("It is very busy right now"),
        _l("Nothing was saved. Wait a moment, then try again."),
    ),
}

#: Seconds a browser or client is asked to wait after a 503 (``Retry-After``).
RETRY_AFTER = 5

CSRF_MESSAGE = _l(
    "The form had expired or was sent from another page, so nothing was saved. Go back, reload "
    "the page and send the form again."
)


def render_error(error: HTTPException):
    """Render the error page without the database: the request's session is rolled back and
    dropped first (a failed flush leaves it unusable), and the page's layout shows no
    navigation that would need the person's roles (``bare``)."""
    db.discard()
    manager = getattr(current_app, "login_manager", None)
    if manager is not None and g.get("_login_user") is None:
        # Load the person (for the page's language) in a fresh session; if the database is
        # what failed, draw the page for an anonymous visitor (the layout is bare anyway).
        try:
            current_user._get_current_object()
        except SQLAlchemyError:
            db.discard()
            g._login_user = manager.anonymous_user()
    code = error.code or 500
    title, explanation = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    if isinstance(error, CSRFError):
        explanation = CSRF_MESSAGE
    response = render_template(
        "lms/error.html",
        code=code,
        title=title,
        explanation=explanation,
        bare=True,
        request_id=request_id(),
    )
    return response, code


def render_unexpected(error: Exception):
    return render_error(InternalServerError(original_exception=error))


def render_busy(error: OperationalError):
    """The database stayed locked by other writers for the whole wait (SQLite, under a load
    it cannot carry): a 503 that says nothing was saved, instead of a 500. Any other
    database error is not ours to soften."""
    if "database is locked" not in str(error.orig or error):
        raise error
    response, code = render_error(ServiceUnavailable())
    return response, code, {"Retry-After": str(RETRY_AFTER)}


def register_handlers(target: Flask | Blueprint) -> None:
    for code in MESSAGES:
        target.register_error_handler(code, render_error)
    target.register_error_handler(CSRFError, render_error)
    target.register_error_handler(OperationalError, render_busy)
    if isinstance(target, Flask):
        target.register_error_handler(InternalServerError, render_error)
