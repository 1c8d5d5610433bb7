"""In a real Chromium: a trainer plans a webinar date, a learner registers and downloads the
invitation, the trainer marks attendance and the learner's module is complete; axe-core finds
nothing on the session pages, in Dutch and in French."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from lms.core.db import db
from lms.live.dates import to_utc
from tests.browser.conftest import enrol, log_in, skip_plan_prompt
from tests.browser.test_accessibility import run_axe

pytestmark = pytest.mark.browser

COURSE = """\
id: webinar-mini
title: {nl: Samen oefenen, fr: S'exercer ensemble}
languages: [nl, fr]
enrolment: open
modules:
  - id: w1
    title: {nl: Het webinar, fr: Le webinaire}
    activities:
      - id: w1-webinar
        type: webinar
        title: {nl: Webinar verbindend communiceren, fr: Webinaire communication}
        description: {nl: Breng een situatie mee., fr: Apportez une situation.}
        duration_minutes: 60
        capacity: 10
"""
ACTIVITY = "/courses/webinar-mini/sessions/w1-webinar"


@pytest.fixture(scope="module")
def mini_course(live_app, tmp_path_factory):
    from lms.authoring.importer import import_paths

    path = tmp_path_factory.mktemp("mini") / "webinar-mini.yaml"
    path.write_text(COURSE, encoding="utf-8")
    with live_app.app_context():
        import_paths(db.session, [path], certificates_dir=None)
        db.session.commit()
    return "webinar-mini"


def plan_a_date(page, base, day: date, link: str) -> None:
    page.goto(base + ACTIVITY + "/new")
    page.locator("#day").fill(day.isoformat())  # a date input takes the ISO form
    page.locator("#start").fill("14:00")
    page.locator("#link").fill(link)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/sessions/w1-webinar$"))


def test_register_download_invitation_attend_and_complete(
    live_server, new_page, live_user, mini_course, tmp_path
):
    trainer_page = new_page()
    log_in(trainer_page, live_server, live_user(roles=("trainer",)))
    day = date.today() + timedelta(days=14)
    plan_a_date(trainer_page, live_server, day, "https://meet.example.be/mini")

    page = new_page()
    log_in(page, live_server, live_user())
    page.goto(f"{live_server}/courses/{mini_course}")
    enrol(page)
    skip_plan_prompt(page)
    page.locator("#module-w1 a", has_text="Webinar verbindend communiceren").click()
    page.wait_for_url(re.compile(r"/sessions/w1-webinar$"))
    page.locator(".session").last.get_by_role(
        "button", name=re.compile("Register|Inschrijven")
    ).click()
    session = page.locator(".session").last
    assert session.locator(".session-mine").count() == 1
    assert "https://meet.example.be/mini" in session.inner_text()
    with page.expect_download() as download:
        session.locator("a[href$='/invite.ics']").click()
    saved = tmp_path / "invite.ics"
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert "BEGIN:VEVENT" in text
    # 14:00 in Brussels, written in UTC (12:00 or 13:00, summer or winter time).
    start = to_utc(day, time(14, 0), ZoneInfo("Europe/Brussels"))
    assert f"DTSTART:{start:%Y%m%dT%H%M%SZ}" in text
    name = page.locator(".account-name").inner_text()

    trainer_page.goto(live_server + ACTIVITY)
    trainer_page.locator(".session").last.locator("a[href$='/attendance']").click()
    trainer_page.get_by_label(name).check()
    trainer_page.locator("form[action$='/attendance'] button").click()
    trainer_page.wait_for_load_state()
    assert trainer_page.locator(".tag-green").count() >= 1

    page.goto(f"{live_server}/courses/{mini_course}")
    assert page.locator("#module-w1 .module-head .status-green").count() == 1
    assert "100%" in page.locator(".course-summary").inner_text()


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_no_axe_violations_on_session_pages(
    live_server, new_page, live_user, mini_course, language
):
    trainer = new_page(language=language)
    log_in(trainer, live_server, live_user(roles=("trainer",), language=language))
    trainer.goto(live_server + ACTIVITY + "/new")
    problems = {"plan": run_axe(trainer)}
    trainer.locator("form button[type=submit]").last.click()  # nothing filled in
    problems["plan with errors"] = run_axe(trainer)
    plan_a_date(
        trainer,
        live_server,
        date.today() + timedelta(days=20),
        f"https://meet.example.be/{language}",
    )
    learner = new_page(language=language)
    log_in(learner, live_server, live_user(language=language))
    learner.goto(f"{live_server}/courses/{mini_course}")
    enrol(learner)
    learner.goto(live_server + ACTIVITY)
    problems["dates"] = run_axe(learner)
    learner.locator(".session").last.locator("form[action$='/register'] button").click()
    problems["registered"] = run_axe(learner)
    trainer.goto(live_server + ACTIVITY)
    problems["dates (trainer)"] = run_axe(trainer)
    trainer.locator(".session").last.locator("a[href$='/attendance']").click()
    problems["attendance"] = run_axe(trainer)
    found = {
        name: [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
        for name, violations in problems.items()
        if violations
    }
    assert found == {}
