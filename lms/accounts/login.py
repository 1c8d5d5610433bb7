"""Sign-in sessions: what a session carries, when it stops counting, and the login limits.

A session names the person *and* their session generation (``User.get_id()`` gives
``"<id>:<generation>"``, which Flask-Login keeps in the session). ``load_user`` refuses a
session whose generation is not the person's current one, so bumping the generation
(``services.end_sessions``: at logout, on a password change) ends every session made before,
whatever cookie a browser still holds. The top layer (``lms/extension.py``) installs
``load_user`` and ``limit_login``; a host app with its own Flask-Login manager calls
``load_user`` from its loader.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_login import login_user
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.accounts.services import normalise_login
from lms.core.db import db

LOGIN_ENDPOINT = "lms.accounts.login"


def load_user(token: str) -> User | None:
    """The person a session belongs to, or None when the session no longer counts."""
    user_id, _, generation = token.partition(":")
    try:
        # With the roles in the same query (the relationship would load them in a second).
        user = db.session.get(User, int(user_id), options=[joinedload(User.role_assignments)])
        generation_number = int(generation)
    except ValueError:
        return None  # not ours, or a session from before generations existed
    if user is None or user.session_generation != generation_number:
        return None  # logged out (everywhere) or password changed since this session began
    # A deactivated person is logged out at their next request.
    return user if user.is_active else None


def remember_days() -> int:
    return int(current_app.config["LMS_REMEMBER_DAYS"] or 0)


def start_session(user: User, *, remember: bool = False) -> None:
    """Log ``user`` in on this browser, stamped with their current session generation.

    ``remember``: also set Flask-Login's remember-me cookie, for ``LMS_REMEMBER_DAYS`` days.
    That cookie carries ``User.get_id()`` too (the generation), so logging out, a password
    change or a reset ends it like any session.

    Also used right after a password change, so that the session it was made from carries the
    new generation and stays valid while every other one ends.
    """
    if remember:
        login_user(user, remember=True, duration=timedelta(days=remember_days()))
    else:
        login_user(user)


def _failed(response: Response) -> bool:
    """A login POST that did not sign anyone in (a successful one redirects)."""
    return response.status_code != 302


def _account_key() -> str:
    return "login-account:" + (normalise_login(request.form.get("login")) or "")


def _no_account_given() -> bool:
    return not normalise_login(request.form.get("login"))


def limit_login(app: Flask, limiter: Limiter) -> None:
    """Limit FAILED logins: per client address, and per login name whatever the address.

    Successful logins are not counted (a whole team at one counter signs in from one address).
    The per-name limit is keyed by the name as typed (normalised), not by the account, so that
    an unknown name is limited exactly like a known one and the 429 reveals nothing. Counters
    live in the app's limiter storage (Redis when configured), shared by every worker.
    """
    view = app.view_functions[LOGIN_ENDPOINT]
    view = limiter.limit(
        lambda: app.config["LMS_LOGIN_ACCOUNT_RATE_LIMIT"],
        key_func=_account_key,
        methods=["POST"],
        deduct_when=_failed,
        exempt_when=_no_account_given,
    )(view)
    view = limiter.limit(
        lambda: app.config["LMS_LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_failed
    )(view)
    app.view_functions[LOGIN_ENDPOINT] = view
