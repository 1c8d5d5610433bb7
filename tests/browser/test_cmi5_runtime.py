"""The AUs of a cmi5 package, run in Chromium and launched by a small cmi5 LMS of the tests'
own (``cmi5_lms.py``): they send cmi5-conformant statements (``rules.py``) that also pass
Ralph's strict xAPI model, in the learner's language, with the LMS's test scoring."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
import requests
from lxml import etree

from lms.app import create_app
from lms.authoring.builtin import default_registries
from lms.cmi5.package import export_package
from lms.cmi5.source import CourseSource, load_course
from lms.cmi5.structure import NAMESPACE
from tests.cmi5.cmi5_lms import Cmi5LMS
from tests.cmi5.content import write_content
from tests.cmi5.rules import move_on_satisfied, session_problems, verbs
from tests.xapi.ralph import XAPI_HEADERS, validate_with_ralph

pytestmark = pytest.mark.browser

NS = {"c": NAMESPACE}


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[CourseSource, Path]:
    root = tmp_path_factory.mktemp("cmi5")
    courses, quizzes = write_content(root / "content")
    instance = root / "instance"
    app = create_app(
        {
            "TESTING": True,
            "LMS_INSTANCE_PATH": str(instance),
            "LMS_DATABASE_URL": f"sqlite:///{instance / 'unused.sqlite3'}",
            "LMS_DEMO": "no",
        }
    )
    with app.app_context():
        source = load_course(courses, quizzes, "cmi5-demo")
        export_package(source, None, root / "package.zip")
    folder = root / "package"
    with zipfile.ZipFile(root / "package.zip") as archive:
        archive.extractall(folder)
    return source, folder


@pytest.fixture(scope="module")
def lms(exported):
    with Cmi5LMS(exported[1]) as lms:
        yield lms


def au(exported, activity_id: str) -> dict[str, Any]:
    """The AU's entry in cmi5.xml: what an importing LMS reads to launch it."""
    document = etree.parse(str(exported[1] / "cmi5.xml"))
    (element,) = [
        e for e in document.iterfind(".//c:au", NS) if e.get("id").endswith(f"/{activity_id}")
    ]
    mastery = element.get("masteryScore")
    return {
        "url": element.findtext("c:url", namespaces=NS),
        "publisher_id": element.get("id"),
        "move_on": element.get("moveOn"),
        "mastery_score": float(mastery) if mastery is not None else None,
    }


def check(lms, session, ralph_python, earlier=()) -> list[str]:
    """Every problem of the session: cmi5 rules, Ralph's xAPI model, the test LMS's refusals."""
    problems = session_problems(session.statements, session.launch, earlier)
    problems += validate_with_ralph(ralph_python, session.statements)
    problems += lms.refused
    if session.fetch_calls != 1:
        problems.append(f"the fetch URL was called {session.fetch_calls} times")
    return problems


def open_au(new_page, url: str, language: str = "nl-BE"):
    page = new_page(language=language)
    page.goto(url)
    page.locator(".au-version:visible h1:visible").first.wait_for()
    return page


# E-learning ----------------------------------------------------------------------------------


def test_an_elearning_reports_initialized_completed_terminated(
    exported, lms, new_page, ralph_python
):
    unit = au(exported, "m1-elearning")
    url, session = lms.launch(unit["url"], unit["publisher_id"], move_on=unit["move_on"])
    page = open_au(new_page, url)
    assert page.locator("h1:visible").inner_text() == "Welkom"
    assert page.locator("#au-progress").inner_text() == "33% voltooid"
    page.get_by_role("button", name="Volgende").click()
    page.get_by_role("button", name="Volgende").click()
    assert page.locator("h1:visible").inner_text() == "Een video"
    page.get_by_role("button", name="Afronden").click()
    page.wait_for_url(re.compile(r"/returned$"))
    assert verbs(session.statements) == ["launched", "initialized", "completed", "terminated"]
    assert check(lms, session, ralph_python) == []
    assert move_on_satisfied(session.launch.move_on, set(verbs(session.statements)))


@pytest.mark.lrs
def test_a_real_lrs_stores_the_sessions_statements(exported, lms, new_page, ralph):
    """The test LMS keeps what the AU sends; here it hands the session on to Ralph, as an LMS
    in front of its LRS would, and reads it back."""
    unit = au(exported, "m1-elearning")
    url, session = lms.launch(unit["url"], unit["publisher_id"], move_on=unit["move_on"])
    page = open_au(new_page, url)
    page.get_by_role("button", name="Module verlaten").click()
    page.wait_for_url(re.compile(r"/returned$"))
    response = requests.post(
        ralph.url + "statements",
        json=session.statements,
        auth=(ralph.username, ralph.password),
        headers=XAPI_HEADERS,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    stored = ralph.statements(registration=session.launch.registration)
    assert {s["id"] for s in stored} == {s["id"] for s in session.statements}


def test_the_learner_comes_back_where_they_left_and_completes_once(
    exported, lms, new_page, ralph_python
):
    unit = au(exported, "m1-elearning")
    url, first = lms.launch(unit["url"], unit["publisher_id"], move_on=unit["move_on"])
    page = open_au(new_page, url)
    for _ in range(2):
        page.get_by_role("button", name="Volgende").click()
    page.get_by_role("button", name="Vorige").click()
    page.get_by_role("button", name="Module verlaten").click()
    page.wait_for_url(re.compile(r"/returned$"))
    assert check(lms, first, ralph_python) == []
    # A new session of the same registration: back on the second section, all of it seen.
    registration = first.launch.registration
    url, second = lms.launch(
        unit["url"], unit["publisher_id"], move_on=unit["move_on"], registration=registration
    )
    page = open_au(new_page, url)
    assert page.locator("h1:visible").inner_text() == "Aan het loket"
    assert page.locator("#au-progress").inner_text() == "100% voltooid"
    # Reaching the end again: no second "completed" in the registration.
    page.get_by_role("button", name="Volgende").click()
    page.get_by_role("button", name="Afronden").click()
    page.wait_for_url(re.compile(r"/returned$"))
    earlier = verbs(first.statements)
    assert "completed" in earlier
    assert verbs(second.statements) == ["launched", "initialized", "terminated"]
    assert check(lms, second, ralph_python, earlier) == []


@pytest.mark.parametrize(
    ("preference", "browser_language", "title", "page_language"),
    [
        ("fr-BE,nl-BE", "nl-BE", "Bienvenue", "fr-BE"),  # the LMS's preference first
        (None, "fr-FR", "Bienvenue", "fr-BE"),  # then the browser's language
        (None, "de-DE", "Welkom", "nl-BE"),  # then the course's first language
    ],
)
def test_the_au_speaks_the_learners_language(
    exported, lms, new_page, preference, browser_language, title, page_language
):
    unit = au(exported, "m1-elearning")
    actor = {
        "objectType": "Agent",
        "account": {"homePage": "https://lms.example.org", "name": title + browser_language},
    }
    url, _ = lms.launch(
        unit["url"],
        unit["publisher_id"],
        move_on=unit["move_on"],
        actor=actor,
        language_preference=preference,
    )
    page = open_au(new_page, url, language=browser_language)
    assert page.locator("h1:visible").inner_text() == title
    assert page.evaluate("document.documentElement.lang") == page_language


def test_browse_mode_reports_no_completion(exported, lms, new_page, ralph_python):
    unit = au(exported, "m1-elearning")
    url, session = lms.launch(
        unit["url"], unit["publisher_id"], move_on=unit["move_on"], launch_mode="Browse"
    )
    page = open_au(new_page, url)
    for _ in range(2):
        page.get_by_role("button", name="Volgende").click()
    page.get_by_role("button", name="Afronden").click()
    page.wait_for_url(re.compile(r"/returned$"))
    assert verbs(session.statements) == ["launched", "initialized", "terminated"]
    assert check(lms, session, ralph_python) == []


def test_without_a_launch_the_au_says_where_to_start(exported, lms, new_page):
    unit = au(exported, "m1-elearning")
    page = new_page()
    page.goto(f"{lms.base}/au/{unit['url']}")
    status = page.locator("#au-status")
    status.filter(has_text="leerplatform").wait_for()
    assert status.inner_text() == "Open deze module vanuit je leerplatform."
    assert page.locator("#au-main").is_hidden()


# Test ----------------------------------------------------------------------------------------

#: Answers by question id; ``None`` means: the right answer, read from the bank.
RIGHT: dict[str, Any] = dict.fromkeys(
    ["sleutel", "diensten", "gratis", "koppelen", "volgorde", "leeftijd"]
)
#: Some wrong, some half right.
MIXED: dict[str, Any] = {
    "sleutel": "b",
    "diensten": ["a"],
    "gratis": True,
    "koppelen": {"pension": "mypension", "belasting": "mypension"},
    "volgorde": ["code", "openen", "bevestigen"],
    "leeftijd": "18",
}


def right_answer(question) -> Any:
    settings = question.settings
    if question.type == "single_choice":
        return next(c["id"] for c in settings["choices"] if c.get("correct"))
    if question.type == "multiple_choice":
        return [c["id"] for c in settings["choices"] if c.get("correct")]
    if question.type == "true_false":
        return settings["answer"]
    if question.type == "matching":
        return {item["id"]: item["match"] for item in settings["items"]}
    if question.type == "ordering":
        return [item["id"] for item in settings["items"]]
    return f"{settings['number']:g}"


def answer(page, question, response: Any, lang: str = "nl") -> None:
    """Answer as a person does: find the question by its text, then the labelled controls."""
    group = page.locator("fieldset.au-question", has_text=question.prompt[lang])
    kind = question.type
    if kind in {"single_choice", "multiple_choice"}:
        for choice in [response] if isinstance(response, str) else response:
            text = next(c["text"][lang] for c in question.settings["choices"] if c["id"] == choice)
            group.get_by_label(text, exact=True).check()
    elif kind == "true_false":
        group.get_by_label("Waar" if response else "Niet waar", exact=True).check()
    elif kind == "matching":
        options = {o["id"]: o["text"][lang] for o in question.settings["options"]}
        for item in question.settings["items"]:
            group.get_by_label(item["text"][lang]).select_option(
                label=options[response[item["id"]]]
            )
    elif kind == "ordering":
        texts = {item["id"]: item["text"][lang] for item in question.settings["items"]}
        for place, item_id in enumerate(response, start=1):
            group.get_by_label(texts[item_id]).select_option(str(place))
    else:
        group.get_by_label("Je antwoord").fill(response)


@pytest.mark.parametrize("answers", [RIGHT, MIXED], ids=["passed", "failed"])
def test_a_test_scores_like_the_lms_and_reports_passed_or_failed(
    exported, lms, new_page, ralph_python, answers
):
    source, _ = exported
    bank = source.banks["cmi5-demo-bank"]
    unit = au(exported, "m1-test")
    url, session = lms.launch(
        unit["url"],
        unit["publisher_id"],
        move_on=unit["move_on"],
        mastery_score=unit["mastery_score"],
    )
    page = open_au(new_page, url)
    registry = default_registries().questions
    expected = 0.0
    for question in bank.questions:
        response = answers[question.id]
        response = right_answer(question) if response is None else response
        answer(page, question, response)
        expected += registry.get(question.type).score(question.settings, response)
    page.get_by_role("button", name="Antwoorden indienen").click()
    page.locator("#au-result .au-score").wait_for()
    page.get_by_role("button", name="Module verlaten").click()
    page.wait_for_url(re.compile(r"/returned$"))
    scaled = round(expected / len(bank.questions), 4)
    verdict = "passed" if scaled >= unit["mastery_score"] else "failed"
    assert verdict == ("passed" if answers is RIGHT else "failed")
    assert verbs(session.statements) == ["launched", "initialized", verdict, "terminated"]
    score = session.statements[2]["result"]["score"]
    assert score == {
        "scaled": scaled,
        "raw": round(expected, 4),
        "min": 0,
        "max": len(bank.questions),
    }
    assert check(lms, session, ralph_python) == []
    assert move_on_satisfied(unit["move_on"], set(verbs(session.statements))) is (
        verdict == "passed"
    )


@pytest.mark.parametrize("preference", ["nl-BE", "fr-BE"])
def test_axe_finds_no_violation_in_the_aus(exported, lms, new_page, preference):
    from tests.browser.test_accessibility import run_axe

    problems = {}
    for activity_id in ("m1-elearning", "m1-test"):
        unit = au(exported, activity_id)
        actor = {
            "objectType": "Agent",
            "account": {"homePage": "https://lms.example.org", "name": f"axe-{preference}"},
        }
        url, _ = lms.launch(
            unit["url"],
            unit["publisher_id"],
            move_on=unit["move_on"],
            mastery_score=unit["mastery_score"],
            actor=actor,
            language_preference=preference,
        )
        page = open_au(new_page, url)
        if activity_id == "m1-test":
            page.locator("fieldset.au-question").first.wait_for()
        problems[activity_id] = run_axe(page)
    assert problems == {"m1-elearning": [], "m1-test": []}
