"""Forgot password and choosing a password from a link: the same answer for every address,
one mail per interval, single-use links that end every other session, common passwords
refused."""

from __future__ import annotations

import re

import pytest
from flask import url_for
from sqlalchemy import select

from lms.accounts import tokens
from lms.accounts.models import User
from lms.core.audit import AuditEvent
from lms.core.db import db
from lms.mail.models import OutgoingMail
from tests.conftest import CSRF_RE, PASSWORD, csrf_token, login, post_form

NEW_PASSWORD = "een lange zin als wachtwoord"
LINK_RE = re.compile(r"http://127\.0\.0\.1(/(?:password/reset|invitation)/[A-Za-z0-9_-]+)")


def _forgot(client, login_name, address="192.0.2.10"):
    return post_form(
        client,
        "/password/forgot",
        {"login": login_name},
        page="/password/forgot",
        environ_base={"REMOTE_ADDR": address},
    )


def _mails(app) -> list[OutgoingMail]:
    with app.app_context():
        return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def _link(mail: OutgoingMail) -> str:
    match = LINK_RE.search(mail.body)
    assert match, mail.body
    return match.group(1)


def _choose(client, path, password=NEW_PASSWORD, confirm=None):
    return client.post(
        path,
        data={
            "new_password": password,
            "confirm_password": confirm if confirm is not None else password,
            "csrf_token": csrf_token(client, "/password/forgot"),
        },
    )


def _my_learning(app) -> str:
    with app.test_request_context():
        return url_for("lms.learning.my_learning")


def _logged_in(client) -> bool:
    return client.get("/profile").status_code == 200


def test_the_login_page_links_to_forgot_password(client):
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)


def test_the_answer_is_the_same_for_known_and_unknown_accounts(app, make_user, monkeypatch):
    person = make_user(email="els@example.be")
    made = []
    real_new_token = tokens.new_token
    monkeypatch.setattr(
        "lms.organisations.invitations.new_token",
        lambda: made.append(1) or real_new_token(),
    )
    hashed = []
    real_hash = tokens.hash_token
    monkeypatch.setattr(tokens, "hash_token", lambda t: hashed.append(t) or real_hash(t))

    answers, work = [], []
    for name in (person.email, "nobody@example.be", person.email.upper()):
        made.clear()
        hashed.clear()
        response = _forgot(app.test_client(), name)
        assert response.status_code == 200
        answers.append(CSRF_RE.sub("", response.get_data(as_text=True)))
        work.append((len(made), len(hashed)))
    assert answers[0] == answers[1] == answers[2]
    assert "Kijk in je mailbox" in answers[0] or "mailbox" in answers[0]
    # One token made and hashed per request, whether or not the account exists.
    assert work == [(1, 1), (1, 1), (1, 1)]
    # Only the known account got a mail (once: the third request fell in the interval).
    mails = _mails(app)
    assert [m.recipient for m in mails] == [person.email]


def test_a_reset_sets_the_password_ends_other_sessions_and_lands_on_my_learning(app, make_user):
    person = make_user()
    elsewhere = app.test_client()
    login(elsewhere, person)
    assert _logged_in(elsewhere)

    browser = app.test_client()
    _forgot(browser, person.email)
    path = _link(_mails(app)[0])
    page = browser.get(path)
    assert page.status_code == 200
    assert 'autocomplete="new-password"' in page.get_data(as_text=True)
    response = _choose(browser, path)
    assert response.status_code == 302
    assert response.headers["Location"] == _my_learning(app)
    assert _logged_in(browser)
    assert not _logged_in(elsewhere)  # the other session has ended
    # The new password works, the old one does not.
    assert (
        post_form(
            app.test_client(), "/login", {"login": person.email, "password": NEW_PASSWORD}
        ).status_code
        == 302
    )
    assert (
        post_form(
            app.test_client(), "/login", {"login": person.email, "password": PASSWORD}
        ).status_code
        == 422
    )
    # The link works once.
    again = app.test_client()
    assert again.get(path).status_code == 410
    refused = _choose(again, path, "nog een andere lange zin")
    assert refused.status_code == 410
    assert 'href="/password/forgot"' in refused.get_data(as_text=True)
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action)))
        assert "user.reset_request" in actions and "user.reset" in actions


def test_opening_the_link_does_not_use_it(app, make_user):
    person = make_user()
    _forgot(app.test_client(), person.email)
    path = _link(_mails(app)[0])
    for _ in range(3):
        assert app.test_client().get(path).status_code == 200
    assert _choose(app.test_client(), path).status_code == 302


@pytest.mark.parametrize(
    "mangle", [lambda p: p[:-1], lambda p: p[:-2] + "zz", lambda p: p + "A", lambda p: p[:-10]]
)
def test_tampered_and_truncated_links_get_the_clear_page_and_change_nothing(app, make_user, mangle):
    person = make_user()
    _forgot(app.test_client(), person.email)
    path = _link(_mails(app)[0])
    bad = mangle(path)
    browser = app.test_client()
    page = browser.get(bad)
    assert page.status_code == 410
    assert 'href="/password/forgot"' in page.get_data(as_text=True)
    assert _choose(browser, bad).status_code == 410
    with app.app_context():
        assert db.session.get(User, person.id).check_password(PASSWORD)
    assert _choose(app.test_client(), path).status_code == 302  # the real link still works


def test_an_expired_link_gets_the_clear_page(app, make_user):
    app.config["LMS_RESET_TOKEN_HOURS"] = -1
    person = make_user()
    _forgot(app.test_client(), person.email)
    path = _link(_mails(app)[0])
    response = _choose(app.test_client(), path)
    assert response.status_code == 410
    with app.app_context():
        assert db.session.get(User, person.id).check_password(PASSWORD)


def test_a_password_change_kills_the_link(app, client, make_user):
    person = make_user()
    _forgot(app.test_client(), person.email)
    path = _link(_mails(app)[0])
    login(client, person)
    changed = post_form(
        client,
        "/profile/password",
        {
            "password-current_password": PASSWORD,
            "password-new_password": NEW_PASSWORD,
            "password-confirm_password": NEW_PASSWORD,
        },
        page="/profile",
    )
    assert changed.status_code == 302
    assert _choose(app.test_client(), path, "nog een andere lange zin").status_code == 410


@pytest.mark.parametrize(
    "common", ["wachtwoord2024", "motdepasse", "azerty123456", "belgie2024", "1234567890"]
)
def test_common_passwords_are_refused(app, make_user, common):
    person = make_user()
    _forgot(app.test_client(), person.email)
    path = _link(_mails(app)[0])
    response = _choose(app.test_client(), path, common)
    assert response.status_code == 422
    assert "Veel mensen" in response.get_data(as_text=True) or "easy to guess" in response.get_data(
        as_text=True
    )
    assert _choose(app.test_client(), path).status_code == 302  # not used up by the refusal


@pytest.fixture
def app_config():
    return {"LMS_RESET_RATE_LIMIT": "10 per minute", "LMS_RESET_MAIL_INTERVAL_MINUTES": 5}


def test_a_hundred_requests_send_one_mail_then_429(app, make_user):
    person = make_user()
    codes = [_forgot(app.test_client(), person.email).status_code for _ in range(100)]
    assert codes[:10] == [200] * 10
    assert set(codes[10:]) == {429}
    assert len(_mails(app)) == 1
    page = _forgot(app.test_client(), person.email).get_data(as_text=True)
    assert "lms.css" in page


def test_after_the_interval_a_new_mail_is_sent(app, make_user):
    app.config["LMS_RESET_MAIL_INTERVAL_MINUTES"] = 0
    person = make_user()
    _forgot(app.test_client(), person.email)
    _forgot(app.test_client(), person.email)
    first, second = _mails(app)
    assert _choose(app.test_client(), _link(first)).status_code == 410  # replaced
    assert _choose(app.test_client(), _link(second)).status_code == 302
