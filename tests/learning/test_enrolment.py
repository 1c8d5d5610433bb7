"""Coordinators and administrators enrol people of their organisations."""

from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import select

from lms.core.db import db
from lms.learning.models import Enrolment
from tests.conftest import csrf_token, login
from tests.learning.conftest import course_yaml


@pytest.fixture
def setup(make_organisation, make_user, import_course):
    import_course(course_yaml("basis", 1))
    de_panne = make_organisation("De Panne", departments=("Onthaal", "Burgerzaken"))
    koksijde = make_organisation("Koksijde", departments=("Onthaal",))
    onthaal = next(d for d in de_panne.departments if d.name == "Onthaal")
    burgerzaken = next(d for d in de_panne.departments if d.name == "Burgerzaken")
    people = {
        "manager": make_user(name="An", organisation=de_panne, manages=[de_panne]),
        "els": make_user(name="Els", organisation=de_panne, department=onthaal),
        "sophie": make_user(name="Sophie", organisation=de_panne, department=onthaal),
        "tom": make_user(name="Tom", organisation=de_panne, department=burgerzaken),
        "pieter": make_user(name="Pieter", organisation=koksijde),
    }
    return de_panne, onthaal, people


def _enrolled(app) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(Enrolment.user_id)))


def test_manager_enrols_a_whole_department_with_a_due_date(app, client, setup):
    _, onthaal, people = setup
    login(client, people["manager"])
    page = client.get("/enrolments/new").get_data(as_text=True)
    assert "Pieter" not in page and "Els" in page
    token = csrf_token(client, "/enrolments/new")
    response = client.post(
        "/enrolments/new",
        data={
            "csrf_token": token,
            "course": "basis",
            "department": str(onthaal.id),
            "due_date": "30/06/2027",
        },
    )
    assert response.status_code == 302
    assert _enrolled(app) == {people["els"].id, people["sophie"].id}
    with app.app_context():
        enrolment = db.session.scalars(select(Enrolment)).first()
        assert enrolment.source == "manager" and enrolment.enrolled_by_id == people["manager"].id
        assert enrolment.due_at.date().isoformat() == "2027-06-30"
    # Again, plus one person: only the new one is added.
    response = client.post(
        "/enrolments/new",
        data={
            "csrf_token": token,
            "course": "basis",
            "department": str(onthaal.id),
            "people": [str(people["tom"].id)],
        },
        follow_redirects=True,
    )
    assert _enrolled(app) == {people["els"].id, people["sophie"].id, people["tom"].id}
    assert "1" in response.get_data(as_text=True)


def test_manager_cannot_enrol_people_of_another_organisation(app, client, setup):
    _, _, people = setup
    login(client, people["manager"])
    token = csrf_token(client, "/enrolments/new")
    response = client.post(
        "/enrolments/new",
        data={"csrf_token": token, "course": "basis", "people": [str(people["pieter"].id)]},
    )
    assert response.status_code == 422
    assert _enrolled(app) == set()


def test_nothing_chosen_is_a_clear_error(client, setup):
    _, _, people = setup
    login(client, people["manager"])
    token = csrf_token(client, "/enrolments/new")
    response = client.post("/enrolments/new", data={"csrf_token": token})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'href="#course-0"' in html


def test_learners_cannot_enrol_others(client, setup):
    _, _, people = setup
    login(client, people["els"])
    assert client.get("/enrolments/new").status_code == 403


def test_profile_leads_to_my_courses(client, setup, app):
    """The profile links to My learning, which lists the courses with their progress (the
    accounts package does not read learning records itself)."""
    _, _, people = setup
    login(client, people["els"])
    client.post("/courses/basis/enrol", data={"csrf_token": csrf_token(client, "/courses/basis")})
    profile = client.get("/profile").get_data(as_text=True)
    with app.test_request_context():
        my_learning = url_for("lms.learning.my_learning")
    assert f'href="{my_learning}"' in profile.split('<main id="main"')[1]
    html = client.get(my_learning).get_data(as_text=True)
    assert "/courses/basis" in html and "0%" in html
