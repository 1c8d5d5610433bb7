"""Per-account back-off: after repeated wrong passwords for one login name, each further attempt
waits longer (doubling, capped); a sign-in or a new password clears it; an unknown name is
treated exactly like a known one; failures at the same moment are all counted."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lms.accounts import backoff
from lms.accounts.backoff import LoginBackoff
from lms.accounts.models import User
from lms.accounts.services import change_password, create_user
from lms.core.db import db, utcnow
from tests.conftest import PASSWORD, post_form

AFTER = 3
FIRST_WAIT = 10
MAX_WAIT = 60
NO_LIMITS = {
    "LMS_LOGIN_RATE_LIMIT": "1000 per minute",
    "LMS_LOGIN_ACCOUNT_RATE_LIMIT": "1000 per minute",
}
SETTINGS = {
    **NO_LIMITS,
    "LMS_LOGIN_BACKOFF_AFTER": AFTER,
    "LMS_LOGIN_BACKOFF_SECONDS": FIRST_WAIT,
    "LMS_LOGIN_BACKOFF_MAX_SECONDS": MAX_WAIT,
    "LMS_LOGIN_BACKOFF_WINDOW_MINUTES": 60,
}


@pytest.fixture
def app_config():
    return dict(SETTINGS)


def _attempt(client, login_name, password="wrong password"):
    return post_form(client, "/login", {"login": login_name, "password": password})


def _fail(app, login_name, times):
    for _ in range(times):
        assert _attempt(app.test_client(), login_name).status_code == 422


def _wait_page(response, heading="Wacht even voor je opnieuw probeert"):
    html = response.get_data(as_text=True)
    return response.status_code == 429 and f"<h1>{heading}</h1>" in html and "lms.css" in html


def test_after_repeated_failures_even_the_right_password_waits(app, make_user):
    user = make_user()
    _fail(app, user.login_name, AFTER)
    response = _attempt(app.test_client(), user.login_name, PASSWORD)
    assert _wait_page(response)
    assert 0 < int(response.headers["Retry-After"]) <= FIRST_WAIT
    # The wait is over: the right password works again (the clock moved on).
    with app.app_context():
        db.session.execute(update(LoginBackoff).values(wait_until=utcnow()))
        db.session.commit()
    assert _attempt(app.test_client(), user.login_name, PASSWORD).status_code == 302


def test_an_unknown_name_waits_exactly_like_a_known_one(app, make_user):
    """Same status, same page, same wait: the back-off tells nothing about which accounts
    exist."""
    known = make_user()
    _fail(app, known.login_name, AFTER)
    _fail(app, "nobody@example.be", AFTER)
    for_known = _attempt(app.test_client(), known.login_name)
    for_unknown = _attempt(app.test_client(), "nobody@example.be")
    assert _wait_page(for_known) and _wait_page(for_unknown)
    assert for_known.headers["Retry-After"] == for_unknown.headers["Retry-After"]
    assert for_known.get_data(as_text=True).replace(known.login_name, "X") == for_unknown.get_data(
        as_text=True
    ).replace("nobody@example.be", "X")


def test_the_wait_page_is_in_the_persons_language(app, make_user):
    user = make_user()
    _fail(app, user.login_name, AFTER)
    client = app.test_client()
    client.get("/language/fr")
    assert _wait_page(_attempt(client, user.login_name), "Attendez un peu avant de réessayer")


def test_waits_double_with_each_failure_up_to_the_cap(app):
    with app.test_request_context():
        waits = []
        for _ in range(AFTER + 5):
            backoff.record_failure(db.session, "someone@example.be")
            wait = backoff.waiting(db.session, "someone@example.be")
            waits.append(0 if wait is None else round(wait.total_seconds()))
    expected = [0] * (AFTER - 1) + [
        min(FIRST_WAIT * 2**n, MAX_WAIT) for n in range(len(waits) - AFTER + 1)
    ]
    assert waits == expected
    assert waits[-1] == MAX_WAIT  # slowed down, never locked out for longer


def test_old_failures_are_forgotten(app):
    with app.test_request_context():
        for _ in range(AFTER - 1):
            backoff.record_failure(db.session, "someone@example.be")
        db.session.execute(
            update(LoginBackoff).values(last_failure_at=utcnow() - timedelta(minutes=61))
        )
        assert backoff.record_failure(db.session, "someone@example.be") == 1
        assert backoff.waiting(db.session, "someone@example.be") is None


def test_a_sign_in_clears_the_failures(app, make_user):
    user = make_user()
    _fail(app, user.login_name, AFTER - 1)
    assert _attempt(app.test_client(), user.login_name, PASSWORD).status_code == 302
    _fail(app, user.login_name, AFTER - 1)  # would be past the limit without the clearing
    assert _attempt(app.test_client(), user.login_name, PASSWORD).status_code == 302


def test_a_new_password_ends_the_wait(app, make_user):
    user = make_user()
    _fail(app, user.login_name, AFTER)
    assert _wait_page(_attempt(app.test_client(), user.login_name, PASSWORD))
    with app.app_context():
        change_password(db.session, db.session.get(User, user.id), "een nieuwe lange zin")
        db.session.commit()
    response = _attempt(app.test_client(), user.login_name, "een nieuwe lange zin")
    assert response.status_code == 302


def test_concurrent_failures_are_all_counted(committing_app):
    """Eight wrong passwords sent at the same moment from eight browsers: all eight are
    counted (no lost update), and the next attempt waits as long as eight failures say."""
    app = committing_app
    app.config.update({**SETTINGS, "WTF_CSRF_ENABLED": False, "LMS_LOGIN_BACKOFF_AFTER": 100})
    with app.app_context():
        create_user(db.session, full_name="Target", email="target@example.be", password=PASSWORD)
        db.session.commit()
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    codes: list[int] = []

    def send() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/login", data={"login": "target@example.be", "password": "x"})
        codes.append(response.status_code)

    threads = [threading.Thread(target=send) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [422] * threads_count
    with app.app_context():
        row = db.session.scalar(select(LoginBackoff))
        assert (row.login, row.failures) == ("target@example.be", threads_count)
    app.config["LMS_LOGIN_BACKOFF_AFTER"] = threads_count - 1
    with app.test_request_context():
        assert backoff.record_failure(db.session, "target@example.be") == threads_count + 1
        wait = backoff.waiting(db.session, "target@example.be")
        assert wait is not None and wait > timedelta(seconds=FIRST_WAIT)
        db.session.commit()
    assert (
        app.test_client()
        .post("/login", data={"login": "target@example.be", "password": PASSWORD})
        .status_code
        == 429
    )
