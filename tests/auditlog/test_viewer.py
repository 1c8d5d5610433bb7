"""The audit log: append-only, browsed and filtered with pages, exported (CSV and XLSX,
formulas neutralised), administrators everything, coordinators their organisations."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select, text, update

from lms.core import audit
from lms.core.audit import AppendOnly, AuditEvent
from lms.core.db import db, utcnow
from lms.organisations.services import rename_department
from tests.conftest import login


def test_entries_cannot_be_changed_or_deleted(app, make_user):
    make_user()
    with app.app_context():
        session = db.session
        entry = session.scalars(select(AuditEvent)).first()
        entry.action = "user.nothing"
        with pytest.raises(AppendOnly, match="append-only"):
            session.flush()
        session.rollback()
        entry = session.scalars(select(AuditEvent)).first()
        session.delete(entry)
        with pytest.raises(AppendOnly, match="append-only"):
            session.flush()
        session.rollback()
        with pytest.raises(AppendOnly):
            session.execute(update(AuditEvent).values(action="x"))
        with pytest.raises(AppendOnly):
            session.execute(delete(AuditEvent))
        session.rollback()
        # The erasure path may change details (and only inside it).
        entry = session.scalars(select(AuditEvent)).first()
        with audit.erasure_path(session):
            entry.details = {"address": "[erased]"}
        session.commit()
        assert session.scalars(select(AuditEvent)).first().details == {"address": "[erased]"}
        entry.details = {}
        with pytest.raises(AppendOnly):
            session.flush()
        session.rollback()


def test_the_database_refuses_changes_too_on_postgresql(app, make_user):
    """On PostgreSQL a trigger refuses UPDATE and DELETE even in plain SQL; SQLite has the
    ORM guard only (the trigger is PostgreSQL's)."""
    make_user()
    with app.app_context():
        session = db.session
        if session.get_bind().dialect.name != "postgresql":
            assert "lms_audit_event_append_only" not in str(
                session.execute(text("SELECT sql FROM sqlite_master")).all()
            )
            return
        from sqlalchemy.exc import DBAPIError

        for statement in ("UPDATE lms_audit_event SET action = 'x'", "DELETE FROM lms_audit_event"):
            with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
                session.execute(text(statement))
        with audit.erasure_path(session):
            session.execute(text("UPDATE lms_audit_event SET details = '{}'"))


@pytest.fixture
def logged(app, make_user, make_organisation):
    """Two towns with a coordinator each, entries about both, a formula in a name."""
    panne = make_organisation("De Panne")
    koksijde = make_organisation("Koksijde")
    admin = make_user(roles=("admin",), name='=HYPERLINK("http://evil.example","x")', language="en")
    an = make_user(roles=("learner", "manager"), manages=[panne], organisation=panne)
    bart = make_user(roles=("learner", "manager"), manages=[koksijde], organisation=koksijde)
    els = make_user(name="Els Peeters", organisation=panne)
    pieter = make_user(name="Pieter Maes", organisation=koksijde)
    with app.app_context():
        department = db.session.merge(koksijde).departments[0]
        rename_department(db.session, department, "Loket", actor_id=admin.id)
        old = audit.record(db.session, "user.note", "user", els.id, actor_id=admin.id)
        old.created_at = utcnow() - timedelta(days=40)
        db.session.commit()
    return {"admin": admin, "an": an, "bart": bart, "els": els, "pieter": pieter,
            "panne": panne, "koksijde": koksijde}  # fmt: skip


def _rows(html: str) -> int:
    return html.count("<tr>") - 1


def _cells(html: str, column: int) -> list[str]:
    """The text of one column of the table, row by row (tags removed, spaces collapsed)."""
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]
    cells = [re.findall(r"<td>(.*?)</td>", row, re.S)[column] for row in rows]
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def _actions(html: str) -> list[str]:
    """The action codes of the rows (the code is the last word of the Action cell)."""
    return [cell.split()[-1] for cell in _cells(html, 2)]


def test_the_administrator_browses_and_filters(app, logged):
    client = app.test_client()
    login(client, logged["admin"])
    page = client.get("/admin/audit/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "user.create" in html and "department.rename" in html
    els = logged["els"].id
    only = client.get("/admin/audit/", query_string={"target_type": "user", "target": els})
    about = set(_cells(only.get_data(as_text=True), 3))
    assert about == {f"Person: Els Peeters (#{els})"}
    by_prefix = client.get("/admin/audit/", query_string={"action": "department"}).get_data(
        as_text=True
    )
    assert _actions(by_prefix) == ["department.rename"]
    by_actor = client.get("/admin/audit/", query_string={"actor": logged["admin"].id})
    assert "user.note" in _actions(by_actor.get_data(as_text=True))
    today = utcnow().date()
    recent = client.get(
        "/admin/audit/", query_string={"from": (today - timedelta(days=7)).isoformat()}
    ).get_data(as_text=True)
    assert "user.note" not in _actions(recent) and "user.create" in _actions(recent)
    old = client.get(
        "/admin/audit/", query_string={"to": (today - timedelta(days=30)).isoformat()}
    ).get_data(as_text=True)
    assert "user.note" in _actions(old) and "user.create" not in _actions(old)
    app.config["LMS_AUDIT_PAGE_SIZE"] = 2
    first = client.get("/admin/audit/").get_data(as_text=True)
    assert _rows(first) == 2 and 'rel="next"' in first
    huge = client.get("/admin/audit/", query_string={"page": 10**30})
    assert huge.status_code == 200 and _rows(huge.get_data(as_text=True)) == 2
    last = client.get("/admin/audit/", query_string={"page": 99}).get_data(as_text=True)
    assert 'rel="prev"' in last and 'rel="next"' not in last


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"actor": str(2**31)}, "Done by (number): type a number from 1 to 2147483647."),
        ({"target": "-1"}, "About (number): type a number from 1 to 2147483647."),
        ({"actor": "1e9"}, "Done by (number): type a number"),
        ({"from": "2026-02-30"}, "From: type a date like 2026-12-31."),
        ({"to": "yesterday"}, "Until: type a date like 2026-12-31."),
        ({"from": "2026-12-31", "to": "2026-01-01"}, "on or after the From date"),
        ({"action": "x" * 100}, "Action: at most 64 characters."),
        ({"target_type": "y" * 100}, "Target: at most 32 characters."),
    ],
)
def test_bad_filters_get_a_clear_message(app, logged, args, message):
    client = app.test_client()
    login(client, logged["admin"])
    for extra in ({}, {"format": "csv"}):
        response = client.get("/admin/audit/", query_string={**args, **extra})
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


def test_unknown_export_format_is_not_found(app, logged):
    client = app.test_client()
    login(client, logged["admin"])
    assert client.get("/admin/audit/", query_string={"format": "pdf"}).status_code == 404


def test_exports_neutralise_formulas_and_are_recorded(app, logged):
    client = app.test_client()
    login(client, logged["admin"])
    response = client.get("/admin/audit/", query_string={"format": "csv", "action": "department"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    response.close()
    # The columns of before, in their order, with what was done in words beside the code.
    assert rows[0] == ["Number", "When", "Done by (number)", "Done by", "Action", "What was done",
                       "About", "About (number)", "Details"]  # fmt: skip
    assert [r[4:6] for r in rows[1:]] == [["department.rename", "Department renamed"]]
    assert rows[1][3] == "'" + '=HYPERLINK("http://evil.example","x")'
    response = client.get("/admin/audit/", query_string={"format": "xlsx", "action": "department"})
    sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[1][3] == "'" + '=HYPERLINK("http://evil.example","x")'
    assert sheet.cell(2, 4).data_type == "s"
    with app.app_context():
        exports = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "report.export").order_by(AuditEvent.id)
        ).all()
    assert [(e.details["report"], e.details["format"], e.details["rows"]) for e in exports] == [
        ("audit_log", "csv", 1),
        ("audit_log", "xlsx", 1),
    ]
    assert exports[0].details["filters"] == {"action": "department"}


def test_coordinators_see_their_organisations_only(app, logged):
    client = app.test_client()
    login(client, logged["an"])
    html = client.get("/admin/audit/").get_data(as_text=True)
    assert f"Persoon: Els Peeters (#{logged['els'].id})" in _cells(html, 3)  # An reads Dutch
    assert not [cell for cell in _cells(html, 3) if f"(#{logged['pieter'].id})" in cell]
    assert "department.rename" not in html  # Koksijde's department (not even as a choice)
    csv_text = client.get("/admin/audit/", query_string={"format": "csv"}).get_data(as_text=True)
    assert f",user,{logged['els'].id}," in csv_text
    assert f",user,{logged['pieter'].id}," not in csv_text
    client = app.test_client()
    login(client, logged["bart"])
    html = client.get("/admin/audit/").get_data(as_text=True)
    assert "department.rename" in html
    assert not [cell for cell in _cells(html, 3) if f"(#{logged['els'].id})" in cell]
    client = app.test_client()
    login(client, logged["els"])
    assert client.get("/admin/audit/").status_code == 403
    assert app.test_client().get("/admin/audit/").status_code in (302, 401)
