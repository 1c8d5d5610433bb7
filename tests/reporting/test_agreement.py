"""Everything agrees: 50 people with mixed progress, and the counts and percentages the test
computes itself (its own arithmetic from what it seeded, never the application's functions)
are what the dashboard, the people table and each learner's own pages show.

The report course has 4 modules of 2 sections (see conftest). Person ``i`` opens the first
``i % 9`` sections, so: percent = sections * 100 // 8, modules done = sections // 2, and with
all 8 the course is complete and certified. Onthaal is mandatory with a due date 5 days ago,
Sociaal huis mandatory with a due date in 10 days, Burgerzaken voluntary. The CSV and XLSX
exports (parsed back) and the charts show the same numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from tests.conftest import login
from tests.reporting.conftest import department

PEOPLE = 50
SECTIONS = 8
DEPARTMENTS = ("Onthaal", "Sociaal huis", "Burgerzaken")
AT_RISK_BELOW = 75  # the default of LMS_AT_RISK_BELOW_PERCENT


@pytest.fixture
def app_config():
    # Fifty learners log in one after the other from the same address.
    return {"LMS_REPORT_PAGE_SIZE": 100, "LMS_LOGIN_RATE_LIMIT": "1000 per minute"}


def expected_for(index: int) -> dict:
    sections = index % 9
    dept = DEPARTMENTS[index % 3]
    percent = sections * 100 // SECTIONS
    if sections == 0:
        status = "Not started"
    elif sections < SECTIONS:
        status = "In progress"
    else:
        status = "Certified"
    compliance = None
    if dept != "Burgerzaken":
        if sections == SECTIONS:
            compliance = "In order"
        else:
            compliance = "Overdue" if dept == "Onthaal" else "Due soon"
    return {
        "sections": sections,
        "department": dept,
        "percent": percent,
        "modules": sections // 2,
        "status": status,
        "compliance": compliance,
        "at_risk": compliance == "Due soon" and percent < AT_RISK_BELOW,
        "kind": "volunteer" if index % 10 == 9 else "staff",
    }


@pytest.fixture
def organisation(app, make_user, towns, report_course, add_rule, progress):
    de_panne, _koksijde = towns
    departments = {name: department(app, de_panne, name) for name in DEPARTMENTS}
    today = date.today()
    add_rule(de_panne, report_course, department=departments["Onthaal"], due_kind="fixed",
             due_date=today - timedelta(days=5))  # fmt: skip
    add_rule(de_panne, report_course, department=departments["Sociaal huis"], due_kind="fixed",
             due_date=today + timedelta(days=10))  # fmt: skip
    add_rule(de_panne, report_course, department=departments["Burgerzaken"], mandatory=False)
    people = []
    for index in range(PEOPLE):
        expected = expected_for(index)
        person = make_user(
            name=f"Learner {index:02d}",
            organisation=de_panne,
            department=departments[expected["department"]],
            language="en",
        )
        if expected["kind"] == "volunteer":
            with app.app_context():
                from lms.accounts.models import User
                from lms.core.db import db

                db.session.get(User, person.id).kind = "volunteer"
                db.session.commit()
        if expected["sections"]:
            progress(person, report_course, expected["sections"])
        people.append((person, expected))
    coordinator = make_user(name="Coordinator", manages=[de_panne], roles=("manager",),
                            language="en")  # fmt: skip
    return de_panne, departments, people, coordinator


class _Table(HTMLParser):
    """The rows of one table: per row its attributes and the text of each cell."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.rows, self.cell = table_id, False, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append({"attrs": attrs, "cells": []})
        elif self.inside and tag in ("td", "th") and self.rows:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1]["cells"].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table(html: str, table_id: str) -> list[dict]:
    parser = _Table(table_id)
    parser.feed(html)
    return parser.rows


def figure(html: str, key: str) -> int:
    match = re.search(rf'id="figure-{key}".*?class="figure-number">(\d+)', html, re.S)
    assert match, key
    return int(match.group(1))


def test_the_dashboard_shows_the_tests_own_counts(client, organisation):
    de_panne, departments, people, coordinator = organisation
    expected = [e for _p, e in people]
    login(client, coordinator)
    html = client.get("/progress/").get_data(as_text=True)
    statuses = Counter(e["status"] for e in expected)
    assert figure(html, "people") == PEOPLE
    assert figure(html, "enrolments") == PEOPLE
    assert figure(html, "not_started") == statuses["Not started"]
    assert figure(html, "in_progress") == statuses["In progress"]
    assert figure(html, "completed") == 0
    assert figure(html, "certified") == statuses["Certified"]
    compliance = Counter(e["compliance"] for e in expected if e["compliance"])
    mandatory = sum(compliance.values())
    assert figure(html, "overdue") == compliance["Overdue"]
    assert figure(html, "due_soon") == compliance["Due soon"]
    assert figure(html, "on_track") == 0
    assert figure(html, "at-risk") == sum(e["at_risk"] for e in expected)
    assert figure(html, "compliance-rate") == compliance["In order"] * 100 // mandatory
    # Per department.
    rows = {r["attrs"].get("id"): r for r in table(html, "department-table")}
    for name, dept in departments.items():
        cells = rows[f"department-{de_panne.id}-{dept.id}"]["cells"]
        mine = [e for e in expected if e["department"] == name]
        counts = Counter(e["status"] for e in mine)
        assert cells[0] == name
        assert [int(c) for c in cells[1:6]] == [
            counts["Not started"],
            counts["In progress"],
            0,
            counts["Certified"],
            sum(e["compliance"] == "Overdue" for e in mine),
        ]
    # The module funnel: module m is finished by everyone with at least 2*m sections.
    funnel = {r["attrs"].get("data-module"): r["cells"] for r in table(html, "funnel-rapport")}
    assert int(funnel["enrolled"][1]) == PEOPLE
    for module in range(1, 5):
        finished = sum(e["sections"] >= 2 * module for e in expected)
        assert int(funnel[f"m{module}"][1]) == finished
        assert funnel[f"m{module}"][2] == f"{finished * 100 // PEOPLE}%"
    assert int(funnel["certified"][1]) == statuses["Certified"]


def test_the_people_table_and_each_learners_pages_agree(app, client, organisation):
    _de_panne, _departments, people, coordinator = organisation
    login(client, coordinator)
    html = client.get("/progress/people").get_data(as_text=True)
    assert f"{PEOPLE} rows found" in html
    rows = {
        int(r["attrs"]["data-person"]): r["cells"]
        for r in table(html, "people-table")
        if "data-person" in r["attrs"]
    }
    assert len(rows) == PEOPLE
    # Columns: name, department, course, mandatory, due, status, deadline, %, modules, ...
    for person, expected in people:
        cells = rows[person.id]
        assert cells[1] == expected["department"]
        assert cells[3] == ("Voluntary" if expected["department"] == "Burgerzaken" else "Mandatory")
        assert cells[5] == expected["status"]
        assert cells[6] == (expected["compliance"] or "Not mandatory")
        assert cells[7] == f"{expected['percent']}%"
        assert cells[8] == f"{expected['modules']} of 4"
    # The status filters select exactly the people the test expects.
    for status, label in (("overdue", "Overdue"), ("due_soon", "Due soon"),
                          ("not_started", "Not started"), ("certified", "Certified")):  # fmt: skip
        wanted = {p.id for p, e in people if label in (e["status"], e["compliance"])}
        page = client.get(f"/progress/people?status={status}").get_data(as_text=True)
        shown = {int(r["attrs"]["data-person"]) for r in table(page, "people-table")
                 if "data-person" in r["attrs"]}  # fmt: skip
        assert shown == wanted, status
    volunteers = client.get("/progress/people?kind=volunteer").get_data(as_text=True)
    assert f"{sum(e['kind'] == 'volunteer' for _p, e in people)} rows found" in volunteers
    # Each learner's own My learning and course pages say the same.
    for person, expected in people:
        learner = app.test_client()
        login(learner, person)
        for page in ("/", "/courses/rapport"):
            own = learner.get(page).get_data(as_text=True)
            text = " ".join(re.sub(r"<[^>]+>", " ", own).split())
            assert f"Course: {expected['percent']}% completed" in text, (person.full_name, page)
            assert expected["status"] in text, (person.full_name, page)
            for other in ("Overdue", "Due soon"):
                assert (other in text) == (expected["compliance"] == other), (page, other)


# The exports ---------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def _xlsx(response):
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.get_data()))


def _records(header: list, rows: list) -> dict[str, dict]:
    """Rows keyed by their first cell (the name), each a {header: value} mapping."""
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def test_both_people_exports_agree_with_the_tests_own_arithmetic(client, organisation):
    _de_panne, _departments, people, coordinator = organisation
    login(client, coordinator)
    today = date.today()
    due = {"Onthaal": today - timedelta(days=5), "Sociaal huis": today + timedelta(days=10)}
    lines = _csv(client.get("/progress/people?format=csv"))
    from_csv = _records(lines[0], lines[1:])
    sheet = _xlsx(client.get("/progress/people?format=xlsx")).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    from_xlsx = _records(values[0], values[1:])
    assert len(from_csv) == len(from_xlsx) == PEOPLE
    for person, e in people:
        mandatory = "Voluntary" if e["department"] == "Burgerzaken" else "Mandatory"
        kind = "Volunteer" if e["kind"] == "volunteer" else "Staff"
        row = from_csv[person.full_name]
        assert row["E-mail address or username"] == person.login_name
        assert row["Department"] == e["department"]
        assert row["Course"] == "Rapport"
        assert row["Staff or volunteer"] == kind
        assert row["Mandatory or voluntary"] == mandatory
        assert row["Status"] == e["status"]
        assert row["Deadline"] == (e["compliance"] or "")
        assert row["Progress (%)"] == str(e["percent"])
        assert row["Modules completed"] == str(e["modules"])
        assert row["Modules in the course"] == "4"
        assert row["Due date"] == (
            due[e["department"]].isoformat() if e["department"] in due else ""
        )
        row = from_xlsx[person.full_name]
        assert row["Department"] == e["department"]
        assert row["Staff or volunteer"] == kind
        assert row["Mandatory or voluntary"] == mandatory
        assert row["Status"] == e["status"]
        assert row["Deadline"] == e["compliance"]  # an empty cell for voluntary courses
        assert row["Progress"] == pytest.approx(e["percent"] / 100)
        assert row["Modules completed"] == e["modules"]
        if e["department"] in due:
            assert row["Due date"].date() == due[e["department"]]
        else:
            assert row["Due date"] is None
    # The status filters select exactly the people the test expects, in both formats.
    for status, label in (("overdue", "Overdue"), ("due_soon", "Due soon"),
                          ("in_progress", "In progress"), ("certified", "Certified")):  # fmt: skip
        wanted = {p.full_name for p, e in people if label in (e["status"], e["compliance"])}
        lines = _csv(client.get(f"/progress/people?status={status}&format=csv"))
        assert {line[0] for line in lines[1:]} == wanted, status
        sheet = _xlsx(client.get(f"/progress/people?status={status}&format=xlsx")).worksheets[0]
        assert {r[0].value for r in sheet.iter_rows(min_row=2)} == wanted, status


def _sections(lines: list[list[str]]) -> dict[str, list[list[str]]]:
    """The CSV of a report of several tables: {title: [header, rows...]}."""
    sections, current = {}, None
    for line in lines:
        if not line:
            current = None
        elif current is None:
            current = sections.setdefault(line[0], [])
        else:
            current.append(line)
    return sections


def test_both_dashboard_exports_agree_with_the_tests_own_arithmetic(client, organisation):
    _de_panne, departments, people, coordinator = organisation
    expected = [e for _p, e in people]
    login(client, coordinator)
    statuses = Counter(e["status"] for e in expected)
    compliance = Counter(e["compliance"] for e in expected if e["compliance"])
    mandatory = sum(compliance.values())
    figures = {
        "People": (PEOPLE, None),
        "Courses followed": (PEOPLE, None),
        "Not started": (statuses["Not started"], None),
        "In progress": (statuses["In progress"], None),
        "Completed": (0, None),
        "Certified": (statuses["Certified"], None),
        "Mandatory courses": (mandatory, None),
        "In order": (compliance["In order"], compliance["In order"] * 100 // mandatory),
        "On track": (0, None),
        "Due soon": (compliance["Due soon"], None),
        "Overdue": (compliance["Overdue"], None),
        "At risk": (sum(e["at_risk"] for e in expected), None),
    }
    per_department = {}
    for name in departments:
        mine = [e for e in expected if e["department"] == name]
        counts = Counter(e["status"] for e in mine)
        in_order = sum(e["compliance"] == "In order" for e in mine)
        obliged = sum(e["compliance"] is not None for e in mine)
        per_department[name] = [
            counts["Not started"],
            counts["In progress"],
            0,
            counts["Certified"],
            sum(e["compliance"] == "Overdue" for e in mine),
            in_order * 100 // obliged if obliged else None,
        ]
    funnel = [("Follow the course", PEOPLE)]
    funnel += [
        (f"Finished: Module {m}", sum(e["sections"] >= 2 * m for e in expected))
        for m in range(1, 5)
    ]
    funnel += [("Finished the course", statuses["Certified"])]
    funnel += [("Hold a valid certificate", statuses["Certified"])]

    def empty_or(value):
        return "" if value is None else str(value)

    sections = _sections(_csv(client.get("/progress/?format=csv")))
    assert list(sections) == ["In numbers", "Per department", "Per module"]
    assert {row[0]: (row[1], row[2]) for row in sections["In numbers"][1:]} == {
        label: (str(number), empty_or(share)) for label, (number, share) in figures.items()
    }
    assert {row[1]: row[2:] for row in sections["Per department"][1:]} == {
        name: [empty_or(v) for v in numbers] for name, numbers in per_department.items()
    }
    assert [(row[1], row[2], row[3]) for row in sections["Per module"][1:]] == [
        (step, str(count), str(count * 100 // PEOPLE)) for step, count in funnel
    ]
    workbook = _xlsx(client.get("/progress/?format=xlsx"))
    assert workbook.sheetnames == ["In numbers", "Per department", "Per module", "About this file"]
    rows = [[c.value for c in r] for r in workbook["In numbers"].iter_rows(min_row=2)]
    assert {r[0]: r[1] for r in rows} == {label: n for label, (n, _s) in figures.items()}
    assert {r[0]: r[2] for r in rows if r[2] is not None} == {
        "In order": pytest.approx(figures["In order"][1] / 100)
    }
    rows = [[c.value for c in r] for r in workbook["Per department"].iter_rows(min_row=2)]
    assert {r[1]: r[2:7] for r in rows} == {n: v[:5] for n, v in per_department.items()}
    assert {r[1]: r[7] for r in rows} == {
        n: (None if v[5] is None else pytest.approx(v[5] / 100)) for n, v in per_department.items()
    }
    rows = [[c.value for c in r] for r in workbook["Per module"].iter_rows(min_row=2)]
    assert [(r[1], r[2]) for r in rows] == funnel
    assert [r[3] for r in rows] == [pytest.approx(c * 100 // PEOPLE / 100) for _s, c in funnel]


def test_the_charts_draw_the_tests_own_numbers(client, organisation):
    _de_panne, departments, people, coordinator = organisation
    expected = [e for _p, e in people]
    login(client, coordinator)
    html = client.get("/progress/").get_data(as_text=True)
    svg = re.search(r'aria-labelledby="chart-departments-title.*?</svg>', html, re.S).group(0)
    for name in departments:
        mine = [e for e in expected if e["department"] == name]
        overdue = sum(e["compliance"] == "Overdue" for e in mine)
        label = f"{name}: {len(mine)} in total" + (f", {overdue} overdue" if overdue else "")
        assert f">{label}<" in svg
    segments = re.findall(r"<rect [^>]*><title>([^<]+): (\d+)</title>", svg)
    drawn = Counter()
    for label, count in segments:
        drawn[label] += int(count)
    statuses = Counter(e["status"] for e in expected)
    assert dict(drawn) == {k: v for k, v in statuses.items() if v}
    funnel = re.search(r'aria-labelledby="chart-funnel-rapport-title.*?</svg>', html, re.S).group(0)
    for module in range(1, 5):
        finished = sum(e["sections"] >= 2 * module for e in expected)
        assert f">{finished} ({finished * 100 // PEOPLE}%)<" in funnel
