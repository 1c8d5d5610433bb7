"""Security headers, CSRF protection and cookie settings for the LMS's pages.

CSRF: every state-changing request to an LMS endpoint must carry the form's ``csrf_token``
(or an ``X-CSRFToken`` header). This is done per blueprint rather than with Flask-WTF's
app-wide ``CSRFProtect`` so that mounting the LMS does not change a host app's own routes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, request
from flask.wrappers import Response
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms import ValidationError

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def allow_form_targets(response: Response, origins: list[str]) -> Response:
    """Let the forms of this one page lead to ``origins`` too (``form-action``): a form whose
    answer redirects elsewhere (single sign-on sends the browser on to the organisation's
    sign-in page) is blocked by the browser unless the page's policy names the place."""
    extra = " ".join(sorted(set(origins)))
    policy = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {extra}".rstrip()
    )
    response.headers["Content-Security-Policy"] = policy
    return response


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if response.mimetype == "text/html":
        # Pages may show personal data: never keep them in a shared (municipal) PC's cache.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def csrf_exempt(view: Any) -> Any:
    """Mark a view that another site posts to by design (an LTI platform's launch), which
    checks the request its own way (a signed state or context) instead of the form token."""
    view._lms_csrf_exempt = True
    return view


def _check_csrf() -> None:
    if request.method not in UNSAFE_METHODS or current_app.config.get("WTF_CSRF_ENABLED") is False:
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "_lms_csrf_exempt", False):
        return
    token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
    try:
        validate_csrf(token)
    except ValidationError as exc:
        raise CSRFError(exc.args[0]) from exc


def _headers_for_lms_pages(response: Response) -> Response:
    if current_app.config.get("LMS_SECURITY_HEADERS_EVERYWHERE"):
        return response  # the app-wide hook adds them
    return add_security_headers(response)


def init_blueprint(bp: Blueprint) -> None:
    bp.before_request(_check_csrf)
    bp.after_request(_headers_for_lms_pages)
    bp.app_context_processor(lambda: {"csrf_token": generate_csrf})


def init_app(app: Flask) -> None:
    if app.config.get("LMS_SECURITY_HEADERS_EVERYWHERE"):
        app.after_request(add_security_headers)


LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def secure_cookies(app: Flask) -> bool:
    """``LMS_SECURE_COOKIES``: true, false, or "auto" (on, except in debug or testing mode or
    when ``LMS_BASE_URL`` is a local http:// address)."""
    setting = app.config.get("LMS_SECURE_COOKIES", "auto")
    if isinstance(setting, bool):
        return setting
    if str(setting).strip().lower() != "auto":
        raise ValueError(f'LMS_SECURE_COOKIES must be true, false or "auto", not {setting!r}.')
    base = urlsplit(str(app.config.get("LMS_BASE_URL") or ""))
    local_http = base.scheme == "http" and base.hostname in LOCAL_HOSTS
    return not (app.debug or app.testing or local_http)


def configure_cookies(app: Flask) -> None:
    """SameSite=Lax, HttpOnly and (see ``secure_cookies``) Secure on the session and
    remember-me cookies. Only settings still at their defaults are filled in, so a host app's
    (or an operator's) own cookie settings are never overridden."""
    secure = secure_cookies(app)
    wanted: dict[str, Any] = {
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": secure,
    }
    for key, value in wanted.items():
        if key not in app.config or app.config[key] == app.default_config.get(key):
            app.config[key] = value
