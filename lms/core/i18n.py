"""Languages of the user interface (Flask-Babel) and of course content.

UI strings live in the ``lms`` translation domain (``lms/translations/<lang>/LC_MESSAGES/
lms.po``) so that a host application's own catalogues are left alone. Python code marks strings
with :func:`_` / :func:`lazy_gettext` from this module; templates get ``_`` and ``ngettext``
from a context processor on the LMS blueprint.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app, has_request_context, request, session
from flask_babel import Babel, Domain, get_locale
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"

#: Names of the UI languages, each in its own language (for the language switch).
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "de": "Deutsch", "en": "English"}

domain = Domain(translation_directories=str(TRANSLATIONS_DIR), domain="lms")
_ = domain.gettext
gettext = domain.gettext
ngettext = domain.ngettext
lazy_gettext = domain.lazy_gettext


def ui_languages() -> list[str]:
    return list(current_app.config["LMS_LANGUAGES"])


def select_locale() -> str:
    """The user's saved preference, then the session's choice, then the browser, then nl."""
    languages = ui_languages()
    if not has_request_context():
        return "en"  # command-line output is for operators, in the code's language
    try:
        if current_user and current_user.is_authenticated:
            preferred = getattr(current_user, "preferred_language", None)
            if preferred in languages:
                return preferred
    except SQLAlchemyError:  # an error page while the database fails: the session decides
        pass
    chosen = session.get("lms_lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def current_language() -> str:
    return str(get_locale() or ui_languages()[0])


def localise(text: Any, language: str | None = None, fallback: str | None = None) -> str:
    """Pick the text for ``language`` from a ``{lang: text}`` mapping (course content).

    Falls back to ``fallback`` (the course's default language), then to any text present.
    """
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    language = language or current_language()
    for lang in (language, fallback):
        if lang and text.get(lang):
            return text[lang]
    return next((value for value in text.values() if value), "")


def _template_helpers() -> dict[str, Any]:
    return {
        "_": gettext,
        "gettext": gettext,
        "ngettext": ngettext,
        "current_language": current_language(),
        "ui_languages": ui_languages(),
        "language_names": LANGUAGE_NAMES,
        "localise": localise,
    }


def template_helpers() -> dict[str, Any]:
    """The names every LMS template may use (also for pages rendered outside the blueprint)."""
    return _template_helpers()


def init_blueprint(bp: Blueprint) -> None:
    bp.context_processor(_template_helpers)


def init_app(app: Flask, *, standalone: bool) -> None:
    if "babel" not in app.extensions:
        Babel(
            app,
            locale_selector=select_locale,
            default_domain="lms",
            default_translation_directories=str(TRANSLATIONS_DIR),
        )
    if standalone:
        app.context_processor(_template_helpers)
