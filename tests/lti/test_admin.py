"""Registering platforms: the administrator's pages, `lms lti register`, and the tool's
published key."""

from __future__ import annotations

import stat

from sqlalchemy import select

from lms.app import create_app
from lms.core.audit import AuditEvent
from lms.core.db import db
from lms.lti.keys import key_path
from lms.lti.models import LtiRegistration
from tests.conftest import csrf_token, login

FORM = {
    "name": "Canvas Brugge",
    "issuer": "https://canvas.brugge.example",
    "client_id": "10000000000042",
    "auth_login_url": "https://canvas.brugge.example/api/lti/authorize_redirect",
    "auth_token_url": "https://canvas.brugge.example/login/oauth2/token",
    "key_set_url": "https://canvas.brugge.example/api/lti/security/jwks",
    "deployment_ids": "12:abc, 13:def",
    "active": "y",
}


def test_an_administrator_registers_a_platform(app, client, make_user, organisation):
    admin = make_user(roles=("admin",))
    login(client, admin)
    page = client.get("/lti/admin/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f"{app.config['LMS_BASE_URL']}/lti/login" in text
    assert f"{app.config['LMS_BASE_URL']}/lti/jwks.json" in text

    bad = client.post(
        "/lti/admin/new",
        data={**FORM, "key_set_url": "jwks", "organisation": str(organisation.id),
              "csrf_token": csrf_token(client, "/lti/admin/new")},
    )  # fmt: skip
    assert bad.status_code == 422
    good = client.post(
        "/lti/admin/new",
        data={**FORM, "organisation": str(organisation.id),
              "csrf_token": csrf_token(client, "/lti/admin/new")},
    )  # fmt: skip
    assert good.status_code == 302
    with app.app_context():
        registration = db.session.scalar(select(LtiRegistration))
        assert registration.deployment_ids == ["12:abc", "13:def"]
        assert registration.organisation_id == organisation.id
        action = db.session.scalar(
            select(AuditEvent.action).where(AuditEvent.target_type == "lti_registration")
        )
        assert action == "lti.registration_added"
        registration_id = registration.id
    edit = client.get(f"/lti/admin/{registration_id}")
    assert edit.status_code == 200 and "13:def" in edit.get_data(as_text=True)
    assert client.get("/lti/admin/99999999999").status_code == 404


def test_a_learner_cannot_see_the_registrations(client, make_user):
    login(client, make_user())
    assert client.get("/lti/admin/").status_code == 403


def test_the_command_registers_a_platform(app, organisation):
    args = ["lms", "lti", "register", "--name", "Moodle", "--issuer", FORM["issuer"],
            "--client-id", "abc", "--auth-login-url", FORM["auth_login_url"],
            "--auth-token-url", FORM["auth_token_url"], "--key-set-url", FORM["key_set_url"],
            "--deployment-id", "1", "--deployment-id", "2",
            "--organisation", "Westhoek"]  # fmt: skip
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "/lti/login" in result.output and "/lti/jwks.json" in result.output
    again = app.test_cli_runner().invoke(args=[*args[:-1], "Nowhere"])
    assert again.exit_code != 0 and "Nowhere" in again.output
    with app.app_context():
        assert db.session.scalar(select(LtiRegistration)).deployment_ids == ["1", "2"]


def test_the_tool_publishes_one_lasting_key(app, client, tmp_path):
    keys = client.get("/lti/jwks.json").get_json()["keys"]
    assert len(keys) == 1 and keys[0]["alg"] == "RS256" and "d" not in keys[0]
    path = key_path(app)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # Another process with the same instance folder publishes the same key.
    config = {key: app.config[key] for key in ("LMS_INSTANCE_PATH", "LMS_DATABASE_URL")}
    other = create_app({**config, "LMS_DEMO": "no", "TESTING": True})
    assert other.test_client().get("/lti/jwks.json").get_json()["keys"] == keys
    other.extensions["lms"].engine.dispose()
