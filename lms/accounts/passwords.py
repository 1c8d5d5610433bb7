"""Password rules, explained to people in plain words; hashing and checking passwords."""

from __future__ import annotations

import re
import secrets
from functools import lru_cache
from pathlib import Path

from flask import current_app
from werkzeug import security

from lms.core.i18n import gettext as _


def _method() -> str:
    return current_app.config.get("LMS_PASSWORD_HASH_METHOD", "scrypt")


def hash_password(password: str) -> str:
    return security.generate_password_hash(password, method=_method())


@lru_cache(maxsize=8)
def _dummy_hash(method: str) -> str:
    """A hash of a random password, made once per hashing method."""
    return security.generate_password_hash(secrets.token_urlsafe(24), method=method)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``. Without a hash (unknown or deactivated
    account, no password yet) the password is checked against a dummy hash made with the same
    method, so that the answer takes as long and does not tell which accounts exist."""
    if not stored_hash:
        security.check_password_hash(_dummy_hash(_method()), password)
        return False
    return security.check_password_hash(stored_hash, password)


COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
_TRAILING = re.compile(r"[\d\W_]+$")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords (lower case)."""
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as lines:
        return frozenset(
            line.strip() for line in lines if line.strip() and not line.startswith("#")
        )


def is_common(password: str) -> bool:
    """A password on the list, or a listed word with only digits or signs after it
    ("wachtwoord2024!"), or only digits and signs ("1234567890")."""
    lowered = password.strip().lower()
    if lowered in common_passwords():
        return True
    stem = _TRAILING.sub("", lowered)
    return not stem or stem in common_passwords()


def password_problems(password: str, *, identifiers: tuple[str, ...] = ()) -> list[str]:
    """Return what is wrong with ``password`` (empty list: it is acceptable).

    Rules follow current advice (NIST SP 800-63B): a minimum length, no composition rules,
    no password from the list of common ones, and no password that is just the person's own
    login name.
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
    if password and is_common(password):
        problems.append(
            _(
                "Many people use this password, so it is easy to guess. Choose another one: "
                "for example a short sentence of three or four words."
            )
        )
    return problems
