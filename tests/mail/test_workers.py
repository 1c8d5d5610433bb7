"""Several mail workers: claimed messages, expired claims, and one worker on SQLite."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lms.app import create_app
from lms.core.db import db, make_engine, utcnow
from lms.core.migrate import upgrade
from lms.core.workers import WorkerAlreadyRunning, single_worker
from lms.mail.models import OutgoingMail
from lms.mail.services import queue_mail, send_pending


def queue(session, count: int) -> list[int]:
    mails = [
        queue_mail(
            session, recipient=f"p{n}@example.be", template="test_message", language="nl", name="X"
        )
        for n in range(count)
    ]
    session.commit()
    return [mail.id for mail in mails]


def test_a_live_claim_is_left_alone_and_an_expired_one_is_taken_over(app, db_session):
    live, expired, free = queue(db_session, 3)
    db_session.execute(
        update(OutgoingMail)
        .where(OutgoingMail.id == live)
        .values(claimed_by="other:1:a", claimed_until=utcnow() + timedelta(minutes=5))
    )
    db_session.execute(
        update(OutgoingMail)
        .where(OutgoingMail.id == expired)
        .values(claimed_by="dead:2:b", claimed_until=utcnow() - timedelta(seconds=1))
    )
    db_session.commit()
    assert send_pending(db_session, worker="me:3:c") == (2, 0)
    db_session.expire_all()
    sent = {m.id: m for m in db_session.scalars(select(OutgoingMail))}
    assert sent[live].sent_at is None and sent[live].claimed_by == "other:1:a"
    for mail_id in (expired, free):
        assert sent[mail_id].sent_at is not None and sent[mail_id].claimed_by is None
    files = sorted((app.extensions["lms"].instance_path / "mail").glob("*.eml"))
    assert len(files) == 2
    assert f"Message-ID: <lms-{expired}." in files[0].read_text()


def test_a_claim_lost_before_sending_is_not_sent(app, db_session, monkeypatch):
    [mail_id] = queue(db_session, 1)
    from lms.mail import services

    real = services.claim_batch

    def claim_then_lose(session, **kwargs):
        ids = real(session, **kwargs)
        session.execute(update(OutgoingMail).values(claimed_by="thief:9:z"))
        session.commit()
        return ids

    monkeypatch.setattr(services, "claim_batch", claim_then_lose)
    assert send_pending(db_session, worker="slow:1:a") == (0, 0)
    db_session.expire_all()
    assert db_session.get(OutgoingMail, mail_id).sent_at is None


def test_sqlite_allows_one_worker_of_each_kind(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'one.sqlite3'}")
    try:
        with single_worker(engine, "mail"):
            with (
                pytest.raises(WorkerAlreadyRunning, match="another mail worker is already"),
                single_worker(engine, "mail"),
            ):
                pass
            with single_worker(engine, "xapi"):  # another kind is independent
                pass
        with single_worker(engine, "mail"):  # free again once the first one stopped
            pass
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_app(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "LMS_INSTANCE_PATH": str(tmp_path / "instance"),
            "LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'workers.sqlite3'}",
            "LMS_DEMO": "no",
            "LMS_LRS_ENDPOINTS": [{"name": "lrs", "url": "http://127.0.0.1:9/xAPI/"}],
        }
    )
    upgrade(app)
    yield app
    app.extensions["lms"].engine.dispose()


@pytest.mark.parametrize(("kind", "command"), [("mail", "mail send"), ("xapi", "xapi deliver")])
def test_a_second_worker_on_sqlite_stops_with_a_message(sqlite_app, kind, command):
    runner = sqlite_app.test_cli_runner()
    with single_worker(sqlite_app.extensions["lms"].engine, kind):
        result = runner.invoke(args=["lms", *command.split(), "--once"])
    assert result.exit_code == 1
    assert f"another {kind} worker is already running on this SQLite database" in result.output
    assert "move to PostgreSQL to run several" in result.output
    with sqlite_app.app_context():
        assert db.session.scalars(select(OutgoingMail)).all() == []
