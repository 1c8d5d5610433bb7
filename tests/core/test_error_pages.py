"""The error page never needs the database: it rolls the failed session back and renders a
layout without the person's navigation, even when the database itself is what failed."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from lms.accounts.models import User
from lms.core.db import db
from tests.conftest import login

app_config = pytest.fixture(lambda: {"PROPAGATE_EXCEPTIONS": False})


def test_a_failed_flush_still_gets_the_friendly_page(app, client, make_user):
    someone = make_user(email="dubbel@example.be")

    @app.post("/boom/flush")
    def failed_flush():
        db.session.add(User(full_name="Copy", email="dubbel@example.be"))
        db.session.flush()  # unique e-mail: IntegrityError, the session needs a rollback
        return "not reached"

    learner = make_user()
    login(client, learner)
    client.get("/")  # the person and their roles are loaded in this request's session
    response = client.post("/boom/flush", data={})
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Sorry, er ging bij ons iets mis" in html
    assert someone.email == "dubbel@example.be"
    # The next request works normally: nothing is left half-done.
    assert client.get("/").status_code == 200


def test_the_error_page_renders_when_the_database_is_unreachable(app, client, make_user):
    state = app.extensions["lms"]

    @app.get("/boom/database")
    def database_gone():
        def unreachable():
            raise OperationalError("SELECT 1", {}, Exception("database is locked"))

        state.session_factory = unreachable
        raise RuntimeError("something failed before the page was drawn")

    login(client, make_user())
    factory = state.session_factory
    try:
        response = client.get("/boom/database")
    finally:
        state.session_factory = factory
    assert response.status_code == 500
    assert "<h1>" in response.get_data(as_text=True)


def test_a_not_found_page_speaks_the_persons_language(client, make_user):
    """Even when the error comes before the view loaded the person (a path the router
    refuses), the page is in their saved language, not the browser's."""
    login(client, make_user(language="fr"))
    response = client.get("/admin/people/99999999999", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert 'lang="fr"' in response.get_data(as_text=True)
