"""Invitation and reset tokens: random, stored as a hash, single use, expiring, and bound to
the password state they were issued for."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.services import change_password
from lms.accounts.tokens import (
    AccountToken,
    TokenExpired,
    TokenInvalid,
    TokenStale,
    TokenUsed,
    hash_token,
    issue_token,
    redeem_token,
)
from lms.core.db import db

HOUR = timedelta(hours=1)


@pytest.fixture
def person(app, make_user):
    return make_user()


def _issue(app, user_id, purpose="reset", lifetime=HOUR) -> str:
    with app.app_context():
        token = issue_token(db.session, db.session.get(User, user_id), purpose, lifetime)
        db.session.commit()
        return token


def _redeem(app, token, purpose="reset"):
    with app.app_context():
        try:
            user = redeem_token(db.session, token, purpose)
        except Exception:
            db.session.rollback()
            raise
        db.session.commit()
        return user.id


def test_only_the_hash_is_stored(app, person):
    token = _issue(app, person.id)
    with app.app_context():
        row = db.session.scalars(select(AccountToken)).one()
        assert row.token_hash == hash_token(token)
        assert token not in repr(row.__dict__)
        assert len(token) == 43


@pytest.mark.parametrize("purpose", ["reset", "invitation"])
def test_a_token_works_once(app, person, purpose):
    token = _issue(app, person.id, purpose)
    assert _redeem(app, token, purpose) == person.id
    with pytest.raises(TokenUsed):
        _redeem(app, token, purpose)


@pytest.mark.parametrize("purpose", ["reset", "invitation"])
def test_a_token_expires(app, person, purpose):
    token = _issue(app, person.id, purpose, lifetime=timedelta(seconds=-1))
    with pytest.raises(TokenExpired):
        _redeem(app, token, purpose)


@pytest.mark.parametrize("purpose", ["reset", "invitation"])
def test_a_token_dies_with_a_password_change(app, person, purpose):
    token = _issue(app, person.id, purpose)
    with app.app_context():
        change_password(db.session, db.session.get(User, person.id), "another long password")
        db.session.commit()
    with pytest.raises(TokenStale):
        _redeem(app, token, purpose)


def test_truncated_forged_and_wrong_purpose_tokens_are_unknown(app, person):
    token = _issue(app, person.id, "reset")
    for bad in (token[:-1], token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 43, ""):
        with pytest.raises(TokenInvalid):
            _redeem(app, bad)
    with pytest.raises(TokenInvalid):
        _redeem(app, token, "invitation")
    assert _redeem(app, token) == person.id  # none of that used it up


def test_a_new_token_replaces_the_open_one(app, person):
    first = _issue(app, person.id)
    second = _issue(app, person.id)
    with pytest.raises(TokenUsed):
        _redeem(app, first)
    assert _redeem(app, second) == person.id
