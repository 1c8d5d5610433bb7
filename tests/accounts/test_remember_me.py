""" "Keep me signed in": optional, bounded (``LMS_REMEMBER_DAYS``), and the remember-me cookie
stops working after a password change, a reset or a logout, like every session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from lms.accounts.models import User
from lms.core.db import db
from lms.organisations.invitations import request_reset, set_password_with_token
from tests.conftest import PASSWORD, csrf_token, post_form

REMEMBER = "remember_token"
NEW_PASSWORD = "een lange zin als wachtwoord"


@pytest.fixture
def app_config():
    return {"LMS_REMEMBER_DAYS": 7}


def _log_in(client, user, remember: bool):
    data = {"login": user.login_name, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = post_form(client, "/login", data)
    assert response.status_code == 302
    return response


def _only_the_remember_cookie(app, client):
    """The browser was closed: the session cookie is gone, the remember-me cookie stays."""
    other = app.test_client()
    other.set_cookie(REMEMBER, client.get_cookie(REMEMBER).value)
    return other


def _logged_in(client) -> bool:
    return client.get("/profile").status_code == 200


def test_the_choice_is_on_the_login_page(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="remember"' in page and "7" in page


def test_without_the_choice_there_is_no_remember_cookie(app, client, make_user):
    _log_in(client, make_user(), remember=False)
    assert client.get_cookie(REMEMBER) is None


def test_remember_me_lasts_the_configured_days_and_no_longer(app, client, make_user):
    response = _log_in(client, make_user(), remember=True)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(REMEMBER))
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    expected = datetime.now(UTC) + timedelta(days=7)
    assert abs(expires - expected) < timedelta(minutes=1)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert _logged_in(_only_the_remember_cookie(app, client))


def test_a_password_change_ends_the_remembered_sign_in(app, make_user):
    user = make_user()
    home, counter = app.test_client(), app.test_client()
    _log_in(home, user, remember=True)
    _log_in(counter, user, remember=False)
    response = counter.post(
        "/profile/password",
        data={
            "csrf_token": csrf_token(counter, "/profile"),
            "password-current_password": PASSWORD,
            "password-new_password": NEW_PASSWORD,
            "password-confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert not _logged_in(_only_the_remember_cookie(app, home))
    assert not _logged_in(home)


def test_a_reset_ends_the_remembered_sign_in(app, make_user):
    user = make_user()
    home = app.test_client()
    _log_in(home, user, remember=True)
    with app.test_request_context():
        token = request_reset(db.session, user.login_name)
        set_password_with_token(db.session, token, "reset", NEW_PASSWORD)
        db.session.commit()
    assert not _logged_in(_only_the_remember_cookie(app, home))


def test_logging_out_ends_the_remembered_sign_in(app, make_user):
    user = make_user()
    home = app.test_client()
    _log_in(home, user, remember=True)
    saved = _only_the_remember_cookie(app, home)
    home.post("/logout", data={"csrf_token": csrf_token(home, "/profile")})
    assert not _logged_in(saved)


@pytest.mark.parametrize("app_config", [{"LMS_REMEMBER_DAYS": 0}])
def test_remember_me_can_be_switched_off(app, client, make_user):
    assert 'name="remember"' not in client.get("/login").get_data(as_text=True)
    _log_in(client, make_user(), remember=True)
    assert client.get_cookie(REMEMBER) is None


def test_the_remembered_person_is_the_right_one(app, client, make_user):
    user = make_user()
    _log_in(client, user, remember=True)
    restored = _only_the_remember_cookie(app, client)
    assert _logged_in(restored)
    with app.app_context():
        assert db.session.get(User, user.id).email in restored.get("/profile").get_data(
            as_text=True
        )
