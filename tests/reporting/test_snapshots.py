"""Snapshots for audits: what a month's snapshot says never changes (later progress, a person
erased or pseudonymised, a rule ended, another setting), the job is idempotent (twice in a
row, and two runs at once on SQLite and PostgreSQL), snapshots cannot be changed or deleted,
and a coordinator sees only her own organisations' snapshots (any other id is a 404)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from lms.accounts.models import User
from lms.assignments.models import AssignmentRule
from lms.core.db import db
from lms.learning.statuses import StatusSettings
from lms.organisations.models import Organisation
from lms.reporting.models import ImmutableSnapshot, ReportSnapshot
from lms.reporting.snapshots import run_snapshot_job
from tests.conftest import login
from tests.reporting.conftest import department

TODAY = date.today()
SECTIONS = (8, 8, 4, 0, 2)  # sections opened by each of five people: 2 certified


@pytest.fixture
def towns_with_people(app, towns, make_user, report_course, add_rule, progress):
    de_panne, koksijde = towns
    onthaal = department(app, de_panne, "Onthaal")
    add_rule(de_panne, report_course, department=onthaal, due_kind="fixed",
             due_date=TODAY + timedelta(days=10))  # fmt: skip
    people = []
    for n, sections in enumerate(SECTIONS):
        person = make_user(name=f"Learner {n}", organisation=de_panne, department=onthaal,
                           language="en")  # fmt: skip
        if sections:
            progress(person, report_course, sections)
        people.append(person)
    progress(make_user(name="Koksijde Learner", organisation=koksijde), report_course, 3)
    coordinator = make_user(name="Coordinator", manages=[de_panne], roles=("manager",),
                            language="en")  # fmt: skip
    other = make_user(name="Other", manages=[koksijde], roles=("manager",), language="en")
    return de_panne, koksijde, people, coordinator, other


def snapshot_all(app, today: date = TODAY, **settings) -> tuple[int, int]:
    with app.app_context():
        return run_snapshot_job(db.session, StatusSettings(today=today, **settings), language="en")


def the_snapshot(app, organisation) -> ReportSnapshot:
    with app.app_context():
        return db.session.scalar(
            select(ReportSnapshot).where(ReportSnapshot.organisation_id == organisation.id)
        )


def download(client, snapshot_id: int, fmt: str):
    response = client.get(f"/progress/snapshots/{snapshot_id}?format={fmt}")
    assert response.status_code == 200, response.status_code
    return response


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def read_xlsx(response) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(response.get_data()))
    return {
        sheet.title: [tuple(c.value for c in row) for row in sheet.iter_rows()]
        for sheet in book.worksheets
    }


def test_a_snapshot_never_changes_after_progress_erasure_or_new_rules(
    app, client, towns_with_people, report_course, progress
):
    de_panne, _koksijde, people, coordinator, _other = towns_with_people
    assert snapshot_all(app) == (2, 0)
    snapshot = the_snapshot(app, de_panne)
    assert snapshot.period == f"{TODAY.year:04d}-{TODAY.month:02d}"
    login(client, coordinator)
    before_csv = download(client, snapshot.id, "csv").get_data()
    before_xlsx = read_xlsx(download(client, snapshot.id, "xlsx"))

    # What it says: the test's own count of the five learners.
    lines = read_csv(download(client, snapshot.id, "csv"))
    people_at = lines.index(["People and courses"])
    header = lines[people_at + 1]
    rows = [dict(zip(header, line, strict=True)) for line in lines[people_at + 2 :] if line]
    assert len(rows) == len(SECTIONS)
    assert sorted(r["Name"] for r in rows) == [f"Learner {n}" for n in range(5)]
    assert sum(r["Status"] == "Certified" for r in rows) == sum(s == 8 for s in SECTIONS)
    assert sum(r["Status"] == "Not started" for r in rows) == sum(s == 0 for s in SECTIONS)

    # Later: more progress, a person erased (pseudonymised), another deactivated, the rule
    # ended, another "due soon" setting; and the job runs again.
    progress(people[2], report_course, 8)
    with app.app_context():
        session = db.session
        erased = session.get(User, people[0].id)
        erased.full_name, erased.email = "Erased person", f"erased-{erased.id}@invalid"
        session.get(User, people[1].id).active = False
        session.execute(update(AssignmentRule).values(ended_at=func.now()))
        session.commit()
    assert snapshot_all(app, soon_days=5) == (0, 2)

    assert download(client, snapshot.id, "csv").get_data() == before_csv
    assert read_xlsx(download(client, snapshot.id, "xlsx")) == before_xlsx
    assert b"Learner 0" in before_csv and b"Erased person" not in before_csv


def test_snapshots_refuse_changes_and_deletion(app, towns_with_people):
    de_panne = towns_with_people[0]
    snapshot_all(app)
    with app.app_context():
        session = db.session
        snapshot = session.scalar(
            select(ReportSnapshot).where(ReportSnapshot.organisation_id == de_panne.id)
        )
        snapshot.organisation_name = "Elsewhere"
        with pytest.raises(ImmutableSnapshot):
            session.flush()
        session.rollback()
        snapshot = session.get(ReportSnapshot, snapshot.id)
        session.delete(snapshot)
        with pytest.raises(ImmutableSnapshot):
            session.flush()
        session.rollback()
        assert session.get(ReportSnapshot, snapshot.id).organisation_name == "De Panne"


def test_the_job_is_idempotent_per_organisation_and_month(app, towns_with_people):
    assert snapshot_all(app) == (2, 0)
    assert snapshot_all(app) == (0, 2)
    next_month = (TODAY.replace(day=1) + timedelta(days=32)).replace(day=1)
    assert snapshot_all(app, next_month) == (2, 0)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReportSnapshot)) == 4
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "reports", "snapshot"])
    assert result.exit_code == 0, result.output
    assert "0 snapshot(s)" in result.output and "2 already there" in result.output
    result = runner.invoke(args=["lms", "reports", "snapshot", "--period", "2026-13"])
    assert result.exit_code != 0 and "is not a month like 2026-12" in result.output
    result = runner.invoke(args=["lms", "reports", "snapshot", "--organisation", "Atlantis"])
    assert result.exit_code != 0 and "no organisation 'Atlantis'" in result.output
    result = runner.invoke(
        args=["lms", "reports", "snapshot", "--period", "2020-01", "--organisation", "koksijde"]
    )
    assert "1 snapshot(s) of 2020-01 made" in result.output


def test_a_coordinator_sees_only_her_organisations_snapshots(
    app, client, towns_with_people, make_user
):
    de_panne, koksijde, _people, coordinator, _other = towns_with_people
    snapshot_all(app)
    mine, foreign = the_snapshot(app, de_panne), the_snapshot(app, koksijde)
    login(client, coordinator)
    listing = client.get("/progress/snapshots/").get_data(as_text=True)
    assert f'data-snapshot="{mine.id}"' in listing
    assert f'data-snapshot="{foreign.id}"' not in listing
    assert client.get(f"/progress/snapshots/{mine.id}").status_code == 200
    for url in (
        f"/progress/snapshots/{foreign.id}",
        f"/progress/snapshots/{foreign.id}?format=csv",
        f"/progress/snapshots/{foreign.id}?format=xlsx",
        "/progress/snapshots/999999",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/progress/snapshots/{mine.id}?format=pdf").status_code == 400
    learner = app.test_client()
    login(learner, make_user(organisation=de_panne))
    assert learner.get("/progress/snapshots/").status_code == 403
    assert learner.get(f"/progress/snapshots/{mine.id}").status_code == 403
    admin = app.test_client()
    login(admin, make_user(roles=("admin",)))
    listing = admin.get("/progress/snapshots/").get_data(as_text=True)
    assert f'data-snapshot="{mine.id}"' in listing and f'data-snapshot="{foreign.id}"' in listing
    with app.app_context():
        assert db.session.get(Organisation, koksijde.id) is not None
