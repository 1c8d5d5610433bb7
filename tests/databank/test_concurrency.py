"""Writes that two requests may make at the same moment: two stars of one resource by one
person, two proposals of one address. Real commits on separate connections, two threads
released together by a barrier, several rounds; no error, one row. SQLite and PostgreSQL."""

from __future__ import annotations

import threading

from sqlalchemy import delete, func, select

from lms.accounts.services import create_user
from lms.authoring.importer import import_paths
from lms.core.db import db
from lms.databank import services
from lms.databank.models import Favourite, Resource
from tests.conftest import PASSWORD
from tests.databank.conftest import FIXTURES

ROUNDS = 6


def _race(app, work):
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(n):
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                work(n)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_two_stars_and_two_proposals_at_once(committing_app):
    app = committing_app
    with app.app_context():
        import_paths(db.session, [FIXTURES], certificates_dir=None)
        user = create_user(
            db.session,
            full_name="Tegelijk",
            email="tegelijk@example.be",
            password=PASSWORD,
            organisation=None,
            department=None,
            roles=[],
            language="nl",
        )
        db.session.commit()
        user_id = user.id
        resource_id = db.session.scalar(select(Resource.id).where(Resource.slug == "t-vragenlijst"))

    for round_ in range(ROUNDS):

        def star(_n):
            services.set_favourite(db.session, user_id, resource_id, True)
            db.session.commit()

        assert _race(app, star) == []
        with app.app_context():
            count = db.session.scalar(select(func.count()).select_from(Favourite))
            assert count == 1
            db.session.execute(delete(Favourite))
            db.session.commit()

        outcomes: list[str] = []

        def propose(n, round_=round_, outcomes=outcomes):
            from lms.accounts.models import User

            proposer = db.session.get(User, user_id)
            data = {
                "title": {"nl": f"Zelfde adres {n}"},
                "description": {"nl": "Twee keer tegelijk voorgesteld."},
                "organisation": "Test",
                "type": "website",
                "target_groups": ["everyone"],
                "languages": ["nl"],
                "themes": ["email"],
                "url": f"https://example.org/zelfde-{round_}",
            }
            try:
                services.propose(db.session, proposer, data)
                db.session.commit()
                outcomes.append("created")
            except services.DuplicateUrl:
                db.session.rollback()
                outcomes.append("duplicate")

        assert _race(app, propose) == []
        assert sorted(outcomes) == ["created", "duplicate"]
        with app.app_context():
            rows = db.session.scalar(
                select(func.count()).where(Resource.url == f"https://example.org/zelfde-{round_}")
            )
            assert rows == 1
