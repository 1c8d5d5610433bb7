"""The Flask extension: ``LMS().init_app(app, url_prefix=...)`` mounts the LMS into any app."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from lms import config as default_config
from lms.core import auth, errors, health, i18n, navigation, requestlog, security
from lms.core.db import db, make_engine, note_write_intent
from lms.core.params import IdConverter

#: The feature blueprints, in registration order: (import path, URL prefix inside the LMS).
FEATURE_BLUEPRINTS: list[tuple[str, str]] = [
    ("lms.core.views", ""),
    ("lms.accounts.views", ""),
    ("lms.learning.views", ""),
    ("lms.organisations.views", "/organisation"),
    ("lms.organisations.password_views", ""),
    ("lms.sso.views", ""),
    ("lms.admin.views", "/admin"),
    ("lms.xapi.views", "/admin/xapi"),
    ("lms.certification.views", "/certificates"),
    ("lms.forums.views", ""),
    ("lms.live.views", ""),
    ("lms.assessment.views", ""),
    ("lms.reporting.views", "/progress"),
    ("lms.reporting.national_views", "/progress/national"),
    ("lms.reporting.snapshot_views", "/progress/snapshots"),
    ("lms.assignments.views", "/progress/rules"),
    ("lms.reminders.views", ""),
    ("lms.plans.views", ""),
    ("lms.labels.views", "/labels"),
    ("lms.badges.views", "/badges"),
    ("lms.databank.views", "/databank"),
    ("lms.privacy.views", ""),
    ("lms.auditlog.views", "/admin/audit"),
    ("lms.versions.views", "/admin/courses"),
    ("lms.lti.views", "/lti"),
]

SECRET_KEY_FILE = "secret_key"


@dataclass
class LMSState:
    """What the LMS keeps per application, in ``app.extensions["lms"]``."""

    instance_path: Path
    engine: Engine
    session_factory: sessionmaker[Session]
    limiter: Limiter
    database_configured: bool
    extras: dict[str, Any] = field(default_factory=dict)


def _parse_env_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def load_config(app: Flask, instance_path: Path, overrides: dict[str, Any] | None = None) -> None:
    """Fill ``LMS_*`` keys: defaults < instance/lms.cfg < environment < ``overrides``."""
    for key in dir(default_config):
        if key.startswith("LMS_"):
            app.config.setdefault(key, getattr(default_config, key))
    cfg_file = instance_path / "lms.cfg"
    if cfg_file.is_file():
        app.config.from_pyfile(str(cfg_file))
    for key, raw in os.environ.items():
        if key.startswith("LMS_") and key != "LMS_INSTANCE_PATH":
            app.config[key] = _parse_env_value(raw)
    app.config.update(overrides or {})


def resolve_instance_path(app: Flask, overrides: dict[str, Any] | None = None) -> Path:
    explicit = (
        (overrides or {}).get("LMS_INSTANCE_PATH")
        or app.config.get("LMS_INSTANCE_PATH")
        or os.environ.get("LMS_INSTANCE_PATH")
    )
    path = Path(explicit) if explicit else Path(app.instance_path)
    path = path.resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def ensure_secret_key(instance_path: Path) -> str:
    """Return the instance's secret key, generating it on first use. There is no default."""
    key_file = instance_path / SECRET_KEY_FILE
    if key_file.is_file():
        key = key_file.read_text(encoding="ascii").strip()
        if key:
            return key
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key


def database_url(app: Flask, instance_path: Path) -> str:
    url = app.config.get("LMS_DATABASE_URL") or ""
    return url or f"sqlite:///{instance_path / 'lms.sqlite3'}"


class LMS:
    """The LMS as a Flask extension.

    >>> app = Flask("host")
    >>> LMS().init_app(app, url_prefix="/leren")   # doctest: +SKIP
    """

    def __init__(self, app: Flask | None = None, **kwargs: Any) -> None:
        if app is not None:
            self.init_app(app, **kwargs)

    def init_app(
        self,
        app: Flask,
        url_prefix: str = "",
        *,
        standalone: bool = False,
        config: dict[str, Any] | None = None,
    ) -> None:
        """Mount the LMS under ``url_prefix``. ``config`` overrides every other source."""
        instance_path = resolve_instance_path(app, config)
        load_config(app, instance_path, config)
        app.config["LMS_INSTANCE_PATH"] = str(instance_path)
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = ensure_secret_key(instance_path)
        if standalone:
            app.config["LMS_SECURITY_HEADERS_EVERYWHERE"] = True
            app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Brussels")

        engine = make_engine(database_url(app, instance_path))
        limiter = Limiter(
            key_func=get_remote_address,
            storage_uri=app.config["LMS_RATELIMIT_STORAGE_URI"],
            default_limits=[],
            headers_enabled=False,
        )
        limiter.init_app(app)
        state = LMSState(
            instance_path=instance_path,
            engine=engine,
            session_factory=sessionmaker(bind=engine, expire_on_commit=False),
            limiter=limiter,
            database_configured=bool(app.config.get("LMS_DATABASE_URL")),
        )
        app.extensions["lms"] = state
        app.before_request(note_write_intent)
        app.teardown_appcontext(db.remove)
        # Also at the end of each request, so a request never reuses another's session.
        app.teardown_request(db.remove)

        existing = app.url_map.converters.get("id")
        if existing is not None and existing is not IdConverter:
            raise RuntimeError("the host app has its own 'id' URL converter; the LMS needs it")
        app.url_map.converters["id"] = IdConverter
        parent = Blueprint("lms", __name__)
        for import_path, prefix in FEATURE_BLUEPRINTS:
            module = __import__(import_path, fromlist=["bp"])
            parent.register_blueprint(module.bp, url_prefix=prefix or None)
        security.init_blueprint(parent)
        i18n.init_blueprint(parent)
        navigation.init_blueprint(parent)
        if standalone:
            requestlog.init_app(app)
        else:
            requestlog.init_blueprint(parent, app)
            errors.register_handlers(parent)
        app.register_blueprint(parent, url_prefix=url_prefix or None)

        i18n.init_app(app, standalone=standalone)
        navigation.init_app(app, standalone=standalone)
        from lms.accounts import login

        auth.init_app(app, login.load_user)
        security.init_app(app)
        security.configure_cookies(app)
        if standalone:
            errors.register_handlers(app)
        login.limit_login(app, limiter)
        from lms.organisations.password_views import limit_reset

        limit_reset(app, limiter)
        _register_health(app, limiter)

        from lms.commands import lms_group

        if "lms" not in app.cli.commands:
            app.cli.add_command(lms_group)  # `flask lms ...` (and app.test_cli_runner())


def _register_health(app: Flask, limiter: Limiter) -> None:
    """Readiness checks of the features; the health answers are never rate limited."""
    from lms.certification.health import key_check
    from lms.mail.queries import backlog_check as mail_backlog
    from lms.xapi.queries import backlog_check as xapi_backlog

    health.add_check(app, "signing_key", key_check)
    health.add_check(app, "mail_backlog", mail_backlog)
    health.add_check(app, "xapi_backlog", xapi_backlog)
    for endpoint in ("lms.core.health", "lms.core.ready"):
        limiter.exempt(app.view_functions[endpoint])


def get_state(app: Flask) -> LMSState:
    return app.extensions["lms"]
