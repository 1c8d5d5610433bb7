"""The report pages: a person's drill-down, several organisations, sorting and paging."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from lms.assessment import services as assessment
from lms.core.db import db
from lms.forums.access import forum_access
from lms.forums.services import start_thread
from lms.learning import services as learning
from tests.assessment.conftest import activity_yaml, bank_yaml
from tests.conftest import login
from tests.learning.conftest import course_yaml
from tests.reporting.conftest import department


def _text(response) -> str:
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def _coordinator(make_user, *organisations):
    return make_user(
        name="Co Ordinator", manages=list(organisations), roles=("manager",), language="en"
    )


def test_the_drill_down_shows_modules_tests_forums_certificates_and_assignments(
    app, client, make_user, towns, import_course, add_rule, progress
):
    de_panne, _koksijde = towns
    forum = (
        "      - id: m1-forum\n        type: forum\n"
        "        title: {nl: Forum 1, fr: Forum 1}\n"
        "        prompt: {nl: Stel je voor, fr: Présentez-vous}\n"
    )
    text = course_yaml("drill", 2, lessons=1, sections=1, extra_activities=activity_yaml() + forum)
    course = import_course(text, banks={"alles": bank_yaml()})
    onthaal = department(app, de_panne, "Onthaal")
    person = make_user(name="Els Peeters", organisation=de_panne, department=onthaal)
    add_rule(de_panne, course, department=onthaal, due_kind="fixed",
             due_date=date.today() + timedelta(days=40))  # fmt: skip
    progress(person, course, 1)
    with app.app_context():
        user = db.session.get(type(person), person.id)
        enrolment = learning.get_enrolment(db.session, user.id, course.course_id)
        test = course.activities_by_id["m1-test"]
        attempt = assessment.start_attempt(
            db.session, user=user, enrolment=enrolment, course=course, activity=test, seed=1
        )
        assessment.submit_attempt(
            db.session, attempt.id, user=user, enrolment=enrolment, course=course, activity=test
        )
        access = forum_access(db.session, user, course, course.activities_by_id["m1-forum"])
        start_thread(db.session, access, "Hallo allemaal", "Ik werk aan het onthaal.")
        db.session.commit()
    login(client, _coordinator(make_user, de_panne))
    page = _text(client.get(f"/progress/people/{person.id}"))
    assert "Els Peeters" in page and "Onthaal" in page
    assert "Module 1" in page and "E-learning 1 (1 of 1 parts)" in page
    assert "Test module 1 1" in page and "0%" in page and "Not passed" in page
    assert "Forum 1: 1 post" in page and "Hallo allemaal" in page
    assert "Courses assigned by a rule" in page and "Mandatory" in page
    assert "Extra time: none." in page


def test_a_coordinator_of_several_organisations_sees_all_or_one(
    app, client, make_user, towns, report_course, progress
):
    de_panne, koksijde = towns
    a = make_user(name="Anna Panne", organisation=de_panne)
    b = make_user(name="Bram Koksijde", organisation=koksijde)
    progress(a, report_course, 2)
    progress(b, report_course, 8)
    login(client, _coordinator(make_user, de_panne, koksijde))
    both = _text(client.get("/progress/people"))
    assert "Anna Panne" in both and "Bram Koksijde" in both and "2 rows found" in both
    one = _text(client.get(f"/progress/people?organisation={koksijde.id}"))
    assert "Bram Koksijde" in one and "Anna Panne" not in one
    dashboard = client.get(f"/progress/?organisation={de_panne.id}").get_data(as_text=True)
    assert re.search(r'id="figure-in_progress".*?figure-number">1<', dashboard, re.S)
    assert re.search(r'id="figure-certified".*?figure-number">0<', dashboard, re.S)


@pytest.fixture
def app_config():
    return {"LMS_REPORT_PAGE_SIZE": 3}


def test_sorting_and_paging_keep_the_filters(app, client, make_user, towns, report_course,
                                            progress):  # fmt: skip
    de_panne, _koksijde = towns
    for index, sections in enumerate((0, 6, 2, 8, 4)):
        person = make_user(name=f"Person {chr(65 + index)}", organisation=de_panne)
        progress(person, report_course, sections)
    login(client, _coordinator(make_user, de_panne))
    html = client.get("/progress/people?sort=percent&order=desc").get_data(as_text=True)
    names = re.findall(r'<a href="/progress/people/\d+">(Person \w)</a>', html)
    assert names == ["Person D", "Person B", "Person E"]  # 100%, 75%, 50%
    assert 'aria-sort="descending"' in html
    next_page = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "sort=percent" in next_page and "order=desc" in next_page and "page=2" in next_page
    html = client.get(next_page).get_data(as_text=True)
    assert re.findall(r'<a href="/progress/people/\d+">(Person \w)</a>', html) == [
        "Person C",
        "Person A",
    ]


def test_a_report_states_its_filters_in_words(app, make_user, towns, report_course, progress):
    from lms.accounts.models import User
    from lms.learning.statuses import StatusSettings
    from lms.reporting.filters import ReportFilters
    from lms.reporting.reports import people_report

    de_panne, _koksijde = towns
    coordinator = _coordinator(make_user, de_panne)
    onthaal = department(app, de_panne, "Onthaal")
    args = {"department": str(onthaal.id), "course": "rapport", "status": "overdue", "q": "els"}
    with app.test_request_context(headers={"Accept-Language": "en"}):
        report = people_report(
            db.session,
            db.session.get(User, coordinator.id),
            ReportFilters.from_args(args),
            StatusSettings(today=date.today()),
            language="en",
        )
        stated = [(str(label), value) for label, value in report.applied_filters()]
    assert stated == [
        ("Department", "Onthaal"),
        ("Course", "Rapport"),
        ("Status", "Overdue"),
        ("Name or e-mail address", "els"),
    ]
