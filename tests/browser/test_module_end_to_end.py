"""A Connectoo module completed end to end in the browser: the e-learning read, a forum post
written and the test passed. Module 1 then shows as done, and the course progress moves."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import enrol, log_in, skip_plan_prompt
from tests.browser.test_assessment import TEST, answer_and_continue, choose, open_snapshot

pytestmark = pytest.mark.browser


def test_connectoo_module_1_end_to_end(live_app, live_server, new_page, live_user):
    login = live_user()
    page = new_page()
    log_in(page, live_server, login)
    page.goto(f"{live_server}/courses/connectoo")
    enrol(page)
    skip_plan_prompt(page)

    # 1. The e-learning: every section, by following "Volgende" to the end.
    # Each click waits for the next page to load: counting the links while the browser is
    # still between two pages could find none and leave the loop early.
    with page.expect_navigation():
        page.locator("#module-m1 a", has_text="Digitale inclusie en de digitale sleutels").click()
    sections = 1
    for _ in range(40):
        next_link = page.locator("a[rel=next]")
        if next_link.count() == 0:
            break
        with page.expect_navigation():
            next_link.click()
        sections += 1
    assert sections == 13, f"followed 'Volgende' through {sections} sections, expected 13"
    with page.expect_navigation():
        page.locator(".pager a.button").last.click()  # "Afronden en terug naar de module"
    module = page.locator("#module-m1")
    assert "13 van 13 delen" in module.inner_text()

    # 2. The forum: one post (required_posts: 1).
    module.locator("a", has_text=re.compile("Forum")).click()
    page.get_by_label(re.compile("Titel|Title")).fill("Mijn eerste burger met CSAM")
    page.get_by_label(re.compile("Je bericht|Your message")).fill(
        "Ik hielp een meneer met **itsme** activeren, stap voor stap."
    )
    page.get_by_role("button", name=re.compile(r"^(Plaatsen|Post)$")).click()
    page.wait_for_load_state()
    assert page.locator(".post").count() == 1

    # 3. The test, answered right.
    page.goto(f"{live_server}{TEST}")
    page.locator(f"form[action='{TEST}/start'] button").click()
    for question in open_snapshot(live_app, login):
        choose(page, question, right=True)
        answer_and_continue(page)
    page.locator(f"form[action='{TEST}/submit'] button").click()
    page.wait_for_url(re.compile(r".*/result\?attempt=1$"))
    assert page.locator(".result-passed").count() == 1

    # Module 1 is complete; the course moved by one module of seven.
    page.goto(f"{live_server}/courses/connectoo")
    module_text = page.inner_text("#module-m1")
    assert "Module: 100% voltooid" in module_text
    assert "Klaar" in module_text or "Geslaagd" in module_text
    course_line = page.inner_text(".course-summary")
    assert re.search(r"Opleiding: 14% voltooid", course_line), course_line  # 1 of 7 modules
