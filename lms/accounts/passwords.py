"""Password rules, explained to people in plain words."""

from __future__ import annotations

from flask import current_app

from lms.core.i18n import gettext as _


def password_problems(password: str, *, identifiers: tuple[str, ...] = ()) -> list[str]:
    """Return what is wrong with ``password`` (empty list: it is acceptable).

    Rules follow current advice (NIST SP 800-63B): a minimum length, no composition rules,
    and no password that is just the person's own login name.
    """
    min_length = int(current_app.config["LMS_PASSWORD_MIN_LENGTH"]) if current_app else 10
    problems = []
    if len(password) < min_length:
        problems.append(_("Use at least %(n)d characters.", n=min_length))
    if password and len(set(password)) < 4:
        problems.append(_("Use more different characters."))
    lowered = password.lower()
    if any(ident and ident.lower() in lowered for ident in identifiers if len(ident) >= 4):
        problems.append(_("Do not use your e-mail address or username in your password."))
    return problems
