"""Pages for getting in without a password: "forgot password", choosing a password from a
reset link or an invitation. Anyone may open them (no login)."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, request, session, url_for
from flask_limiter import Limiter
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo

from lms.accounts import policy
from lms.accounts.login import start_session
from lms.accounts.passwords import password_problems
from lms.accounts.tokens import TokenError, check_token
from lms.core.db import db
from lms.core.forms import LMSForm
from lms.core.i18n import lazy_gettext as _l
from lms.organisations.invitations import request_reset, set_password_with_token

bp = Blueprint("passwords", __name__, template_folder="templates")

FORGOT_ENDPOINT = "lms.passwords.forgot"


class ForgotForm(LMSForm):
    login = StringField(
        _l("E-mail address or username"),
        validators=[DataRequired(_l("Enter your e-mail address or username."))],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )


class ChoosePasswordForm(LMSForm):
    new_password = PasswordField(
        _l("New password"),
        description=_l(
            "At least 10 characters. A short sentence is easy to remember and hard to guess."
        ),
        validators=[DataRequired(_l("Enter a new password."))],
        render_kw={"autocomplete": "new-password", "data-show-password": "true"},
    )
    confirm_password = PasswordField(
        _l("Type the new password again"),
        validators=[
            DataRequired(_l("Type the new password again.")),
            EqualTo("new_password", _l("The two new passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password", "data-show-password": "true"},
    )


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        request_reset(db.session, form.login.data, address=request.remote_addr)
        db.session.commit()
        # The same page whether or not the account exists (and whether a mail was sent); an
        # address at a domain that signs in with its own provider is pointed there (decided
        # by the address typed alone).
        return render_template(
            "lms/passwords/forgot_sent.html",
            sso_hint=policy.signs_in_elsewhere(db.session, form.login.data),
        )
    return render_template("lms/passwords/forgot.html", form=form), 422 if form.errors else 200


def _choose(token: str, purpose: str):
    try:
        row = check_token(db.session, token, purpose)  # reads only: the GET uses nothing up
    except TokenError as exc:
        return _link_refused(exc, purpose)
    person = row.user
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        problems = password_problems(
            form.new_password.data, identifiers=(person.email or "", person.username or "")
        )
        if problems:
            form.new_password.errors.extend(problems)
        else:
            try:
                user = set_password_with_token(db.session, token, purpose, form.new_password.data)
            except TokenError as exc:  # used a moment ago by another request
                db.session.rollback()
                return _link_refused(exc, purpose)
            db.session.commit()
            session.pop("lms_lang", None)
            start_session(user)  # signed in here; every other session has ended
            return redirect(url_for("lms.learning.my_learning"))
    return render_template(
        "lms/passwords/choose.html", form=form, person=person, purpose=purpose
    ), 422 if form.errors else 200


def _link_refused(exc: TokenError, purpose: str):
    return render_template(
        "lms/passwords/link_refused.html", reason=exc.reason, purpose=purpose
    ), 410


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    return _choose(token, "reset")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept(token: str):
    return _choose(token, "invitation")


def limit_reset(app: Flask, limiter: Limiter) -> None:
    """Limit password-reset requests per client address (every POST counts, whatever the
    account), in the app's shared limiter storage; the answer is the readable 429 page."""
    view = app.view_functions[FORGOT_ENDPOINT]
    app.view_functions[FORGOT_ENDPOINT] = limiter.limit(
        lambda: app.config["LMS_RESET_RATE_LIMIT"], methods=["POST"]
    )(view)
