"""Logging in and out, and the person's own profile."""

from __future__ import annotations

import math
from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from lms.accounts import backoff, policy
from lms.accounts.forms import LoginForm, PasswordChangeForm, ProfileForm
from lms.accounts.login import remember_days, start_session
from lms.accounts.passwords import password_problems
from lms.accounts.services import (
    AccountError,
    authenticate,
    change_password,
    end_sessions,
    normalise_login,
    update_profile,
)
from lms.core.db import db
from lms.core.i18n import gettext as _
from lms.core.urls import safe_next

bp = Blueprint("accounts", __name__, template_folder="templates")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("lms.learning.my_learning"))
    form = LoginForm()
    form.remember.description = _(
        "For %(days)s days at most. Only on your own computer or phone, never on a shared one.",
        days=remember_days(),
    )
    failed = sso_hint = False
    if form.validate_on_submit():
        name = normalise_login(form.login.data) or ""
        wait = backoff.waiting(db.session, name)
        if wait is not None:
            return _wait_page(wait)
        user = authenticate(
            db.session, form.login.data, form.password.data, address=request.remote_addr
        )
        if user is None:
            backoff.record_failure(db.session, name)
        else:
            backoff.clear(db.session, user)
        db.session.commit()  # the sign-in or the failure, in the audit trail
        if user is not None:
            session.pop("lms_lang", None)
            start_session(user, remember=bool(form.remember.data) and remember_days() > 0)
            return redirect(
                safe_next(request.args.get("next")) or url_for("lms.learning.my_learning")
            )
        failed = True
        # Decided by the address typed alone: the same for every name at that domain.
        sso_hint = policy.signs_in_elsewhere(db.session, form.login.data)
    status = 200 if not form.errors and not failed else 422
    return render_template(
        "lms/accounts/login.html",
        form=form,
        failed=failed,
        sso_hint=failed and sso_hint,
        sso_enabled=bool(current_app.config.get("LMS_SSO_PROVIDERS")),
        remember_days=remember_days(),
    ), status


def _wait_page(wait: timedelta):
    """The back-off's answer: a readable 429 saying how long to wait (the same for every
    name, known or not)."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    response = make_response(render_template("lms/accounts/wait.html", minutes=minutes), 429)
    response.headers["Retry-After"] = str(math.ceil(wait.total_seconds()))
    return response


@bp.post("/logout")
def logout():
    """Log out everywhere: a copy of the session cookie (a shared counter PC, another browser)
    stops working too."""
    if current_user.is_authenticated:
        end_sessions(db.session, current_user)
        db.session.commit()
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("lms.accounts.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user, prefix="profile")
    password_form = PasswordChangeForm(prefix="password")
    if request.method == "POST" and "profile-full_name" in request.form and form.validate():
        try:
            update_profile(
                db.session,
                current_user,
                full_name=form.full_name.data,
                email=form.email.data,
                username=current_user.username,
                language=form.preferred_language.data,
                actor=current_user,
            )
        except AccountError as exc:
            db.session.rollback()
            getattr(form, exc.field or "full_name").errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Your details are saved."), "success")
            return redirect(url_for(".profile"))
    status = 422 if form.errors else 200
    return render_template(
        "lms/accounts/profile.html", form=form, password_form=password_form
    ), status


@bp.post("/profile/password")
@login_required
def password():
    form = ProfileForm(obj=current_user, prefix="profile")
    password_form = PasswordChangeForm(prefix="password")
    if password_form.validate():
        if not current_user.check_password(password_form.current_password.data):
            password_form.current_password.errors.append(_("This is not your current password."))
        else:
            problems = password_problems(
                password_form.new_password.data,
                identifiers=(current_user.email or "", current_user.username or ""),
            )
            if problems:
                password_form.new_password.errors.extend(problems)
            else:
                user = current_user._get_current_object()
                change_password(db.session, user, password_form.new_password.data)
                db.session.commit()
                start_session(user)  # this session goes on; every other one has ended
                flash(_("Your password is changed. You are logged out everywhere else."), "success")
                return redirect(url_for(".profile"))
    return render_template("lms/accounts/profile.html", form=form, password_form=password_form), 422
