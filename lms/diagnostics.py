"""``lms check``: configuration problems found before the users find them, in plain words,
each with what to do. Exit status 1 when there is a problem (notes do not count).

What it looks at: the database and schema (the readiness checks of ``/readyz``), e-mail,
the public address, SQLite or in-memory rate limits under several web workers
(``LMS_WORKERS``, the number ``lms serve`` starts), the certificate signing key's backup,
debug mode, the secret key's length, whether every LRS answers, and what LTI 1.3 launches
need (https on both sides, one tool key on every host).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
from flask import Config, Flask
from flask.helpers import get_debug_flag
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from lms import config as defaults
from lms.certification.health import key_backup_problem
from lms.core.health import readiness
from lms.core.security import LOCAL_HOSTS
from lms.core.workers import sqlite_file
from lms.xapi.transport import XAPI_VERSION, endpoints_from_config

MIN_SECRET_KEY_LENGTH = 32


@dataclass(frozen=True)
class Finding:
    #: "problem" (exit status 1) or "note".
    level: str
    what: str
    todo: str = ""


def _problem(what: str, todo: str) -> Finding:
    return Finding("problem", what, todo)


def check_database(app: Flask) -> list[Finding]:
    found = []
    for name, result in readiness(app).items():
        if not result.ok and not result.detail.startswith("not checked"):
            what, _, todo = result.detail.partition(": run ")
            found.append(
                _problem(
                    f"The readiness check '{name}' fails: {what}.",
                    f"Run {todo}." if todo else "",
                )
            )
    return found


def check_mail(app: Flask) -> list[Finding]:
    c = app.config
    if c["LMS_MAIL_BACKEND"] == "file":
        folder = f"{c['LMS_INSTANCE_PATH']}/mail"
        return [
            _problem(
                f"E-mail is not set up: messages are only written as files into {folder}, so "
                "nobody receives invitations, password links or reminders.",
                'Set LMS_MAIL_BACKEND = "smtp" and LMS_MAIL_SMTP_HOST (with _PORT, '
                "_USERNAME, _PASSWORD, _STARTTLS) and LMS_MAIL_SENDER, then run "
                "`lms mail send` as a service.",
            )
        ]
    if c["LMS_MAIL_BACKEND"] == "smtp" and c["LMS_MAIL_SENDER"] == defaults.LMS_MAIL_SENDER:
        return [
            _problem(
                f"The sender of e-mails is still the default ({c['LMS_MAIL_SENDER']}).",
                "Set LMS_MAIL_SENDER to an address of your organisation that your mail "
                "server may send from.",
            )
        ]
    return []


def check_base_url(app: Flask) -> list[Finding]:
    url = str(app.config["LMS_BASE_URL"]).rstrip("/")
    if url == defaults.LMS_BASE_URL.rstrip("/") or urlsplit(url).hostname in LOCAL_HOSTS:
        return [
            _problem(
                f"LMS_BASE_URL is {url}, a local address: links in e-mails and the QR codes "
                "on certificates would point there.",
                "Set LMS_BASE_URL to the public address, e.g. https://leren.example.be, "
                "before the first invitation or certificate goes out.",
            )
        ]
    if url.startswith("http://"):
        return [
            _problem(
                f"LMS_BASE_URL ({url}) is not https: passwords would cross the network readable.",
                "Serve the LMS behind a TLS reverse proxy and set LMS_BASE_URL to https://...",
            )
        ]
    return []


def check_workers(app: Flask, workers: int) -> list[Finding]:
    found = []
    engine = app.extensions["lms"].engine
    if sqlite_file(engine) is not None:
        if workers > 1:
            found.append(
                _problem(
                    f"The database is SQLite and the app is set to run {workers} web worker "
                    "processes (LMS_WORKERS): SQLite has one writer at a time and lives on "
                    "one machine, so busy moments turn into waits.",
                    'Move to PostgreSQL (LMS_DATABASE_URL = "postgresql+psycopg://...", '
                    "then `lms db upgrade`), or set LMS_WORKERS = 1.",
                )
            )
        found.append(
            Finding(
                "note",
                "SQLite: only one `lms mail send` and one `lms xapi deliver` may run at a time "
                "(a second one stops with a message). On PostgreSQL several may run, on "
                "several hosts.",
            )
        )
    storage = str(app.config["LMS_RATELIMIT_STORAGE_URI"])
    if workers > 1 and storage.startswith("memory"):
        found.append(
            _problem(
                f"Rate limits are counted in memory while {workers} worker processes run: "
                f"each counts on its own, so the login limits are {workers} times too loose.",
                'Run Redis and set LMS_RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0".',
            )
        )
    return found


def check_signing_key(app: Flask) -> list[Finding]:
    problem = key_backup_problem(app.config["LMS_INSTANCE_PATH"])
    if problem is None:
        return []
    folder = f"{app.config['LMS_INSTANCE_PATH']}/certificate-keys"
    return [
        _problem(
            f"{problem[0].upper()}{problem[1:]}: if this folder is lost, new certificates "
            "get a new key (old ones still verify, but you cannot prove this host signed "
            "them).",
            f"Copy {folder} to your backups (or run `lms backup`), then record it with "
            "`lms certificates key-backed-up`.",
        )
    ]


def _debug_sources(app: Flask) -> list[str]:
    """Where debug mode is switched on. The command line resets ``app.debug`` from
    FLASK_DEBUG, so lms.cfg (which gunicorn's workers do read) is looked at too."""
    sources = []
    if get_debug_flag():
        sources.append("FLASK_DEBUG")
    if app.debug and not sources:
        sources.append("the app's configuration")
    cfg_file = Path(app.config["LMS_INSTANCE_PATH"]) / "lms.cfg"
    if cfg_file.is_file():
        scratch = Config(str(cfg_file.parent))
        scratch.from_pyfile(str(cfg_file))
        if scratch.get("DEBUG"):
            sources.append(f"DEBUG in {cfg_file}")
    return sources


def check_debug(app: Flask) -> list[Finding]:
    sources = _debug_sources(app)
    if sources:
        return [
            _problem(
                f"Debug mode is on ({', '.join(sources)}): an error page shows the code and "
                "lets anyone run commands on the server.",
                "Remove FLASK_DEBUG and DEBUG = True in production.",
            )
        ]
    return []


def check_secret_key(app: Flask) -> list[Finding]:
    key = app.config.get("SECRET_KEY") or ""
    if len(str(key)) < MIN_SECRET_KEY_LENGTH:
        return [
            _problem(
                f"The secret key is only {len(str(key))} characters long: sessions could be "
                "forged.",
                f"Use at least {MIN_SECRET_KEY_LENGTH} random characters: remove SECRET_KEY "
                "from your configuration and the LMS keeps a generated one in "
                f"{app.config['LMS_INSTANCE_PATH']}/secret_key (everyone logs in again).",
            )
        ]
    return []


def check_lrs(app: Flask) -> list[Finding]:
    found = []
    timeout = (float(app.config["LMS_XAPI_CONNECT_TIMEOUT"]), 10.0)
    for endpoint in endpoints_from_config(app.config):
        url = endpoint.url.rstrip("/") + "/about"
        try:
            answer = requests.get(
                url,
                auth=(endpoint.username, endpoint.password) if endpoint.username else None,
                headers={"X-Experience-API-Version": XAPI_VERSION},
                timeout=timeout,
            )
        except requests.RequestException as exc:
            reason = f"no answer ({type(exc).__name__})"
        else:
            if 200 <= answer.status_code < 300:
                continue
            reason = f"HTTP {answer.status_code}"
        found.append(
            _problem(
                f"The LRS '{endpoint.name}' does not answer at {url}: {reason}. Statements "
                "wait in the database until it does.",
                "Check that the LRS runs and that its address, user name and password in "
                "LMS_LRS_ENDPOINTS are right.",
            )
        )
    return found


def _plain_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS


def check_lti(app: Flask) -> list[Finding]:
    """Only when platforms are registered: this site must be https (the launch's state cookie
    comes back with the platform's cross-site POST only when it is ``SameSite=None; Secure``),
    the platform's addresses too (a key set fetched over plain http can be swapped on the
    way), and every host must sign with the same tool key."""
    from lms.lti.keys import key_path
    from lms.lti.models import LtiRegistration

    session = app.extensions["lms"].session_factory()
    try:
        registrations = session.execute(
            select(
                LtiRegistration.id,
                LtiRegistration.name,
                LtiRegistration.key_set_url,
                LtiRegistration.auth_login_url,
                LtiRegistration.auth_token_url,
            )
            .where(LtiRegistration.active.is_(True))
            .order_by(LtiRegistration.id)
        ).all()
    except SQLAlchemyError:
        return []  # no schema yet: check_database says so
    finally:
        session.rollback()
        session.close()
    if not registrations:
        return []
    found = []
    base = str(app.config["LMS_BASE_URL"])
    if not base.startswith("https://"):
        found.append(
            _problem(
                f"{len(registrations)} LTI platform(s) may launch this site, but LMS_BASE_URL "
                f"({base}) is not https: browsers drop the login's state cookie on the "
                "platform's cross-site POST, so every launch is refused.",
                "Serve the LMS over https and set LMS_BASE_URL to its https:// address.",
            )
        )
    for registration in registrations:
        fields = (
            ("key set URL", registration.key_set_url),
            ("login URL", registration.auth_login_url),
            ("token URL", registration.auth_token_url),
        )
        plain = [f"{name} {url}" for name, url in fields if _plain_http(url)]
        if plain:
            found.append(
                _problem(
                    f"The LTI platform '{registration.name}' is registered with plain http "
                    f"addresses ({'; '.join(plain)}): whoever sits on the way could swap its "
                    "keys and launch as anyone, or read the grade service's tokens.",
                    f"Ask the platform for its https addresses and change them at "
                    f"/lti/admin/{registration.id}.",
                )
            )
    found.append(
        Finding(
            "note",
            f"LTI: {len(registrations)} platform(s) registered. Every host must have the same "
            f"tool key, {key_path(app)}: copy it with the secret key when you add a host "
            "(platforms accept grade messages signed with the key they know).",
        )
    )
    return found


def run_checks(app: Flask, *, workers: int) -> list[Finding]:
    found: list[Finding] = []
    for check in (
        check_database,
        check_mail,
        check_base_url,
        check_signing_key,
        check_debug,
        check_secret_key,
        check_lrs,
        check_lti,
    ):
        found += check(app)
    found += check_workers(app, workers)
    return found
