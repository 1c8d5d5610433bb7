"""In a real Chromium: the demo coordinator filters the people table to overdue, previews
and sends reminders, and finds them in the outbox and in the drill-down; a learner makes a
plan when starting a course and downloads the .ics. Without JavaScript; axe-core on every
new page in Dutch and French; screenshots at 320 px."""

from __future__ import annotations

import re
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.core.db import db
from lms.mail.models import OutgoingMail
from lms.reminders.models import MANUAL, Reminder
from tests.browser.conftest import enrol, log_in
from tests.browser.test_accessibility import run_axe

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "instance" / "screenshots"


def axe_problems(page) -> list:
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in run_axe(page)]


def _no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate(
        "window.innerWidth"
    ), page.url


def test_the_coordinator_reminds_the_overdue_without_javascript(live_app, live_server, new_page):
    page = new_page(javascript=False)
    log_in(page, live_server, "an.vermeulen@depanne.demo")
    page.goto(f"{live_server}/progress/people")
    page.get_by_label("Status", exact=True).select_option(label="Te laat")
    page.get_by_role("button", name="Tonen").click()
    assert "status=overdue" in page.url
    page.get_by_role("link", name="Een herinnering sturen naar de getoonde mensen").click()
    assert "/progress/reminders?status=overdue" in page.url
    count = page.locator("#reminder-count").inner_text()
    to_remind = page.locator("#to-remind tbody tr")
    assert to_remind.count() >= 2
    names = to_remind.locator("th").all_inner_texts()
    assert {"Sophie Dubois", "Karel Vandamme"} <= set(names)
    assert f"{to_remind.count()} herinneringen worden verstuurd" in count
    page.get_by_role("button", name=re.compile(r"herinneringen sturen$")).click()
    assert "/progress/people?status=overdue" in page.url
    assert "onderweg" in page.locator("main").inner_text()
    # In the outbox (the database), in each person's language.
    with live_app.app_context():
        rows = db.session.execute(
            select(User.email, OutgoingMail.language, OutgoingMail.subject)
            .join(Reminder, Reminder.user_id == User.id)
            .join(OutgoingMail, OutgoingMail.id == Reminder.mail_id)
            .where(Reminder.kind == MANUAL, Reminder.sent_by_id.is_not(None))
        ).all()
        by_person = {email: (language, subject) for email, language, subject in rows}
    assert by_person["sophie.dubois@depanne.demo"][0] == "fr"
    assert "rappel" in by_person["sophie.dubois@depanne.demo"][1].lower()
    assert by_person["karel.vandamme@depanne.demo"][0] == "nl"
    # And in the drill-down.
    page.get_by_role("link", name="Karel Vandamme").click()
    reminders = page.locator("#reminder-list").inner_text()
    assert "Gestuurd door An Vermeulen" in reminders
    assert "Automatisch: te laat sinds" in reminders  # the demo's job had reminded him too


def test_a_learner_plans_when_starting_and_downloads_the_ics(
    live_server, new_page, live_user, tmp_path
):
    login = live_user(organisation="Koksijde", language="nl")
    page = new_page(javascript=False)
    log_in(page, live_server, login)
    page.goto(f"{live_server}/courses/connectoo")
    page.get_by_role("button", name="Inschrijven voor deze opleiding").click()
    assert "/courses/connectoo/plan" in page.url
    page.get_by_role("heading", name="Plan wanneer je leert").wait_for()
    # A mistake first: 31 February.
    page.get_by_label("Eén keer, op een datum").check()
    page.get_by_label("Dag", exact=True).fill("31")
    page.get_by_label("Maand", exact=True).fill("2")
    page.get_by_label("Jaar", exact=True).fill("2030")
    page.get_by_label("Hoe laat?").fill("09:30")
    page.get_by_label("Aan mijn bureau").check()
    page.get_by_role("button", name="Mijn plan bewaren").click()
    summary = page.locator(".error-summary").inner_text()
    assert "bestaat niet" in summary or "twee jaar" in summary
    # Then a weekly plan.
    page.get_by_label("Op vaste dagen, elke week of om de paar weken").check()
    page.get_by_label("dinsdag").check()
    page.get_by_label("vrijdag").check()
    page.get_by_label("Hoe laat?").fill("13:15")
    page.get_by_label("Wat is je eerste stap? (niet verplicht)").fill("Module 0 openen")
    page.get_by_role("button", name="Mijn plan bewaren").click()
    page.get_by_role("heading", name="Je plan is bewaard").wait_for()
    assert (
        "Elke dinsdag en vrijdag, van 13:15 tot 13:45" in page.locator("#plan-summary").inner_text()
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="In mijn agenda zetten (.ics)").click()
    path = tmp_path / "plan.ics"
    download.value.save_as(path)
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert event["RRULE"]["BYDAY"] == ["TU", "FR"]
    assert str(event.decoded("DTSTART").tzinfo) == "Europe/Brussels"
    assert event.decoded("DTSTART").strftime("%H:%M") == "13:15"
    page.get_by_role("link", name="Nu beginnen met leren").click()
    assert "/courses/connectoo/learn/" in page.url


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_no_axe_violations_on_the_new_pages(live_app, live_server, new_page, live_user, language):
    problems = {}
    # A learner: the prompt (also with its messages), the confirmation, the preference page.
    learner = new_page(language=language)
    log_in(learner, live_server, live_user(organisation="Koksijde", language=language))
    learner.goto(f"{live_server}/courses/connectoo")
    enrol(learner)
    problems["prompt"] = axe_problems(learner)
    learner.locator("form[action*='/plan?'] button[type=submit]").first.click()
    problems["prompt with errors"] = axe_problems(learner)
    learner.goto(f"{live_server}/courses/connectoo/plan")
    learner.locator("#when-0").check()
    learner.locator("#weekdays-0").check()
    learner.locator("#time").fill("10:00")
    learner.locator("#place-1").check()
    learner.locator("form[action*='/plan?'] button[type=submit]").first.click()
    problems["saved"] = axe_problems(learner)
    learner.goto(f"{live_server}/")
    problems["my learning with a plan"] = axe_problems(learner)
    learner.goto(f"{live_server}/reminders/preferences")
    problems["preferences"] = axe_problems(learner)
    # A coordinator: the preview, the drill-down with reminders, the learning times.
    coordinator = new_page(language=language)
    log_in(coordinator, live_server, live_user(language=language, roles=("learner",),
                                               manages=True))  # fmt: skip
    with live_app.app_context():
        sophie = db.session.scalar(
            select(User.id).where(User.email == "sophie.dubois@depanne.demo")
        )
    for name, path in (
        ("preview", "/progress/reminders?status=overdue"),
        ("preview, nobody", "/progress/reminders?status=certified"),
        ("drill-down", f"/progress/people/{sophie}"),
        ("learning times", "/progress/learning-times"),
    ):
        coordinator.goto(live_server + path)
        assert coordinator.evaluate("document.documentElement.lang") == language
        problems[name] = axe_problems(coordinator)
    coordinator.get_by_role("link", name=re.compile("Onthaal")).first.click()
    problems["learning time form"] = axe_problems(coordinator)
    # The administrator: the experiment.
    admin = new_page(language=language)
    log_in(admin, live_server, "admin@connectoo.demo")
    admin.goto(f"{live_server}/language/{language}?next=/admin/experiment")
    problems["experiment"] = axe_problems(admin)
    found = {name: issues for name, issues in problems.items() if issues}
    assert found == {}


def test_the_prompt_and_the_preview_at_320_pixels(live_server, new_page, live_user):
    SHOTS.mkdir(parents=True, exist_ok=True)
    learner = new_page(width=320)
    log_in(learner, live_server, live_user(organisation="Koksijde"))
    learner.goto(f"{live_server}/courses/connectoo")
    enrol(learner)
    _no_horizontal_scroll(learner)
    learner.screenshot(path=str(SHOTS / "plan-prompt-320.png"), full_page=True)
    coordinator = new_page(width=320)
    log_in(coordinator, live_server, "rita.lambrecht@westkust.demo")
    coordinator.goto(f"{live_server}/progress/reminders?mandatory=mandatory")
    _no_horizontal_scroll(coordinator)
    coordinator.screenshot(path=str(SHOTS / "reminder-preview-320.png"), full_page=True)
