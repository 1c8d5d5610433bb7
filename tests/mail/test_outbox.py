"""The mail outbox: queued in the transaction, sent only after commit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.core.db import db
from lms.mail.models import OutgoingMail
from lms.mail.services import queue_mail, send_pending


@pytest.fixture
def mail_app(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/test/queue/<outcome>")
    def queue_then(outcome: str):
        queue_mail(
            db.session,
            recipient="els@depanne.be",
            template="test_message",
            language="fr",
            name="Els",
        )
        if outcome == "crash":
            raise RuntimeError("the request fails after queueing")
        db.session.commit()
        return "queued"

    return app


def _mail_files(app):
    folder = app.extensions["lms"].instance_path / "mail"
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def test_mail_of_a_rolled_back_request_is_never_sent(mail_app):
    client = mail_app.test_client()
    assert client.get("/test/queue/crash").status_code == 500
    with mail_app.app_context():
        assert db.session.scalars(select(OutgoingMail)).all() == []
        assert send_pending(db.session) == (0, 0)
    assert _mail_files(mail_app) == []


def test_mail_of_a_committed_request_is_sent_once_in_the_recipients_language(mail_app):
    client = mail_app.test_client()
    assert client.get("/test/queue/ok").status_code == 200
    with mail_app.app_context():
        assert send_pending(db.session) == (1, 0)
        assert send_pending(db.session) == (0, 0)  # nothing is sent twice
        mail = db.session.scalars(select(OutgoingMail)).one()
        assert mail.sent_at is not None and mail.attempts == 1
    files = _mail_files(mail_app)
    assert len(files) == 1
    text = files[0].read_text()
    assert "To: els@depanne.be" in text and "Content-Language: fr" in text
    assert "Bonjour Els" in text


def test_failed_delivery_is_kept_and_retried(mail_app, monkeypatch):
    from lms.mail import services

    mail_app.config["LMS_MAIL_BACKEND"] = "smtp"
    mail_app.config["LMS_MAIL_SMTP_PORT"] = 9  # nothing listens on the discard port here
    mail_app.config["LMS_MAIL_SMTP_TIMEOUT"] = 2
    mail_app.test_client().get("/test/queue/ok")
    with mail_app.app_context():
        assert send_pending(db.session) == (0, 1)
        mail = db.session.scalars(select(OutgoingMail)).one()
        assert mail.sent_at is None and mail.attempts == 1 and mail.last_error
    mail_app.config["LMS_MAIL_BACKEND"] = "file"
    with mail_app.app_context():
        assert send_pending(db.session) == (1, 0)
    assert services.BACKENDS["file"]


def test_cli_send_once(mail_app):
    mail_app.test_client().get("/test/queue/ok")
    result = mail_app.test_cli_runner().invoke(args=["lms", "mail", "send", "--once"])
    assert result.exit_code == 0 and "sent 1, failed 0" in result.output
