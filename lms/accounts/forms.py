"""Forms for logging in and looking after your own account."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.validators import Email as EmailValidator

from lms.core.forms import LMSForm, options
from lms.core.i18n import LANGUAGE_NAMES
from lms.core.i18n import lazy_gettext as _l


class LoginForm(LMSForm):
    login = StringField(
        _l("E-mail address or username"),
        validators=[DataRequired(_l("Enter your e-mail address or username."))],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password", "data-show-password": "true"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


def language_choices():
    return options(LANGUAGE_NAMES.items())


class ProfileForm(LMSForm):
    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("E-mail address"),
        description=_l("We send messages about your courses to this address."),
        validators=[
            Optional(),
            EmailValidator(_l("Enter an e-mail address like name@example.be.")),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    preferred_language = RadioField(
        _l("Language"),
        description=_l(
            "The language of the pages, of the courses (where available) and of e-mails."
        ),
        choices=language_choices(),
        validators=[DataRequired(_l("Choose a language."))],
    )


class PasswordChangeForm(LMSForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        description=_l("At least 10 characters. A short sentence is easy to remember."),
        validators=[DataRequired(_l("Enter a new password."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("Type the new password again"),
        validators=[
            DataRequired(_l("Type the new password again.")),
            EqualTo("new_password", _l("The two new passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
