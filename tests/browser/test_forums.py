"""In a real Chromium: a learner posts, a colleague replies, a trainer moderates; axe-core
finds nothing on the forum pages, in Dutch and in French."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import enrol, log_in, skip_plan_prompt
from tests.browser.test_accessibility import run_axe

pytestmark = pytest.mark.browser

FORUM = "/courses/connectoo/activities/m1-forum"


def enrol_and_open_forum(page, base):
    page.goto(f"{base}/courses/connectoo")
    enrol(page)
    skip_plan_prompt(page)
    page.locator("#module-m1 a", has_text=re.compile("Forum")).click()
    page.wait_for_url(re.compile(r"/forums/m1-forum$"))


def test_post_reply_and_moderate(live_server, new_page, live_user):
    writer, colleague = live_user(), live_user(organisation="Oefendorp")
    trainer = live_user(roles=("trainer",))
    page = new_page()
    log_in(page, live_server, writer)
    enrol_and_open_forum(page, live_server)
    page.get_by_label(re.compile("Titel|Title")).fill("Een burger zonder smartphone")
    page.get_by_label(re.compile("Je bericht|Your message")).fill(
        "Ik toonde **stap voor stap** hoe CSAM werkt."
    )
    page.get_by_role("button", name=re.compile(r"^(Plaatsen|Post)$")).click()
    page.wait_for_url(re.compile(r"/threads/\d+"))
    thread_url = page.url.split("#")[0]
    assert page.locator(".post-body strong").inner_text() == "stap voor stap"

    other = new_page(javascript=False)  # works without JavaScript too
    log_in(other, live_server, colleague)
    enrol_and_open_forum(other, live_server)
    assert other.locator(".thread-unread").count() >= 1
    other.get_by_role("link", name="Een burger zonder smartphone").click()
    other.get_by_label(re.compile("Je antwoord|Your reply")).fill("Herkenbaar! Ik doe het zo.")
    reply = re.compile(r"^(Je antwoord plaatsen|Post your reply)$")
    other.get_by_role("button", name=reply).click()
    other.wait_for_url(re.compile(r"#post-\d+$"))
    assert other.locator(".post").count() == 2

    moderator = new_page()
    log_in(moderator, live_server, trainer)
    moderator.goto(thread_url)
    moderator.get_by_role("button", name=re.compile("Pin to the top|Bovenaan vastzetten")).click()
    moderator.get_by_role("button", name=re.compile("Close for replies|Sluiten")).click()
    moderator.locator(".post").nth(1).get_by_role(
        "button", name=re.compile("Hide|Verbergen")
    ).click()
    moderator.wait_for_load_state()
    assert moderator.locator(".post-hidden").count() == 1

    page.goto(thread_url)
    assert page.locator(".post").count() == 1  # the hidden reply is gone for learners
    assert page.locator("form[action$='/reply']").count() == 0  # closed
    page.goto(live_server + FORUM)
    assert page.locator(".thread-item .tag").count() >= 2  # pinned and closed


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_no_axe_violations_on_forum_pages(live_server, new_page, live_user, language):
    learner = live_user(language=language)
    page = new_page(language=language)
    log_in(page, live_server, learner)
    enrol_and_open_forum(page, live_server)
    problems = {"forum": run_axe(page)}
    page.get_by_role("button", name=re.compile(".")).filter(
        has_text=re.compile(r"^(Plaatsen|Post|Publier)$")
    ).click()  # empty: the error summary
    problems["forum with errors"] = run_axe(page)
    page.locator("#title").fill(f"Axe {language}")
    page.locator("#body").fill("- een\n- twee\n\n[link](https://www.belgium.be)")
    page.locator("form[action$='/threads'] button").click()
    page.wait_for_url(re.compile(r"/threads/\d+"))
    problems["thread"] = run_axe(page)
    for action in ("edit", "delete"):
        page.locator(f".post-actions a[href$='/{action}']").first.click()
        problems[action] = run_axe(page)
        page.go_back()
    colleague = new_page(language=language)
    log_in(colleague, live_server, live_user(language=language))
    enrol_and_open_forum(colleague, live_server)
    colleague.locator(".thread-title a").first.click()
    colleague.locator(".post-actions a[href$='/report']").first.click()
    problems["report"] = run_axe(colleague)
    trainer = new_page(language=language)
    log_in(trainer, live_server, live_user(roles=("trainer",), language=language))
    trainer.goto(f"{live_server}/forums/reports")
    problems["reports"] = run_axe(trainer)
    found = {
        name: [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
        for name, violations in problems.items()
        if violations
    }
    assert found == {}
