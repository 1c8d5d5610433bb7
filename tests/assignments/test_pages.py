"""The rule pages: a coordinator assigns, changes and ends through plain forms."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from lms.assignments.models import AssignmentRule
from lms.core.db import db
from lms.learning.models import Enrolment
from tests.conftest import login, post_form
from tests.reporting.conftest import department


def _coordinator(make_user, org):
    return make_user(organisation=org, manages=[org], roles=("learner", "manager"), language="en")


def test_assign_a_department_change_and_end(app, client, make_user, towns, report_course):
    de_panne, _koksijde = towns
    onthaal = department(app, de_panne, "Onthaal")
    sociaal = department(app, de_panne, "Sociaal huis")
    people = [make_user(organisation=de_panne, department=onthaal) for _ in range(2)]
    login(client, _coordinator(make_user, de_panne))
    response = post_form(
        client,
        "/progress/rules/new",
        {
            "course": "rapport",
            "target": "departments",
            "departments": [str(onthaal.id), str(sociaal.id)],
            "mandatory": "mandatory",
            "due_kind": "relative",
            "due_days": "60",
        },
        page="/progress/rules/new",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        rules = db.session.scalars(select(AssignmentRule).order_by(AssignmentRule.id)).all()
        assert [r.department_id for r in rules] == [onthaal.id, sociaal.id]
        assert {e.user_id for e in db.session.scalars(select(Enrolment))} == {p.id for p in people}
        rule_id = rules[0].id
    listing = client.get("/progress/rules/").get_data(as_text=True)
    assert "Onthaal" in listing and "Sociaal huis" in listing
    later = (date.today() + timedelta(days=100)).isoformat()
    response = post_form(
        client,
        f"/progress/rules/{rule_id}",
        {"mandatory": "voluntary", "due_kind": "fixed", "due_date": later},
        page=f"/progress/rules/{rule_id}",
    )
    assert response.status_code == 302
    with app.app_context():
        rule = db.session.get(AssignmentRule, rule_id)
        assert not rule.mandatory and rule.due_date.isoformat() == later
    assert "End this rule?" in client.get(f"/progress/rules/{rule_id}/end").get_data(as_text=True)
    response = post_form(
        client, f"/progress/rules/{rule_id}/end", {}, page=f"/progress/rules/{rule_id}/end"
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(AssignmentRule, rule_id).ended_at is not None
        assert len(db.session.scalars(select(Enrolment)).all()) == 2  # nothing deleted
    assert "Ended rule" in client.get(f"/progress/rules/{rule_id}").get_data(as_text=True)


def test_the_form_explains_what_is_missing(app, client, make_user, towns, report_course):
    de_panne, _koksijde = towns
    login(client, _coordinator(make_user, de_panne))
    cases = [
        ({"target": "departments", "due_kind": "none"}, "Choose at least one department."),
        ({"target": "people", "due_kind": "none"}, "Choose at least one person."),
        (
            {"target": "organisation", "organisation": str(de_panne.id), "due_kind": "fixed"},
            "Give the date by which the course must be finished.",
        ),
        (
            {"target": "organisation", "organisation": str(de_panne.id), "due_kind": "relative"},
            "Give the number of days.",
        ),
        (
            {
                "target": "organisation",
                "organisation": str(de_panne.id),
                "due_kind": "fixed",
                "due_date": "31/02/2030",
            },
            "Not a valid date value.",
        ),
        (
            {
                "target": "organisation",
                "organisation": str(de_panne.id),
                "due_kind": "fixed",
                "due_date": (date.today() - timedelta(days=1)).isoformat(),
            },
            "The date is in the past.",
        ),
    ]
    for data, message in cases:
        response = post_form(
            client,
            "/progress/rules/new",
            {"course": "rapport", "mandatory": "mandatory", **data},
            page="/progress/rules/new",
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 422, data
        assert message in html and "There is a problem" in html, data
    with app.app_context():
        assert db.session.scalars(select(AssignmentRule)).all() == []


def test_a_coordinator_cannot_assign_another_organisation(
    app, client, make_user, towns, report_course
):
    de_panne, koksijde = towns
    foreign = department(app, koksijde, "Onthaal")
    login(client, _coordinator(make_user, de_panne))
    response = post_form(
        client,
        "/progress/rules/new",
        {
            "course": "rapport",
            "target": "organisation",
            "organisation": str(koksijde.id),
            "mandatory": "mandatory",
            "due_kind": "none",
        },
        page="/progress/rules/new",
    )
    assert response.status_code == 422
    response = post_form(
        client,
        "/progress/rules/new",
        {
            "course": "rapport",
            "target": "departments",
            "departments": [str(foreign.id)],
            "mandatory": "mandatory",
            "due_kind": "none",
        },
        page="/progress/rules/new",
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalars(select(AssignmentRule)).all() == []


def test_learners_cannot_reach_the_rules(client, make_user, towns):
    login(client, make_user(organisation=towns[0]))
    assert client.get("/progress/rules/").status_code == 403
    assert client.get("/progress/").status_code == 403
