"""The plan prompt: shown when a person starts a course (self-enrolment, first "Continue" of
an assigned course) and from My learning; skippable; clear messages for plans that cannot
be; the department's suggested time as the default; the plan as a valid .ics file."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import select

from lms.core.db import db
from lms.learning.statuses import StatusSettings
from lms.plans.models import DepartmentPlanTime, LearningPlan
from tests.conftest import csrf_token, login
from tests.reporting.conftest import department

WEEKLY = {
    "when": "weekly",
    "weekdays": ["MO", "TH"],
    "every": "1",
    "time": "09:30",
    "minutes": "30",
    "place": "desk",
    "first_step": "Module 1 openen",
    "if_then": "Als er een burger komt, dan leer ik na de middag.",
}


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def _enrol(client, slug: str):
    token = csrf_token(client, f"/courses/{slug}")
    return client.post(f"/courses/{slug}/enrol", data={"csrf_token": token})


def _post_plan(client, slug: str, data: dict, next_url: str | None = None):
    token = csrf_token(client, f"/courses/{slug}/plan")
    url = f"/courses/{slug}/plan" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={**data, "csrf_token": token})


@pytest.fixture
def learner(client, make_user, towns):
    de_panne, _ = towns
    user = make_user(name="Els Peeters", organisation=de_panne, language="en")
    login(client, user)
    return user


def test_self_enrolment_leads_to_the_prompt_then_to_the_course(client, learner, report_course):
    response = _enrol(client, "rapport")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/courses/rapport/plan?") and "start=1" in location
    page = client.get(location)
    assert page.status_code == 200
    text = _text(page)
    assert "Plan when you learn" in text and "Skip this step" in text
    assert "Name a time of day" in text
    saved = _post_plan(client, "rapport", WEEKLY, next_url="/courses/rapport/continue")
    assert saved.status_code == 302
    confirmation = client.get(saved.headers["Location"])
    text = _text(confirmation)
    assert "Your plan is saved" in text
    assert "Every Monday and Thursday, 9:30 AM to 10:00 AM" in text
    assert 'href="/courses/rapport/continue"' in confirmation.get_data(as_text=True)
    # Started with a plan: Continue goes straight to the first section.
    resume = client.get("/courses/rapport/continue")
    assert resume.headers["Location"].endswith("/courses/rapport/learn/m1-l1-s1")


def test_an_assigned_course_shows_the_prompt_on_its_first_continue_only(
    app, client, learner, towns, report_course, add_rule
):
    de_panne, _ = towns
    add_rule(de_panne, report_course, person=learner, due_kind="none")
    first = client.get("/courses/rapport/continue")
    assert first.headers["Location"].startswith("/courses/rapport/plan?")
    token = csrf_token(client, "/courses/rapport/plan")
    skip = client.post(
        "/courses/rapport/plan/skip?next=/courses/rapport/learn/m1-l1-s1",
        data={"csrf_token": token},
    )
    assert skip.headers["Location"] == "/courses/rapport/learn/m1-l1-s1"
    # Skipped: not again by itself, but My learning still offers it.
    assert client.get("/courses/rapport/continue").headers["Location"].endswith("m1-l1-s1")
    home = client.get("/").get_data(as_text=True)
    assert "/courses/rapport/plan?next=" in home and "Plan when you learn" in home


def test_a_course_begun_before_shows_no_prompt(client, learner, report_course, progress):
    progress(learner, report_course, 1)
    assert client.get("/courses/rapport/continue").headers["Location"].endswith("m1-l1-s1")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"when": "once", "day": "31", "month": "2", "year": "{year}"},
            "day",
            "31 February {year} does not exist. Check the day and the month.",
        ),
        (
            {"when": "once", "day": "{dst_day}", "month": "3", "year": "{year}", "time": "02:30"},
            "time",
            "02:30 does not exist on {dst_long}: the clocks go forward that night.",
        ),
        (
            {"weekdays": ["SU"], "time": "2:30"},
            "time",
            "does not exist on {dst_long}: the clocks go forward that night.",
        ),
        ({"every": "0"}, "every", "Repeat at least every week"),
        ({"every": "twee"}, "every", "Repeat at least every week"),
        ({"weekdays": []}, "weekdays", "Choose at least one day of the week."),
        ({"time": ""}, "time", "Give a time of day, for example 09:30."),
        ({"time": "25:10"}, "time", "Give a time between 00:00 and 23:59"),
        ({"place": "other"}, "place_other", "Say where you will learn."),
        ({"place": ""}, "place", "Choose where you will learn."),
        ({"when": ""}, "when", "Choose whether you learn on set days or once"),
        ({"when": "once", "day": "", "month": "", "year": ""}, "day", "Give the date"),
        ({"when": "once", "day": "1", "month": "13", "year": "{year}"}, "day", "from 1 to 12"),
        ({"first_step": "x" * 301}, "first_step", "Use at most 300 characters."),
    ],
)
def test_plans_that_cannot_be_get_a_clear_message(
    app, client, learner, report_course, changes, field, message
):
    _enrol(client, "rapport")
    year = StatusSettings.from_config(app.config).today.year + 1
    # The last Sunday of March next year: the clocks go forward at 02:00.
    dst = max(date(year, 3, d) for d in range(25, 32) if date(year, 3, d).weekday() == 6)
    values = {"year": year, "dst_day": dst.day, "dst_long": f"March {dst.day}, {year}"}
    data = {**WEEKLY, **{k: v.format(**values) if isinstance(v, str) else v
                         for k, v in changes.items()}}  # fmt: skip
    response = _post_plan(client, "rapport", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    assert message.format(**values) in " ".join(summary.split())
    anchor = f"#{field}-0" if field in ("when", "weekdays", "minutes", "place") else f"#{field}"
    assert anchor in summary
    with app.app_context():
        assert db.session.scalar(select(LearningPlan.id)) is None


def test_a_past_date_is_refused(app, client, learner, report_course):
    _enrol(client, "rapport")
    yesterday = StatusSettings.from_config(app.config).today - timedelta(days=1)
    response = _post_plan(
        client,
        "rapport",
        {**WEEKLY, "when": "once", "day": str(yesterday.day), "month": str(yesterday.month),
         "year": str(yesterday.year)},
    )  # fmt: skip
    assert response.status_code == 422
    assert "This date has passed" in response.get_data(as_text=True)


def test_the_department_suggestion_is_the_default(app, client, make_user, towns, report_course):
    de_panne, _ = towns
    onthaal = department(app, de_panne, "Onthaal")
    with app.app_context():
        db.session.add(
            DepartmentPlanTime(
                department_id=onthaal.id, weekdays="TU,FR", start_time=time(8, 15),
                duration_minutes=45,
            )
        )  # fmt: skip
        db.session.commit()
    user = make_user(organisation=de_panne, department=onthaal, language="en")
    login(client, user)
    _enrol(client, "rapport")
    html = client.get("/courses/rapport/plan").get_data(as_text=True)
    assert "Your team agreed on a learning time" in html
    assert re.search(r'<input checked[^>]*value="TU"', html)
    assert re.search(r'<input checked[^>]*value="FR"', html)
    assert not re.search(r'<input checked[^>]*value="MO"', html)
    assert 'value="08:15"' in html
    assert re.search(r'<input checked[^>]*value="45"', html)


def test_the_plan_downloads_as_a_valid_calendar_entry(app, client, learner, report_course):
    _enrol(client, "rapport")
    _post_plan(client, "rapport", {**WEEKLY, "every": "2", "place": "other",
                                   "place_other": "Vergaderzaal 2"})  # fmt: skip
    response = client.get("/courses/rapport/plan.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert b"\r\n" in raw and all(len(line) <= 75 for line in raw.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(raw)
    (event,) = calendar.walk("VEVENT")
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Brussels"
    rule = event["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["INTERVAL"] == [2]
    assert rule["BYDAY"] == ["MO", "TH"]
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and str(start.tzinfo) == "Europe/Brussels"
    assert start.time() == time(9, 30) and start.weekday() in (0, 3)
    today = StatusSettings.from_config(app.config).today
    assert today <= start.date() < today + timedelta(days=7)
    assert event.decoded("DTEND") - start == timedelta(minutes=30)
    assert str(event["LOCATION"]) == "Vergaderzaal 2"
    assert str(event["URL"]) == "http://127.0.0.1/courses/rapport/continue"
    description = str(event["DESCRIPTION"])
    assert "Module 1 openen" in description and "/courses/rapport/continue" in description
    assert str(event["SUMMARY"]) == "Learning: Rapport"
    # The times agree with the zone's rules: the same wall-clock time in summer and winter.
    assert (
        start.utcoffset()
        == datetime.combine(
            start.date(), time(9, 30), tzinfo=ZoneInfo("Europe/Brussels")
        ).utcoffset()
    )


def test_a_single_date_plan_has_no_rule(app, client, learner, report_course):
    _enrol(client, "rapport")
    day = StatusSettings.from_config(app.config).today + timedelta(days=10)
    _post_plan(client, "rapport", {**WEEKLY, "when": "once", "day": str(day.day),
                                   "month": str(day.month), "year": str(day.year),
                                   "time": "14:00"})  # fmt: skip
    calendar = icalendar.Calendar.from_ical(client.get("/courses/rapport/plan.ics").get_data())
    (event,) = calendar.walk("VEVENT")
    assert "RRULE" not in event
    assert event.decoded("DTSTART") == datetime.combine(
        day, time(14, 0), tzinfo=ZoneInfo("Europe/Brussels")
    )


def test_my_learning_shows_the_plan_and_it_can_be_changed_or_removed(
    app, client, learner, report_course
):
    _enrol(client, "rapport")
    _post_plan(client, "rapport", WEEKLY)
    home = _text(client.get("/"))
    assert "Your plan: Every Monday and Thursday, 9:30 AM to 10:00 AM." in home
    _post_plan(client, "rapport", {**WEEKLY, "weekdays": ["WE"], "time": "16:00"})
    assert "Every Wednesday, 4:00 PM to 4:30 PM" in _text(client.get("/"))
    with app.app_context():
        assert db.session.scalar(select(LearningPlan.rrule)) == "FREQ=WEEKLY;INTERVAL=1;BYDAY=WE"
    token = csrf_token(client, "/courses/rapport/plan")
    client.post("/courses/rapport/plan/remove", data={"csrf_token": token})
    assert "Your plan:" not in _text(client.get("/"))
    assert client.get("/courses/rapport/plan.ics").status_code == 404


def test_no_plan_pages_for_a_course_one_is_not_in(client, learner, report_course):
    assert client.get("/courses/rapport/plan").headers["Location"].endswith("/courses/rapport")
    assert client.get("/courses/rapport/plan.ics").status_code == 404
    assert client.get("/courses/nope/plan").status_code == 404
    assert client.get("/courses/rapport/plan?next=https://evil.example").status_code == 302


def test_the_next_address_stays_on_the_site(client, learner, report_course):
    _enrol(client, "rapport")
    response = _post_plan(client, "rapport", WEEKLY, next_url="https://evil.example/x")
    saved = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "evil.example" not in saved
