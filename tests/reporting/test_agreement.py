"""Everything agrees: 50 people with mixed progress, and the counts and percentages the test
computes itself (its own arithmetic from what it seeded, never the application's functions)
are what the dashboard, the people table and each learner's own pages show.

The report course has 4 modules of 2 sections (see conftest). Person ``i`` opens the first
``i % 9`` sections, so: percent = sections * 100 // 8, modules done = sections // 2, and with
all 8 the course is complete and certified. Onthaal is mandatory with a due date 5 days ago,
Sociaal huis mandatory with a due date in 10 days, Burgerzaken voluntary.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest

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
