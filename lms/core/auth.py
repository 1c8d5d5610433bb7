"""Logging in (Flask-Login) and the permission helpers every view uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, session
from flask_login import LoginManager, current_user, user_loaded_from_cookie

from lms.core.i18n import lazy_gettext as _l

F = TypeVar("F", bound=Callable[..., Any])


def init_app(app: Flask, load_user: Callable[[str], Any]) -> None:
    """Install Flask-Login with ``load_user`` (given by the top layer: core knows no users)."""
    if getattr(app, "login_manager", None) is not None:
        return  # the host app manages logins; its loader must call the LMS's load_user
    manager = LoginManager()
    manager.login_view = "lms.accounts.login"
    manager.login_message = _l("Log in to see this page.")
    manager.login_message_category = "info"
    manager.session_protection = "strong"
    manager.user_loader(load_user)
    manager.init_app(app)
    user_loaded_from_cookie.connect(_stamp_restored_session, app)


def _stamp_restored_session(app: Flask, user: Any = None) -> None:
    """A session rebuilt from the remember-me cookie gets the browser's identifier, as
    ``login_user`` gives one. Without it, "strong" session protection takes the next request
    for a stolen session, empties it and deletes the remember-me cookie: "keep me signed in"
    would last exactly one page."""
    session["_id"] = app.login_manager._session_identifier_generator()  # type: ignore[attr-defined]


def role_required(*roles: str) -> Callable[[F], F]:
    """Allow the view to logged-in users that hold one of ``roles`` (admin always passes)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from flask import current_app

                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not (current_user.is_admin or any(current_user.has_role(r) for r in roles)):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


admin_required = role_required("admin")
