"""Sessions end on the server: logout and password changes, and logins that take the same work
whether or not the account exists."""

from __future__ import annotations

import pytest
from werkzeug import security

from lms.accounts.models import User
from lms.accounts.services import deactivate_user
from lms.core.db import db
from tests.conftest import PASSWORD, csrf_token, login, post_form

NEW_PASSWORD = "een lange zin als wachtwoord"


def _logged_in(client) -> bool:
    response = client.get("/profile")
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
    return response.status_code == 200


def _replay(app, cookie_value: str):
    """A new browser that holds a copy of a saved session cookie."""
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie_value)
    return other


def test_a_cookie_saved_before_logout_no_longer_opens_pages(app, client, make_user):
    user = make_user()
    login(client, user)
    assert _logged_in(client)
    saved = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert _logged_in(_replay(app, saved))  # the copy works while the session lives

    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/profile")})
    assert response.status_code == 302

    assert not _logged_in(_replay(app, saved))
    assert not _logged_in(client)


def test_logout_ends_the_persons_sessions_everywhere(app, make_user):
    """At a shared counter PC "log out" means everywhere: the other browser is logged out too."""
    user = make_user()
    counter_pc, phone = app.test_client(), app.test_client()
    login(counter_pc, user)
    login(phone, user)
    counter_pc.post("/logout", data={"csrf_token": csrf_token(counter_pc, "/profile")})
    assert not _logged_in(phone)
    login(phone, user)  # and logging in again works
    assert _logged_in(phone)


def _change_password(client):
    return client.post(
        "/profile/password",
        data={
            "csrf_token": csrf_token(client, "/profile"),
            "password-current_password": PASSWORD,
            "password-new_password": NEW_PASSWORD,
            "password-confirm_password": NEW_PASSWORD,
        },
    )


def test_changing_the_password_ends_the_other_sessions_only(app, make_user):
    user = make_user()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user)
    login(elsewhere, user)
    saved_here = here.get_cookie(app.config["SESSION_COOKIE_NAME"]).value

    assert _change_password(here).status_code == 302

    assert _logged_in(here)  # the session the change was made from goes on
    assert not _logged_in(elsewhere)
    assert not _logged_in(_replay(app, saved_here))  # its cookie from before the change too
    with app.app_context():
        assert db.session.get(User, user.id).check_password(NEW_PASSWORD)


def test_a_session_from_before_generations_is_refused(app, client, make_user):
    """After the upgrade, a session that names only the person (no generation) is refused."""
    user = make_user()
    login(client, user)
    with client.session_transaction() as session:
        assert session["_user_id"] == f"{user.id}:0"
        session["_user_id"] = str(user.id)
    assert not _logged_in(client)


@pytest.fixture
def password_checks(monkeypatch):
    """Every hash the login checks a password against."""
    checked: list[str] = []
    real = security.check_password_hash

    def spy(pwhash: str, password: str) -> bool:
        checked.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(security, "check_password_hash", spy)
    return checked


def _attempt(client, login_name: str, password: str = "not-the-password"):
    return post_form(client, "/login", {"login": login_name, "password": password})


def test_login_checks_one_password_hash_whether_or_not_the_account_exists(
    app, client, make_user, password_checks
):
    known = make_user()
    deactivated = make_user()
    without_password = make_user(password="")
    with app.app_context():
        deactivate_user(db.session, db.session.get(User, deactivated.id))
        db.session.commit()
        known_hash = db.session.get(User, known.id).password_hash

    for login_name in (
        known.login_name,  # wrong password
        "nobody@example.be",  # unknown
        deactivated.login_name,
        without_password.login_name,
    ):
        password_checks.clear()
        assert _attempt(client, login_name).status_code == 422
        assert len(password_checks) == 1, login_name
        # ... against a hash made the same way (the configured method and cost).
        assert password_checks[0].split("$")[0] == known_hash.split("$")[0], login_name
