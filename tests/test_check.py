"""``lms check``: one test per misconfiguration it must flag, and a set-up it accepts."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lms.app import create_app
from lms.certification.signing import current_key, rotate_local_key
from lms.core.migrate import upgrade

GOOD = {
    "LMS_MAIL_BACKEND": "smtp",
    "LMS_MAIL_SENDER": "Leren <leren@gemeente.be>",
    "LMS_BASE_URL": "https://leren.example.be",
    "LMS_WORKERS": 1,
}


@pytest.fixture
def app_config():
    return dict(GOOD)


def check(app, *args: str):
    result = app.test_cli_runner().invoke(args=["lms", "check", *args])
    return result.exit_code, result.output


def problems(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("problem:")]


def test_a_good_set_up_has_no_problem(app):
    code, output = check(app)
    assert problems(output) == []
    assert (code, output.splitlines()[-1]) == (0, "No problems found.")


def test_help():
    from click.testing import CliRunner

    from lms.cli import main

    result = CliRunner().invoke(main, ["check", "--help"])
    assert result.exit_code == 0 and "Exit status 1 when there is a problem" in result.output


@pytest.mark.parametrize("app_config", [{**GOOD, "LMS_MAIL_BACKEND": "file"}])
def test_no_mail_set_up(app):
    code, output = check(app)
    assert code == 1
    [problem] = problems(output)
    assert problem.startswith("problem: E-mail is not set up")
    assert 'what to do: Set LMS_MAIL_BACKEND = "smtp"' in output


@pytest.mark.parametrize("app_config", [{**GOOD, "LMS_MAIL_SENDER": None}])
def test_default_mail_sender(app):
    from lms import config

    app.config["LMS_MAIL_SENDER"] = config.LMS_MAIL_SENDER
    code, output = check(app)
    assert code == 1 and "The sender of e-mails is still the default" in problems(output)[0]


@pytest.mark.parametrize(
    "base_url", ["http://127.0.0.1:5000", "http://localhost:8000/", "http://leren.example.be"]
)
def test_default_local_or_plain_http_base_url(app, base_url):
    app.config["LMS_BASE_URL"] = base_url
    code, output = check(app)
    assert code == 1
    [problem] = problems(output)
    assert "LMS_BASE_URL" in problem
    expected = "not https" if "example" in base_url else "a local address"
    assert expected in problem


def test_in_memory_rate_limits_under_several_workers(app):
    app.config["LMS_RATELIMIT_STORAGE_URI"] = "memory://"
    code, output = check(app, "--workers", "4")
    assert code == 1
    assert any("Rate limits are counted in memory while 4 worker" in p for p in problems(output))
    app.config["LMS_RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:6379/0"
    _code, output = check(app, "--workers", "4")
    assert not any("Rate limits" in p for p in problems(output))


@pytest.fixture
def sqlite_app(tmp_path):
    app = create_app(
        {
            **GOOD,
            "TESTING": True,
            "LMS_INSTANCE_PATH": str(tmp_path / "sqlite-instance"),
            "LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
            "LMS_DEMO": "no",
            "LMS_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        }
    )
    upgrade(app)
    yield app
    app.extensions["lms"].engine.dispose()


def test_sqlite_under_several_workers(sqlite_app):
    code, output = check(sqlite_app, "--workers", "3")
    assert code == 1
    [problem] = problems(output)
    assert "The database is SQLite and the app is set to run 3 web worker processes" in problem
    assert "Move to PostgreSQL" in output
    code, output = check(sqlite_app, "--workers", "1")
    assert code == 0  # one worker: only the note on the background workers
    assert "note: SQLite: only one `lms mail send` and one `lms xapi deliver`" in output


def test_no_backup_of_the_signing_key(app):
    instance = app.config["LMS_INSTANCE_PATH"]
    current_key(instance)
    code, output = check(app)
    assert code == 1
    [problem] = problems(output)
    assert "No backup of the certificate signing key is recorded" in problem
    assert "`lms certificates key-backed-up`" in output
    result = app.test_cli_runner().invoke(args=["lms", "certificates", "key-backed-up"])
    assert result.exit_code == 0 and "Recorded the backup" in result.output
    assert check(app)[0] == 0
    rotate_local_key(instance)  # a new key since the last backup
    code, output = check(app)
    assert code == 1
    assert "changed after its last recorded backup" in problems(output)[0]


def test_lms_backup_counts_as_a_backup_of_the_signing_key(app, tmp_path):
    current_key(app.config["LMS_INSTANCE_PATH"])
    assert "No backup of the certificate signing key" in check(app)[1]
    result = app.test_cli_runner().invoke(args=["lms", "backup", str(tmp_path / "b.tar.gz")])
    assert result.exit_code == 0, result.output
    output = check(app)[1]
    assert "signing key" not in output, output


def test_recording_a_backup_without_a_key_is_refused(app):
    result = app.test_cli_runner().invoke(args=["lms", "certificates", "key-backed-up"])
    assert result.exit_code == 1 and "there is no signing key yet" in result.output


def test_debug_on_by_the_environment(app, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    code, output = check(app)
    assert code == 1 and problems(output)[0].startswith("problem: Debug mode is on (FLASK_DEBUG)")


def test_debug_on_in_the_instance_configuration(app):
    cfg = app.extensions["lms"].instance_path / "lms.cfg"
    cfg.write_text("DEBUG = True\n")
    code, output = check(app)
    assert code == 1
    assert problems(output)[0].startswith(f"problem: Debug mode is on (DEBUG in {cfg})")


def test_a_secret_key_that_is_too_short(app):
    app.config["SECRET_KEY"] = "geheim123"
    code, output = check(app)
    assert code == 1
    assert "The secret key is only 9 characters long" in problems(output)[0]


@pytest.fixture
def answering_lrs():
    class About(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            ok = self.path == "/xAPI/about"
            body = b'{"version": ["1.0.3"]}' if ok else b"{}"
            self.send_response(200 if ok else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), About)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_lrs_that_does_not_answer(app, answering_lrs):
    app.config["LMS_LRS_ENDPOINTS"] = [
        {"name": "good", "url": answering_lrs + "/xAPI/"},
        {"name": "gone", "url": "http://127.0.0.1:9/xAPI/"},
        {"name": "wrong", "url": answering_lrs + "/elsewhere/"},
    ]
    code, output = check(app)
    assert code == 1
    found = problems(output)
    assert len(found) == 2
    assert "The LRS 'gone' does not answer at http://127.0.0.1:9/xAPI/about: no answer" in found[0]
    assert "The LRS 'wrong' does not answer" in found[1] and "HTTP 404" in found[1]


def test_a_schema_behind_the_code(app, monkeypatch):
    from lms.core import migrate

    monkeypatch.setattr(migrate, "code_heads", lambda: ("9999_future",))
    code, output = check(app)
    assert code == 1
    [problem] = problems(output)
    assert "The readiness check 'migrations' fails" in problem
    assert "what to do: Run `lms db upgrade`." in output


def _register_platform(app, organisation, base: str, name: str = "Moodle Westhoek"):
    from lms.core.db import db
    from lms.lti.services import save_registration

    with app.app_context():
        registration = save_registration(
            db.session, None, name=name, issuer=base, client_id=f"tool-{name}",
            auth_login_url=f"{base}/auth.php", auth_token_url=f"{base}/token.php",
            key_set_url=f"{base}/certs.php", deployment_ids=["1"],
            organisation=db.session.merge(organisation),
        )  # fmt: skip
        db.session.commit()
        return registration.id


def test_lti_is_only_looked_at_when_a_platform_is_registered(app, make_organisation):
    assert "LTI" not in check(app)[1]
    _register_platform(app, make_organisation(), "https://moodle.westhoek.be")
    code, output = check(app)
    assert code == 0, output
    assert "note: LTI: 1 platform(s) registered. Every host must have the same tool key" in output
    assert "lti-keys/tool.pem" in output


def test_lti_over_plain_http(app, make_organisation):
    registration_id = _register_platform(
        app, make_organisation(), "http://moodle.westhoek.be", name="Oude Moodle"
    )
    _register_platform(app, make_organisation("Koksijde"), "http://127.0.0.1:8123", name="Test")
    app.config["LMS_BASE_URL"] = "http://leren.example.be"
    code, output = check(app)
    assert code == 1
    found = problems(output)
    assert any(
        "2 LTI platform(s) may launch this site, but LMS_BASE_URL (http://leren.example.be) "
        "is not https" in p
        for p in found
    ), found
    [platform] = [p for p in found if "registered with plain http" in p]
    # The http platform on this machine is a test set-up, not a risk on the network.
    assert "'Oude Moodle'" in platform and "Test" not in platform
    assert "key set URL http://moodle.westhoek.be/certs.php" in platform
    assert f"change them at /lti/admin/{registration_id}." in output
