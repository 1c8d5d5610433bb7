"""Tests (assessment) in a real Chromium: a Connectoo test taken to a pass (without
JavaScript) and to a fail, an attempt resumed after logging out, and axe-core on every test
page (every question type, the timer, an error) in Dutch and French.

Which answers are right is read from the attempt's snapshot on the server, as a test of the
pages (the page itself never says it)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.assessment.models import OPEN, Attempt
from lms.core.db import db
from tests.assessment.conftest import bank_yaml
from tests.browser.conftest import enrol, log_in

pytestmark = pytest.mark.browser

TEST = "/courses/connectoo/tests/m1-test"


def open_snapshot(live_app, login: str) -> list[dict]:
    with live_app.app_context():
        user = db.session.scalar(select(User).where(User.email == login))
        attempt = db.session.scalar(
            select(Attempt).where(Attempt.user_id == user.id, Attempt.status == OPEN)
        )
        return attempt.questions


def last_attempt(live_app, login: str) -> Attempt:
    with live_app.app_context():
        user = db.session.scalar(select(User).where(User.email == login))
        return db.session.scalars(
            select(Attempt).where(Attempt.user_id == user.id).order_by(Attempt.number.desc())
        ).first()


def choose(page, question: dict, right: bool) -> None:
    """Tick the right (or a wrong) answer of a Connectoo question, like a person would."""
    settings = question["settings"]
    if question["type"] == "true_false":
        value = settings["answer"] if right else not settings["answer"]
        page.locator(f"#answer-{str(value).lower()}").check()
        return
    if question["type"] == "matching":
        items = settings["items"]
        for index, item in enumerate(items):  # wrong: each item gets its neighbour's match
            match = item["match"] if right else items[(index + 1) % len(items)]["match"]
            page.locator(f"select[name='match-{item['id']}']").select_option(match)
        return
    if question["type"] == "ordering":
        items = settings["items"]
        for index, item in enumerate(items):  # the key's order, or reversed
            place = index + 1 if right else len(items) - index
            page.locator(f"select[name='position-{item['id']}']").select_option(str(place))
        return
    if question["type"] == "short_answer":
        if settings.get("number") is not None:
            text = str(settings["number"] if right else settings["number"] + 1000)
        else:
            text = settings["accepted"][0] if right else "weet ik niet"
        page.locator("input[name=answer]").fill(text)
        return
    correct = [c["id"] for c in settings["choices"] if c.get("correct")]
    wrong = [c["id"] for c in settings["choices"] if not c.get("correct")]
    for choice_id in correct if right else wrong[:1]:
        page.locator(f"#answer-{choice_id}").check()


def shows_right_answer(page, question: dict) -> bool:
    """Whether the question page shows the right answer as already given (a resumed
    attempt): the shape of the check follows the question type, as `choose` does."""
    settings = question["settings"]
    if question["type"] == "true_false":
        return page.locator(f"#answer-{str(settings['answer']).lower()}").is_checked()
    if question["type"] == "matching":
        return all(
            page.locator(f"select[name='match-{item['id']}']").input_value() == item["match"]
            for item in settings["items"]
        )
    if question["type"] == "ordering":
        return all(
            page.locator(f"select[name='position-{item['id']}']").input_value() == str(place)
            for place, item in enumerate(settings["items"], start=1)
        )
    if question["type"] == "short_answer":
        value = page.locator("input[name=answer]").input_value()
        if settings.get("number") is not None:
            return value == str(settings["number"])
        return value == settings["accepted"][0]
    correct = [c["id"] for c in settings["choices"] if c.get("correct")]
    return bool(correct) and all(page.locator(f"#answer-{c}").is_checked() for c in correct)


def enrol_and_open_test(page, base: str) -> None:
    page.goto(f"{base}/courses/connectoo")
    enrol(page)
    page.goto(f"{base}{TEST}")
    page.locator(f"form[action='{TEST}/start'] button").click()
    page.wait_for_url(f"{base}{TEST}/question?n=1")


def answer_and_continue(page) -> None:
    page.locator("button[name=go]").first.click()
    page.wait_for_load_state()


def take_test(page, live_app, base: str, login: str, right: bool) -> None:
    enrol_and_open_test(page, base)
    questions = open_snapshot(live_app, login)
    assert len(questions) == 10
    for number, question in enumerate(questions, start=1):
        assert page.url.endswith(f"/question?n={number}")
        choose(page, question, right)
        answer_and_continue(page)
    assert page.url.endswith(f"{TEST}/review")
    assert page.locator(".review-change").count() == 10
    page.locator(f"form[action='{TEST}/submit'] button").click()
    page.wait_for_url(f"{base}{TEST}/result?attempt=1")


def test_a_connectoo_test_to_a_pass_without_javascript(live_app, live_server, new_page, live_user):
    login = live_user()
    page = new_page(javascript=False)
    log_in(page, live_server, login)
    take_test(page, live_app, live_server, login, right=True)
    assert page.locator(".result-passed").count() == 1
    assert "10 " in page.inner_text(".result-score")
    attempt = last_attempt(live_app, login)
    assert attempt.passed and attempt.raw_score == 10.0
    page.goto(f"{live_server}/courses/connectoo")
    assert "Geslaagd" in page.inner_text("#module-m1")


def test_a_connectoo_test_to_a_fail(live_app, live_server, new_page, live_user):
    login = live_user()
    page = new_page()
    log_in(page, live_server, login)
    take_test(page, live_app, live_server, login, right=False)
    assert page.locator(".result-failed").count() == 1
    attempt = last_attempt(live_app, login)
    assert not attempt.passed and attempt.raw_score == 0.0
    # Two attempts are left: the learner can try again.
    assert page.locator(f"form[action='{TEST}/start'] button").count() == 1


def test_resume_an_unfinished_attempt_after_logging_out(live_app, live_server, new_page, live_user):
    login = live_user()
    page = new_page()
    log_in(page, live_server, login)
    enrol_and_open_test(page, live_server)
    questions = open_snapshot(live_app, login)
    for question in questions[:2]:
        choose(page, question, right=True)
        answer_and_continue(page)
    page.locator("form[action$='/logout'] button").click()
    page.wait_for_url(f"{live_server}/login**")

    again = new_page()
    log_in(again, live_server, login)
    again.goto(f"{live_server}{TEST}")
    again.locator(f"form[action='{TEST}/start'] button").click()
    again.wait_for_url(f"{live_server}{TEST}/question?n=3")
    for number, question in enumerate(questions[:2], start=1):
        # The question order is drawn per attempt, so the first two can be of any type.
        again.goto(f"{live_server}{TEST}/question?n={number}")
        assert shows_right_answer(again, question), (number, question["type"])
    assert last_attempt(live_app, login).number == 1


def run_axe(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    return [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
    ]


@pytest.fixture(scope="module")
def every_type_course(live_app, tmp_path_factory):
    """A closed course (not offered to other tests' learners) whose timed test has every
    question type, next to Connectoo on the live server."""
    from lms.authoring.importer import import_paths
    from tests.assessment.conftest import activity_yaml
    from tests.learning.conftest import course_yaml

    folder = tmp_path_factory.mktemp("every-type")
    (folder / "courses").mkdir()
    (folder / "quizzes").mkdir()
    course = folder / "courses" / "alle-soorten.yaml"
    course.write_text(
        course_yaml(
            "alle-soorten",
            1,
            lessons=1,
            sections=1,
            enrolment="closed",
            extra_activities=activity_yaml("alle-soorten-bank", time_limit_minutes=30),
        ),
        encoding="utf-8",
    )
    bank = folder / "quizzes" / "alle-soorten-bank.yaml"
    bank.write_text(bank_yaml("alle-soorten-bank"), encoding="utf-8")
    with live_app.app_context():
        import_paths(db.session, [course, bank], certificates_dir=None)
        db.session.commit()
    return "alle-soorten"


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_no_axe_violations_on_test_pages(
    live_app, live_server, new_page, live_user, every_type_course, language
):
    from lms.catalog.queries import get_course_def
    from lms.learning.services import enrol

    login = live_user(language=language)
    with live_app.app_context():
        user = db.session.scalar(select(User).where(User.email == login))
        enrol(db.session, user, get_course_def(db.session, every_type_course))
        db.session.commit()
    page = new_page(language=language)
    log_in(page, live_server, login)
    base = f"/courses/{every_type_course}/tests/m1-test"
    problems = {}
    page.goto(live_server + base)
    assert page.evaluate("document.documentElement.lang") == language
    problems["test page"] = run_axe(page)
    page.locator(f"form[action='{base}/start'] button").click()
    for number in range(1, 8):
        page.goto(f"{live_server}{base}/question?n={number}")
        assert page.locator("#test-timer").count() == 1
        problems[f"question {number}"] = run_axe(page)
    # An answer the form refuses: the page with its error summary.
    kinds = open_snapshot(live_app, login)
    number = next(
        i
        for i, q in enumerate(kinds, start=1)
        if q["type"] == "short_answer" and q["settings"].get("number") is not None
    )
    page.goto(f"{live_server}{base}/question?n={number}")
    page.locator("#answer").fill("vier")
    page.locator("button[name=go]").first.click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1
    problems["question with an error"] = run_axe(page)
    page.goto(f"{live_server}{base}/review")
    problems["review"] = run_axe(page)
    page.locator(f"form[action='{base}/submit'] button").click()
    page.wait_for_url(f"{live_server}{base}/result?attempt=1")
    problems["result"] = run_axe(page)
    assert {where: found for where, found in problems.items() if found} == {}
