"""The app runs standalone and mounted in a host app; configuration and the secret key."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

from flask import Flask, url_for

from lms.app import create_app
from lms.extension import LMS
from tests.conftest import REPO, login, make_test_app


def test_standalone_app_serves_the_lms_at_the_root(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "<h1>Inloggen</h1>" in response.get_data(as_text=True)


def test_host_app_mount_keeps_host_routes(engine, tmp_path, make_user):
    host = Flask("host", instance_path=str(tmp_path / "host-instance"))
    host.config["SECRET_KEY"] = "host-secret-for-this-test"

    @host.get("/")
    def host_home():
        return "host home page"

    LMS().init_app(
        host,
        url_prefix="/leren",
        config={
            "LMS_INSTANCE_PATH": str(tmp_path / "lms"),
            "LMS_DEMO": "no",
            "LMS_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        },
    )
    client = host.test_client()
    assert client.get("/").get_data(as_text=True) == "host home page"
    login_page = client.get("/leren/login")
    assert login_page.status_code == 200
    html = login_page.get_data(as_text=True)
    assert 'href="/leren/static/lms.css"' in html
    assert client.get("/login").status_code == 404  # the LMS lives only under its prefix
    with host.test_request_context():
        assert url_for("lms.accounts.login") == "/leren/login"
    # The host keeps its own secret; the LMS does not overwrite it.
    assert host.config["SECRET_KEY"] == "host-secret-for-this-test"
    # Host pages do not get the LMS's security headers; LMS pages do.
    assert "Content-Security-Policy" not in client.get("/").headers
    assert "Content-Security-Policy" in login_page.headers


def test_host_mount_logs_in_and_redirects_within_prefix(engine, tmp_path):
    from lms.accounts.services import create_user
    from lms.core.db import db
    from tests.conftest import PASSWORD, csrf_token

    host = Flask("host", instance_path=str(tmp_path / "host-instance"))
    host.config["SECRET_KEY"] = "another-host-secret"
    LMS().init_app(
        host,
        url_prefix="/leren",
        config={
            "LMS_INSTANCE_PATH": str(tmp_path / "lms"),
            "LMS_DEMO": "no",
            "LMS_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        },
    )
    connection = engine.connect()
    outer = connection.begin()
    from sqlalchemy.orm import sessionmaker

    host.extensions["lms"].session_factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint"
    )
    try:
        with host.app_context():
            create_user(
                db.session, full_name="Host User", email="host@example.be", password=PASSWORD
            )
            db.session.commit()
        client = host.test_client()
        token = csrf_token(client, "/leren/login")
        response = client.post(
            "/leren/login",
            data={"login": "host@example.be", "password": PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/leren/"
        assert "Host User" in client.get("/leren/").get_data(as_text=True)
    finally:
        outer.rollback()
        connection.close()


def test_secret_key_is_generated_per_instance(tmp_path):
    first = create_app({"LMS_INSTANCE_PATH": str(tmp_path / "a"), "LMS_DEMO": "no"})
    second = create_app({"LMS_INSTANCE_PATH": str(tmp_path / "b"), "LMS_DEMO": "no"})
    key_a = (tmp_path / "a" / "secret_key").read_text().strip()
    key_b = (tmp_path / "b" / "secret_key").read_text().strip()
    assert first.secret_key == key_a and second.secret_key == key_b
    assert key_a != key_b and len(key_a) == 64
    mode = stat.S_IMODE((tmp_path / "a" / "secret_key").stat().st_mode)
    assert mode == 0o600
    # The same instance keeps its key across restarts (sessions survive).
    again = create_app({"LMS_INSTANCE_PATH": str(tmp_path / "a"), "LMS_DEMO": "no"})
    assert again.secret_key == key_a


def test_no_secret_in_the_repository():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [f for f in tracked if Path(f).name in {"secret_key", "lms.cfg"}]
    config_text = (REPO / "lms" / "config.py").read_text()
    assert "SECRET_KEY" not in config_text


def test_configuration_precedence(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "lms.cfg").write_text(
        'LMS_LOGIN_RATE_LIMIT = "3 per minute"\nLMS_MAIL_SENDER = "cfg@example.be"\n'
    )
    monkeypatch.setenv("LMS_MAIL_SENDER", "env@example.be")
    monkeypatch.setenv("LMS_PASSWORD_MIN_LENGTH", "12")
    app = create_app({"LMS_INSTANCE_PATH": str(instance), "LMS_DEMO": "no"})
    assert app.config["LMS_LOGIN_RATE_LIMIT"] == "3 per minute"  # from lms.cfg
    assert app.config["LMS_MAIL_SENDER"] == "env@example.be"  # environment beats lms.cfg
    assert app.config["LMS_PASSWORD_MIN_LENGTH"] == 12  # parsed as JSON
    assert app.config["LMS_QUIZZES_PATH"] == "quizzes"  # default


def test_instance_path_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "chosen"))
    app = create_app()
    assert app.config["LMS_INSTANCE_PATH"] == str(tmp_path / "chosen")
    assert (tmp_path / "chosen" / "secret_key").is_file()
    assert app.config["LMS_DATABASE_URL"] == ""
    assert str(app.extensions["lms"].engine.url).endswith("chosen/lms.sqlite3")


def test_every_page_answers_in_four_languages(engine, tmp_path, make_user):
    app, (connection, outer) = make_test_app(engine, tmp_path / "i")
    try:
        client = app.test_client()
        titles = {}
        for code in ("nl", "fr", "de", "en"):
            client.get(f"/language/{code}")
            html = client.get("/login").get_data(as_text=True)
            assert f'<html lang="{code}">' in html
            titles[code] = html.split("<h1>")[1].split("</h1>")[0]
        assert titles == {"nl": "Inloggen", "fr": "Connexion", "de": "Anmelden", "en": "Log in"}
    finally:
        outer.rollback()
        connection.close()


def test_login_redirects_only_to_local_pages(client, make_user):
    from tests.conftest import post_form

    user = make_user()
    response = post_form(
        client,
        "/login?next=https://evil.example/x",
        {"login": user.login_name, "password": "correct-horse-battery"},
    )
    assert response.headers["Location"] == "/"
    client.post("/logout", data={})  # no token: refused, still logged in
    assert client.get("/").status_code == 200


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_login_then_logout(client, make_user):
    from tests.conftest import csrf_token

    user = make_user()
    login(client, user)
    token = csrf_token(client, "/")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 302
