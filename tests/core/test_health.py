"""/healthz (alive, no database) and /readyz (database, schema, signing key, backlogs)."""

from __future__ import annotations

import pytest

from lms.app import create_app
from lms.certification.models import SigningKey
from lms.certification.signing import current_key
from lms.core import migrate
from lms.core.db import db
from lms.mail.services import queue_mail


def ready(client):
    response = client.get("/readyz")
    assert response.mimetype == "application/json"
    return response.status_code, response.get_json()


def test_healthz_answers_without_the_database_and_readyz_says_it_is_unreachable(tmp_path):
    app = create_app(
        {
            "LMS_INSTANCE_PATH": str(tmp_path),
            "LMS_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/nothing",
            "LMS_DEMO": "no",
        }
    )
    client = app.test_client()
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})
    status, body = ready(client)
    assert status == 503 and body["status"] == "fail"
    assert body["checks"] == {"database": {"ok": False, "detail": "unreachable: OperationalError"}}


def test_readyz_is_ok_on_a_migrated_database_without_login(client):
    status, body = ready(client)
    assert status == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {
        "database",
        "migrations",
        "signing_key",
        "mail_backlog",
        "xapi_backlog",
    }
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["migrations"]["detail"] == f"schema {migrate.code_heads()[0]}"


def test_readyz_fails_when_the_schema_is_behind_the_code(client, monkeypatch):
    monkeypatch.setattr(migrate, "code_heads", lambda: ("9999_future",))
    status, body = ready(client)
    assert status == 503
    assert "code needs 9999_future: run `lms db upgrade`" in body["checks"]["migrations"]["detail"]
    assert body["checks"]["signing_key"]["ok"] is False  # not checked on a foreign schema


def test_readyz_fails_when_this_host_lost_the_signing_key(app, client):
    status, body = ready(client)
    assert body["checks"]["signing_key"] == {
        "ok": True,
        "detail": "none yet: made when the first certificate is issued",
    }
    with app.app_context():
        db.session.add(SigningKey(kid="k1", public_key="AAAA", algorithm="Ed25519"))
        db.session.commit()
    status, body = ready(client)
    assert status == 503
    detail = body["checks"]["signing_key"]["detail"]
    assert "no signing key in" in detail and "restore the folder from the backup" in detail
    current_key(app.config["LMS_INSTANCE_PATH"])
    status, body = ready(client)
    assert status == 200 and body["checks"]["signing_key"]["detail"] == "present"


@pytest.mark.parametrize("app_config", [{"LMS_READY_MAIL_BACKLOG": 2}])
def test_readyz_fails_when_mail_piles_up(app, client, app_config):
    with app.app_context():
        for n in range(2):
            queue_mail(
                db.session,
                recipient=f"p{n}@example.be",
                template="test_message",
                language="nl",
                name="X",
            )
        db.session.commit()
    status, body = ready(client)
    assert status == 503
    assert body["checks"]["mail_backlog"]["detail"] == (
        "2 e-mails waiting (limit 2): is `lms mail send` running?"
    )


@pytest.mark.parametrize("app_config", [{"RATELIMIT_APPLICATION": "2 per minute"}])
def test_health_answers_are_never_rate_limited(client, app_config):
    assert [client.get("/healthz").status_code for _ in range(4)] == [200] * 4
    assert [client.get("/readyz").status_code for _ in range(4)] == [200] * 4
    assert [client.get("/login").status_code for _ in range(3)] == [200, 200, 429]
