"""Login limits count failed attempts only: per client address and per login name."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, post_form

PER_ADDRESS = 6
PER_NAME = 3


@pytest.fixture
def app_config():
    return {
        "LMS_LOGIN_RATE_LIMIT": f"{PER_ADDRESS} per minute",
        "LMS_LOGIN_ACCOUNT_RATE_LIMIT": f"{PER_NAME} per minute;20 per hour",
    }


def _attempt(client, login_name, password=PASSWORD, address="192.0.2.1"):
    return post_form(
        client,
        "/login",
        {"login": login_name, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _is_readable_429(response, title="Te veel pogingen") -> bool:
    html = response.get_data(as_text=True)
    return response.status_code == 429 and "lms.css" in html and f"<h1>{title}</h1>" in html


def test_a_team_signing_in_from_one_address_is_not_limited(app, make_user):
    """Twice as many successful logins from one address as the limit allows failed ones."""
    for _ in range(2 * PER_ADDRESS):
        browser = app.test_client()
        assert _attempt(browser, make_user().login_name).status_code == 302


def test_wrong_passwords_for_one_name_from_many_addresses_lock_that_name(app, make_user):
    target, colleague = make_user(), make_user()
    for n in range(PER_NAME):
        response = _attempt(app.test_client(), target.login_name, "wrong", f"198.51.100.{n}")
        assert response.status_code == 422
    # Even the right password, from yet another address, now waits.
    locked = _attempt(app.test_client(), target.login_name, PASSWORD, "198.51.100.200")
    assert _is_readable_429(locked)
    # The same name typed differently is the same name.
    shouted = _attempt(
        app.test_client(), f"  {target.login_name.upper()} ", PASSWORD, "203.0.113.9"
    )
    assert _is_readable_429(shouted)
    # A colleague at one of those addresses still signs in.
    colleague_login = _attempt(app.test_client(), colleague.login_name, PASSWORD, "198.51.100.0")
    assert colleague_login.status_code == 302


def test_an_unknown_name_is_limited_like_a_known_one(app):
    """The 429 does not tell which accounts exist."""
    for n in range(PER_NAME):
        response = _attempt(app.test_client(), "nobody@example.be", "wrong", f"198.51.100.{n}")
        assert response.status_code == 422
    again = _attempt(app.test_client(), "nobody@example.be", "wrong", "203.0.113.1")
    assert _is_readable_429(again)


def test_many_failures_from_one_address_lock_that_address(app, make_user):
    user = make_user()
    client = app.test_client()
    for n in range(PER_ADDRESS):
        assert _attempt(client, f"guess{n}@example.be", "wrong").status_code == 422
    assert _is_readable_429(_attempt(client, user.login_name))
    # The person can still sign in from elsewhere.
    assert _attempt(app.test_client(), user.login_name, address="203.0.113.7").status_code == 302


def test_the_429_page_is_in_the_users_language(app, make_user):
    user = make_user()
    client = app.test_client()
    client.get("/language/fr")
    for _ in range(PER_NAME):
        assert _attempt(client, user.login_name, "wrong").status_code == 422
    assert _is_readable_429(_attempt(client, user.login_name), "Trop de tentatives")


def test_empty_forms_share_no_name_limit(app):
    """Many people sending the form empty, from different places, each get the form's errors."""
    for n in range(PER_NAME + 1):
        assert _attempt(app.test_client(), "", "", f"198.51.100.{n}").status_code == 422
