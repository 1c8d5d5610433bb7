"""The demo shows the databank with data: Els's favourites and shared list, and a pending,
a rejected and an approved proposal."""

from __future__ import annotations

from sqlalchemy import select

from lms.authoring.importer import import_paths
from lms.core.db import db
from lms.databank import queries
from lms.databank.models import Resource, ResourceList
from lms.demo import seed_demo
from tests.conftest import REPO


def test_the_demo_seeds_the_databank(app):
    with app.app_context():
        import_paths(db.session, [REPO / "courses" / "resources"], certificates_dir=None)
        people = {u.email: u for u in seed_demo(db.session)}
        db.session.commit()
        els = people["els.peeters@depanne.demo"]
        curated = db.session.scalars(select(Resource).where(Resource.source == "curated")).all()
        assert curated
        assert len(queries.favourites(db.session, els.id, "nl")) == min(3, len(curated))
        shared = db.session.scalar(select(ResourceList).where(ResourceList.owner_id == els.id))
        assert shared.shared and queries.list_items(db.session, shared.id, "nl")
        statuses = {
            r.status: r
            for r in db.session.scalars(select(Resource).where(Resource.source == "proposal"))
        }
        assert set(statuses) == {"pending", "rejected", "published"}
        assert statuses["published"].organisation_name == "De Panne"
        assert statuses["rejected"].rejection_reason
        assert queries.review_queue(db.session) == [statuses["pending"]]
