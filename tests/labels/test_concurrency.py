"""Two runs of ``lms labels update`` at the same moment grant a label once and warn once
(real commits on two connections, released together by a ``threading.Barrier``; on SQLite
and PostgreSQL). Each round is a new counter: grant it in a race, then add a newcomer and
race the warning: one label, one warning e-mail per coordinator."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from lms.accounts.services import RoleSpec, create_user
from lms.authoring.importer import import_paths
from lms.catalog.models import Course
from lms.catalog.queries import get_course_def
from lms.core.audit import AuditEvent
from lms.core.db import db
from lms.labels.models import CounterLabel
from lms.labels.services import LabelRules, update_labels
from lms.learning import services as learning
from lms.mail.models import OutgoingMail
from lms.organisations.services import create_organisation
from tests.certification.test_concurrency import _race
from tests.reporting.conftest import report_course_yaml

ROUNDS = 8
DAY = date(2026, 3, 2)


@pytest.fixture
def race_app(committing_app, tmp_path: Path):
    committing_app.config["LMS_LABEL_COURSE"] = "rapport"
    folder = tmp_path / "race"
    folder.mkdir()
    (folder / "rapport.yaml").write_text(report_course_yaml())
    with committing_app.app_context():
        import_paths(db.session, [folder / "rapport.yaml"], certificates_dir=None)
        db.session.commit()
    yield committing_app
    with committing_app.extensions["lms"].engine.begin() as connection:
        connection.execute(update(Course).values(current_version_id=None))


def _counter(app, n: int) -> tuple[int, int]:
    """An organisation whose counter has 3 certified staff of 3; (organisation, department)."""
    with app.app_context():
        session = db.session
        course = get_course_def(session, "rapport")
        org = create_organisation(session, f"Gemeente {n}", departments=["Onthaal"])
        department = org.departments[0]
        for person in range(3):
            user = create_user(
                session,
                full_name=f"Staff {n}.{person}",
                email=f"staff{n}-{person}@example.be",
                organisation=org,
                department=department,
            )
            enrolment, _ = learning.enrol(session, user, course)
            for section in course.sections:
                learning.open_section(session, enrolment, user, course, section.id)
        create_user(
            session,
            full_name=f"Coordinator {n}",
            email=f"coordinator{n}@example.be",
            roles=[RoleSpec("manager", org.id)],
        )
        session.commit()
        return org.id, department.id


class UpdateLabels:
    def __init__(self, today: date) -> None:
        self.today = today

    def prepare(self, session):
        return (LabelRules.from_config({"LMS_LABEL_COURSE": "rapport"}),)

    def run(self, session, rules) -> None:
        update_labels(session, rules, today=self.today)


def _state(app, department_id: int, n: int) -> tuple[int, int, int]:
    with app.app_context():
        session = db.session
        labels = session.scalars(
            select(CounterLabel).where(CounterLabel.department_id == department_id)
        ).all()
        grants = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "label.grant",
                AuditEvent.target_id.in_([x.id for x in labels] or [0]),
            )
        )
        warnings = session.scalar(
            select(func.count())
            .select_from(OutgoingMail)
            .where(
                OutgoingMail.template == "label_warning",
                OutgoingMail.recipient == f"coordinator{n}@example.be",
            )
        )
        return len(labels), grants, warnings


def test_two_runs_at_once_grant_once_and_warn_once(race_app):
    for n in range(ROUNDS):
        _organisation_id, department_id = _counter(race_app, n)
        assert _race(race_app, UpdateLabels(DAY)) == []
        assert _state(race_app, department_id, n) == (1, 1, 0), f"round {n}"
        # A newcomer: 3 of 4 (75%) is below 80%: both runs see it, one warns.
        with race_app.app_context():
            from lms.organisations.models import Department

            department = db.session.get(Department, department_id)
            create_user(
                db.session,
                full_name=f"Newcomer {n}",
                email=f"newcomer{n}@example.be",
                organisation=department.organisation,
                department=department,
            )
            db.session.commit()
        assert _race(race_app, UpdateLabels(DAY + timedelta(days=1))) == []
        # One label, one grant, and one e-mail to the one coordinator.
        assert _state(race_app, department_id, n) == (1, 1, 1), f"round {n}"
