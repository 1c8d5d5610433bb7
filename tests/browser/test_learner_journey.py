"""A learner's day, in a real Chromium: keyboard only, without JavaScript, on a phone."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

COURSE = "connectoo"
LESSON_2_SECOND_SECTION = "m1-l2-inschatten"


def focused_text(page) -> str:
    return page.evaluate(
        "() => (document.activeElement && document.activeElement.innerText || '').trim()"
    )


def tab_to(page, pattern: str, limit: int = 120) -> None:
    """Press Tab until the focused element's text matches ``pattern``; fail if it never
    does (a control the keyboard cannot reach)."""
    regex = re.compile(pattern)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if regex.search(focused_text(page)):
            return
    raise AssertionError(f"could not reach {pattern!r} with the keyboard")


def activate(page, pattern: str) -> None:
    tab_to(page, pattern)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def percent(text: str, label: str) -> int:
    match = re.search(label + r"[^%]*?(\d+)% voltooid", text)
    assert match, f"no '{label}' percentage in the page"
    return int(match.group(1))


def walk_first_lesson_and_a_half(page, base: str) -> None:
    """From My learning: open Connectoo, enrol, open module 1's e-learning, read lesson 1 to
    the end and half of lesson 2, then leave the lesson. Keyboard only."""
    activate(page, r"^Connectoo$")
    activate(page, r"Inschrijven voor deze opleiding")
    activate(page, r"^Deze stap overslaan$")  # the learning-plan prompt (lms.plans)
    activate(page, r"Digitale inclusie en de digitale sleutels")
    assert re.search(r"/learn/m1-l1-", page.url)
    assert "Les 1 van 3" in page.inner_text("main")
    for _ in range(5):  # 4 sections of lesson 1, then into lesson 2
        activate(page, r"^Volgende")
    assert page.url.endswith(f"/learn/{LESSON_2_SECOND_SECTION}")
    assert "Les 2 van 3" in page.inner_text("main")
    activate(page, r"^Les verlaten$")
    assert page.url.endswith(f"/courses/{COURSE}#module-m1")


def check_same_numbers_everywhere(page, base: str) -> None:
    """6 of module 1's 13 sections: 46% of the e-learning. Module 1 also has a forum and a
    test (0%), so it is at 15%; the course has 7 modules, so 2%."""
    page.goto(f"{base}/")
    dashboard = page.inner_text("main")
    page.goto(f"{base}/courses/{COURSE}")
    course_page = page.inner_text("main")
    module_1 = page.inner_text("#module-m1")
    page.goto(f"{base}/courses/{COURSE}/continue")
    assert page.url.endswith(f"/learn/{LESSON_2_SECOND_SECTION}")
    player = page.inner_text("main")
    assert percent(player, "E-learning") == 46
    assert "6 van 13 delen" in module_1
    assert percent(module_1, "Module") == 15
    assert percent(dashboard, "Opleiding") == percent(course_page, "Opleiding") == 2


def test_keyboard_walk_leave_and_resume_elsewhere(live_server, new_page, live_user):
    learner = live_user()
    page = new_page()
    log_in(page, live_server, learner)
    walk_first_lesson_and_a_half(page, live_server)
    # Later, on another device: log in again and continue at the same section.
    other = new_page()
    log_in(other, live_server, learner)
    activate(other, r"^Verder leren")
    assert other.url.endswith(f"/learn/{LESSON_2_SECOND_SECTION}")
    check_same_numbers_everywhere(other, live_server)


def test_the_same_journey_without_javascript(live_server, new_page, live_user):
    learner = live_user()
    page = new_page(javascript=False)
    log_in(page, live_server, learner)
    walk_first_lesson_and_a_half(page, live_server)
    again = new_page(javascript=False)
    log_in(again, live_server, learner)
    check_same_numbers_everywhere(again, live_server)


@pytest.mark.parametrize("width", [320, 1280])
def test_nothing_overflows_horizontally(live_server, new_page, live_user, width, tmp_path):
    page = new_page(width=width)
    log_in(page, live_server, live_user(organisation="Oefendorp" if width > 320 else "Oefenstad"))
    page.goto(f"{live_server}/courses/{COURSE}")
    page.get_by_role("button", name="Inschrijven voor deze opleiding").click()
    for path in [
        "/",
        f"/courses/{COURSE}",
        f"/courses/{COURSE}/learn/m1-l1-drie-kloven",
        f"/courses/{COURSE}/learn/m3-l3-inloggen",
        "/profile",
        f"/courses/{COURSE}/activities/m1-forum",
    ]:
        page.goto(live_server + path)
        shot = tmp_path / f"{width}-{path.strip('/').replace('/', '_') or 'home'}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 5000
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} is {overflow}px too wide at {width}px"
