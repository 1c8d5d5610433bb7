"""A coordinator sees only the organisations she manages, by any URL, filter or sort key.

The walk is generated from ``app.url_map``: every route that takes an organisation,
department, person, course, rule or certificate is called with real ids of another
organisation, with every method it accepts, as the De Panne coordinator. No answer may show
the other organisation's data and no POST may change it. The report filters are probed the
same way, and bad filter values get a clear message or a sensible default, never a 500. The
CSV and XLSX exports are held to the same rules.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.accounts.models import User
from lms.assignments.models import Assignment, AssignmentRule
from lms.certification.models import Certificate
from lms.core.audit import AuditEvent
from lms.core.db import db
from lms.learning.models import Completion, Enrolment, SectionVisit
from tests.conftest import csrf_token, login
from tests.reporting.conftest import department

#: Route arguments that name something owned by an organisation (or a course).
SCOPED_ARGUMENTS = {"user_id", "organisation_id", "department_id", "rule_id", "slug", "code"}


@pytest.fixture
def world(app, make_user, towns, report_course, add_rule, progress):
    de_panne, koksijde = towns
    coordinator = make_user(
        name="An Vermeulen",
        organisation=de_panne,
        manages=[de_panne],
        roles=("learner", "manager"),
        language="en",
    )
    own = make_user(name="Els Peeters", organisation=de_panne,
                    department=department(app, de_panne, "Onthaal"))  # fmt: skip
    foreign_department = department(app, koksijde, "Sociaal huis")
    foreign = make_user(
        name="Zeno Vreemdeling", email="zeno@koksijde.example", organisation=koksijde,
        department=foreign_department,
    )  # fmt: skip
    soon = date.today() + timedelta(days=10)
    foreign_rule = add_rule(
        koksijde, report_course, department=foreign_department, due_kind="fixed", due_date=soon
    )
    add_rule(de_panne, report_course, department=department(app, de_panne, "Onthaal"))
    progress(foreign, report_course, 8)  # certified
    progress(own, report_course, 3)
    with app.app_context():
        code = db.session.scalars(
            select(Certificate.code).where(Certificate.user_id == foreign.id)
        ).one()
    return {
        "coordinator": coordinator,
        "own": own,
        "foreign": foreign,
        "koksijde": koksijde,
        "values": {
            "user_id": foreign.id,
            "organisation_id": koksijde.id,
            "department_id": foreign_department.id,
            "rule_id": foreign_rule,
            "slug": report_course.slug,
            "code": code,
            "activity_id": report_course.modules[0].activities[0].id,
            "section_id": report_course.sections[0].id,
        },
        # What would show that the other organisation leaked into a page.
        "markers": ("Koksijde", "Zeno Vreemdeling", "zeno@koksijde.example", code),
    }


def _foreign_facts(app, world) -> tuple:
    """Everything of the other organisation that a request must not change."""
    foreign = world["foreign"]
    with app.app_context():
        person = db.session.get(User, foreign.id)
        return (
            person.active,
            person.organisation_id,
            person.department_id,
            person.full_name,
            db.session.execute(
                select(Enrolment.id, Enrolment.mandatory, Enrolment.due_at).where(
                    Enrolment.user_id == foreign.id
                )
            ).all(),
            db.session.scalars(select(Completion.id).where(Completion.user_id == foreign.id)).all(),
            db.session.scalars(
                select(SectionVisit.id).where(SectionVisit.user_id == foreign.id)
            ).all(),
            db.session.execute(select(Certificate.code, Certificate.status)).all(),
            db.session.execute(
                select(AssignmentRule.id, AssignmentRule.ended_at, AssignmentRule.mandatory)
            ).all(),
            db.session.execute(select(Assignment.id, Assignment.ended_at)).all(),
        )


def _scoped_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if set(rule.arguments) & SCOPED_ARGUMENTS and rule.endpoint.startswith("lms.")
    ]


def test_the_walk_covers_the_report_and_rule_pages(app):
    endpoints = {rule.endpoint for rule in _scoped_rules(app)}
    assert {
        "lms.reporting.person",
        "lms.assignments.edit_rule",
        "lms.assignments.end_rule",
        "lms.organisations.person",
        "lms.certification.detail",
        "lms.admin.organisation",
    } <= endpoints


def test_every_scoped_url_with_foreign_ids_shows_and_changes_nothing(app, client, world):
    login(client, world["coordinator"])
    before = _foreign_facts(app, world)
    token = csrf_token(client, "/progress/rules/new")
    checked = 0
    for rule in _scoped_rules(app):
        values = {arg: world["values"].get(arg, 999999) for arg in rule.arguments}
        if "path" in rule.arguments:
            values["path"] = "img/none.png"
        url = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method, data={"csrf_token": token})
            body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            assert response.status_code < 500, (method, url)
            if response.status_code == 200:
                leaked = [m for m in world["markers"] if m in body]
                assert not leaked, (method, url, leaked)
            if rule.endpoint.startswith(("lms.reporting.", "lms.assignments.")):
                assert response.status_code == 404, (method, url, response.status_code)
            checked += 1
    assert checked > 20
    assert _foreign_facts(app, world) == before


@pytest.mark.parametrize("page", ["/progress/", "/progress/people"])
def test_a_foreign_organisation_or_department_in_a_filter_is_refused(app, client, world, page):
    login(client, world["coordinator"])
    values = world["values"]
    for query in (
        f"organisation={values['organisation_id']}",
        f"department={values['department_id']}",
        "organisation=999999",
        "department=abc",
        f"organisation={2**64}",
        "course=no-such-course",
    ):
        response = client.get(f"{page}?{query}")
        assert response.status_code == 404, query
        assert not [m for m in world["markers"] if m in response.get_data(as_text=True)]
    # Unfiltered, the page shows the coordinator's own people only.
    html = client.get(f"{page}").get_data(as_text=True)
    assert not [m for m in world["markers"] if m in html]


def test_ids_beyond_the_integer_range_are_not_found(client, world):
    login(client, world["coordinator"])
    for url in (
        f"/progress/people/{2**64}",
        f"/progress/rules/{2**63}",
        f"/progress/rules/{2**70}/end",
    ):
        assert client.get(url).status_code == 404, url


def test_search_and_sort_never_reach_another_organisation(client, world):
    login(client, world["coordinator"])
    for query in ("q=Zeno", "q=koksijde", "sort=organisation&order=desc", "status=certified"):
        html = client.get(f"/progress/people?{query}").get_data(as_text=True)
        assert not [m for m in world["markers"] if m in html], query
    assert "Els Peeters" in client.get("/progress/people?q=els").get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=lost", "Unknown status. All statuses are shown."),
        ("due_before=2027-02-31", "Give a real date, for example 2027-06-30."),
        ("due_before=soon", "Give a real date, for example 2027-06-30."),
        ("due_within=-3", "Give a number of days from 0 to 3650."),
        (f"due_within={2**70}", "Give a number of days from 0 to 3650."),
        ("sort=password", "This column cannot be sorted. Sorted by name."),
        ("order=sideways", "Unknown sort order."),
        ("page=0", "Unknown page. The first page is shown."),
        (f"page={2**64}", "Unknown page. The first page is shown."),
        ("mandatory=maybe", "Choose mandatory or voluntary. Both are shown."),
        ("kind=robot", "Choose staff or volunteers. Everyone is shown."),
    ],
)
def test_bad_filter_values_get_a_clear_message(client, world, query, message):
    login(client, world["coordinator"])
    response = client.get(f"/progress/people?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html and "Some filters could not be used" in html
    assert "Els Peeters" in html  # the sensible default: the filter is left out


def test_a_page_beyond_the_end_shows_the_last_page(client, world):
    login(client, world["coordinator"])
    html = client.get("/progress/people?page=999").get_data(as_text=True)
    assert "Els Peeters" in html
    assert re.search(r"1 row found", html)


def _export_text(response) -> str:
    """Every cell of a CSV or XLSX download as text."""
    if response.mimetype == "text/csv":
        return response.get_data(as_text=True)
    workbook = load_workbook(io.BytesIO(response.get_data()))
    return "\n".join(
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_never_contains_another_organisations_person(client, world, fmt):
    login(client, world["coordinator"])
    for page in ("/progress/", "/progress/people"):
        for query in ("", "q=Zeno", "q=koksijde", "sort=organisation&order=desc",
                      "status=certified", "course=rapport", "kind=staff"):  # fmt: skip
            response = client.get(f"{page}?{query}&format={fmt}")
            assert response.status_code == 200, (page, query)
            text = _export_text(response)
            assert not [m for m in world["markers"] if m in text], (page, query)
    assert "Els Peeters" in _export_text(client.get(f"/progress/people?format={fmt}"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_foreign_organisation_in_an_export_url_is_refused(app, client, world, fmt):
    login(client, world["coordinator"])
    values = world["values"]
    for page in ("/progress/", "/progress/people"):
        for query in (
            f"organisation={values['organisation_id']}",
            f"department={values['department_id']}",
            "organisation=999999",
            f"organisation={2**64}",
            "department=abc",
            "course=no-such-course",
        ):
            response = client.get(f"{page}?{query}&format={fmt}")
            assert response.status_code == 404, (page, query)
            assert response.mimetype == "text/html"
            assert not [m for m in world["markers"] if m in response.get_data(as_text=True)]
    with app.app_context():
        refused = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "report.export")
        ).all()
    assert refused == []  # nothing was exported, so nothing is recorded
