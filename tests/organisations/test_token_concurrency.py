"""The same link used by two requests at the same moment: exactly one sets the password.

Real commits on separate connections (``committing_app``), two threads released together by
a barrier, 10 rounds; on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.accounts.services import create_user
from lms.accounts.tokens import AccountToken, issue_token
from lms.core.audit import AuditEvent
from lms.core.db import db
from tests.conftest import csrf_token

ROUNDS = 10
INVITATION = "invitation"


def _race(requests) -> list[int]:
    barrier = threading.Barrier(len(requests))
    codes: list[int] = []

    def send(client, token, url, data) -> None:
        barrier.wait()
        codes.append(client.post(url, data={**data, "csrf_token": token}).status_code)

    threads = [threading.Thread(target=send, args=r) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def test_one_link_two_requests_one_winner(committing_app):
    app = committing_app
    with app.app_context():
        person = create_user(db.session, full_name="Racer", email="racer@example.be")
        db.session.commit()
        person_id = person.id
    for round_number in range(ROUNDS):
        with app.app_context():
            person = db.session.get(User, person_id)
            person.password_hash = None  # invited again: no password yet
            db.session.flush()
            token = issue_token(db.session, person, INVITATION, _days(14))
            db.session.commit()
        url = f"/invitation/{token}"
        requests = []
        for n in range(2):
            client = app.test_client()
            password = f"de eerste ronde {round_number} poging {n}"
            requests.append(
                (
                    client,
                    csrf_token(client, "/password/forgot"),
                    url,
                    {"new_password": password, "confirm_password": password},
                )
            )
        codes = _race(requests)
        assert sorted(codes) == [302, 410], (round_number, codes)
    with app.app_context():
        used = db.session.scalar(
            select(func.count()).select_from(AccountToken).where(AccountToken.used_at.is_not(None))
        )
        accepted = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "user.invitation_accepted")
        )
        assert used == accepted == ROUNDS


def _days(n):
    from datetime import timedelta

    return timedelta(days=n)
