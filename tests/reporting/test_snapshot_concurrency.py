"""Two runs of ``lms reports snapshot`` at the same moment make one snapshot per organisation
and month (real commits on two connections released together by a ``threading.Barrier``;
SQLite and PostgreSQL). Each round files the snapshots under a new month."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from lms.accounts.services import create_user
from lms.authoring.importer import import_paths
from lms.catalog.models import Course
from lms.catalog.queries import get_course_def
from lms.core.db import db
from lms.learning import services as learning
from lms.learning.statuses import StatusSettings
from lms.organisations.services import create_organisation
from lms.reporting.models import ReportSnapshot
from lms.reporting.snapshots import run_snapshot_job
from tests.certification.test_concurrency import _race
from tests.reporting.conftest import report_course_yaml

ROUNDS = 6
ORGANISATIONS = 3


@pytest.fixture
def race_app(committing_app, tmp_path: Path):
    folder = tmp_path / "race"
    folder.mkdir()
    (folder / "rapport.yaml").write_text(report_course_yaml())
    with committing_app.app_context():
        session = db.session
        import_paths(session, [folder / "rapport.yaml"], certificates_dir=None)
        session.commit()
        course = get_course_def(session, "rapport")
        for n in range(ORGANISATIONS):
            org = create_organisation(session, f"Gemeente {n}", departments=["Onthaal"])
            for person in range(2):
                user = create_user(
                    session,
                    full_name=f"Learner {n}.{person}",
                    email=f"learner{n}-{person}@example.be",
                    organisation=org,
                    department=org.departments[0],
                )
                enrolment, _ = learning.enrol(session, user, course)
                for section in course.sections[: 4 * person]:
                    learning.open_section(session, enrolment, user, course, section.id)
        session.commit()
    yield committing_app
    with committing_app.extensions["lms"].engine.begin() as connection:
        connection.execute(update(Course).values(current_version_id=None))


class Snapshot:
    def __init__(self, period: str) -> None:
        self.period = period

    def prepare(self, session):
        return (StatusSettings(today=date(2026, 3, 2)),)

    def run(self, session, settings) -> None:
        run_snapshot_job(session, settings, period=self.period, language="en")


def test_two_runs_at_once_make_one_snapshot_per_organisation(race_app):
    for n in range(ROUNDS):
        period = f"2026-{n + 1:02d}"
        assert _race(race_app, Snapshot(period)) == []
        with race_app.app_context():
            per_organisation = db.session.execute(
                select(ReportSnapshot.organisation_id, func.count())
                .where(ReportSnapshot.period == period)
                .group_by(ReportSnapshot.organisation_id)
            ).all()
        assert len(per_organisation) == ORGANISATIONS, f"round {n}"
        assert all(count == 1 for _org, count in per_organisation), f"round {n}"
