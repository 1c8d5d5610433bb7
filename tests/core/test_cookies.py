"""The session cookie: SameSite=Lax, HttpOnly, and Secure outside local development; a host
app's own cookie settings are left alone."""

from __future__ import annotations

import pytest
from flask import Flask

from lms import LMS
from lms.core.security import configure_cookies
from tests.conftest import login


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


def _session_cookie(response, app) -> str:
    name = app.config["SESSION_COOKIE_NAME"]
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    return cookies[0]


def _attributes(cookie: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}


def test_session_cookie_is_samesite_lax_and_httponly(app, client, make_user):
    cookie = _session_cookie(login(client, make_user()), app)
    assert "SameSite=Lax" in cookie
    assert "httponly" in _attributes(cookie)
    assert "secure" not in _attributes(cookie)  # tests run on http://127.0.0.1 ("auto")


@pytest.mark.parametrize("app_config", [{"LMS_SECURE_COOKIES": True}], indirect=True)
def test_secure_when_configured(app, client, make_user):
    cookie = _session_cookie(login(client, make_user()), app)
    assert "secure" in _attributes(cookie) and "SameSite=Lax" in cookie


@pytest.mark.parametrize(
    "app_config",
    [{"TESTING": False, "LMS_BASE_URL": "https://leren.example.be"}],
    indirect=True,
)
def test_secure_by_default_on_a_public_address(app, client):
    cookie = _session_cookie(client.get("/login", base_url="https://leren.example.be"), app)
    assert "secure" in _attributes(cookie)


@pytest.mark.parametrize(
    "config,secure",
    [
        ({}, True),  # no base URL: not known to be local
        ({"LMS_BASE_URL": "http://127.0.0.1:5000"}, False),
        ({"LMS_BASE_URL": "http://localhost:8000/leren"}, False),
        ({"LMS_BASE_URL": "https://leren.example.be"}, True),
        ({"LMS_BASE_URL": "http://intranet.gemeente.be"}, True),
        ({"LMS_BASE_URL": "https://leren.example.be", "TESTING": True}, False),
        ({"LMS_BASE_URL": "https://leren.example.be", "DEBUG": True}, False),
        ({"LMS_BASE_URL": "http://127.0.0.1:5000", "LMS_SECURE_COOKIES": True}, True),
        ({"LMS_BASE_URL": "https://leren.example.be", "LMS_SECURE_COOKIES": False}, False),
    ],
)
def test_secure_auto_rule(config, secure):
    app = Flask("host")
    app.config.update({"LMS_SECURE_COOKIES": "auto", "LMS_BASE_URL": "", **config})
    configure_cookies(app)
    assert app.config["SESSION_COOKIE_SECURE"] is secure
    assert app.config["REMEMBER_COOKIE_SECURE"] is secure
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def _mounted_host(engine, tmp_path, **host_config) -> Flask:
    host = Flask("host", instance_path=str(tmp_path / "host-instance"))
    host.config.update(SECRET_KEY="host-secret-for-this-test", **host_config)
    LMS().init_app(
        host,
        url_prefix="/leren",
        config={
            "LMS_INSTANCE_PATH": str(tmp_path / "lms"),
            "LMS_DEMO": "no",
            "LMS_DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "LMS_BASE_URL": "https://www.gemeente.be/leren",
        },
    )
    host.extensions["lms"].engine.dispose()
    return host


def test_a_host_keeps_its_own_cookie_settings(engine, tmp_path):
    host = _mounted_host(
        engine,
        tmp_path,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=True,
        REMEMBER_COOKIE_SAMESITE="Strict",
    )
    assert host.config["SESSION_COOKIE_SAMESITE"] == "Strict"
    assert host.config["SESSION_COOKIE_SECURE"] is True
    assert host.config["REMEMBER_COOKIE_SAMESITE"] == "Strict"
    assert host.config["REMEMBER_COOKIE_HTTPONLY"] is True  # not set by the host: filled in


def test_a_host_without_cookie_settings_gets_the_lms_ones(engine, tmp_path):
    host = _mounted_host(engine, tmp_path)
    assert host.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert host.config["SESSION_COOKIE_SECURE"] is True  # public https address, not testing


def test_a_wrong_secure_cookies_value_is_explained():
    app = Flask("host")
    app.config.update(LMS_SECURE_COOKIES="sometimes", LMS_BASE_URL="https://leren.example.be")
    with pytest.raises(ValueError, match='LMS_SECURE_COOKIES must be true, false or "auto"'):
        configure_cookies(app)
