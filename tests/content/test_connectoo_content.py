"""The shipped Connectoo courses: valid, complete in the promised languages, and as deep as
the programme promises, so that nothing shrinks unnoticed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lms.authoring.builtin import default_registries
from lms.authoring.validate import validate_paths
from lms.catalog.readmodel import build_bank_def, build_course_def
from tests.conftest import REPO

COURSES = REPO / "courses"
QUIZZES = REPO / "quizzes"


@pytest.fixture(scope="module")
def shipped():
    from lms.authoring.builtin import default_registries
    from lms.authoring.normalise import bank_definition, course_definition

    result = validate_paths([COURSES, QUIZZES], REPO / "certificates")
    registries = default_registries()
    courses = {
        c.slug: c
        for c in (
            build_course_def(
                course_definition(p, registries),
                course_id=i,
                version_id=i,
                number=1,
                content_hash="-",
            )
            for i, p in enumerate(result.courses, 1)
        )
    }
    banks = {
        b.slug: b
        for b in (
            build_bank_def(
                bank_definition(p, registries), bank_id=i, version_id=i, number=1, content_hash="-"
            )
            for i, p in enumerate(result.banks, 1)
        )
    }
    return result, courses, banks


def test_validate_strict_passes(shipped):
    result, _, _ = shipped
    assert [d.format() for d in result.diagnostics] == []


def test_connectoo_structure(shipped):
    _, courses, banks = shipped
    course = courses["connectoo"]
    assert course.languages == ("nl", "fr")
    assert [m.id for m in course.modules] == [f"m{i}" for i in range(7)]
    for module in course.modules[1:6]:
        types = [a.type for a in module.activities]
        assert types == ["elearning", "forum", "test"], module.id
        elearning = module.activities[0]
        assert len(elearning.lessons) >= 3, module.id
        assert all(len(lesson.sections) >= 3 for lesson in elearning.lessons), module.id
        quiz = module.activities[2].settings["quiz"]
        assert len(banks[quiz].questions) >= 10, quiz
    m0 = course.modules_by_id["m0"]
    assert [a.type for a in m0.activities] == ["elearning", "forum"]
    assert len(m0.activities[0].lessons) >= 2
    m6 = course.modules_by_id["m6"]
    elearnings = [a for a in m6.activities if a.type == "elearning"]
    assert len(elearnings) == 6
    assert all(len(a.lessons) >= 2 for a in elearnings)
    final = [a for a in m6.activities if a.type == "test"]
    assert len(final) == 1 and len(banks[final[0].settings["quiz"]].questions) >= 20


def test_connectoo_plus_structure(shipped):
    _, courses, banks = shipped
    course = courses["connectoo-plus"]
    assert [m.id for m in course.modules] == [f"p{i}" for i in range(7)]
    webinars = [a for m in course.modules for a in m.activities if a.type == "webinar"]
    assert len(webinars) == 3
    for module in course.modules:
        types = {a.type for a in module.activities}
        assert {"elearning", "forum"} <= types, module.id
        if module.id != "p0":
            test = next(a for a in module.activities if a.type == "test")
            assert len(banks[test.settings["quiz"]].questions) >= 10
        assert all(
            len(lesson.lessons) >= 2 for lesson in module.activities if lesson.type == "elearning"
        )


def _texts(value):
    if isinstance(value, dict) and set(value) <= {"nl", "fr", "de", "en"}:
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)


@pytest.mark.parametrize("slug", ["connectoo", "connectoo-plus"])
def test_every_text_in_dutch_and_french(shipped, slug):
    _, courses, _ = shipped
    course = courses[slug]
    for section in course.sections:
        assert section.body.get("nl") and section.body.get("fr"), section.id
        assert section.title.get("nl") and section.title.get("fr"), section.id


#: Types whose feedback is written per choice or per right/wrong answer.
CHOICE_TYPES = {"single_choice", "multiple_choice"}
#: Types without per-answer feedback: the explanation is their feedback (shown after answering).
EXPLAINED_TYPES = {"matching", "ordering", "short_answer"}
ALL_TYPES = CHOICE_TYPES | EXPLAINED_TYPES | {"true_false"}


def _in_dutch_and_french(text) -> bool:
    return isinstance(text, dict) and bool(text.get("nl")) and bool(text.get("fr"))


def test_question_banks_have_feedback_and_several_types(shipped):
    _, _, banks = shipped
    for bank in banks.values():
        types = {q.type for q in bank.questions}
        assert len(types) >= 2, bank.slug
        for question in bank.questions:
            where = (bank.slug, question.id)
            assert question.type in ALL_TYPES, where
            assert _in_dutch_and_french(question.prompt), where
            if question.type == "true_false":
                assert question.settings.get("feedback_correct"), where
                assert question.settings.get("feedback_incorrect"), where
            elif question.type in CHOICE_TYPES:
                for choice in question.settings["choices"]:
                    assert choice.get("feedback"), (*where, choice["id"])
            else:
                assert _in_dutch_and_french(question.explanation), where
                for key in ("items", "options"):
                    for entry in question.settings.get(key, ()):
                        assert _in_dutch_and_french(entry["text"]), (*where, key, entry["id"])


def _tests(course) -> list:
    return [a for m in course.modules for a in m.activities if a.type == "test"]


def _quizzes(test) -> list[str]:
    quiz = test.settings["quiz"]
    return [quiz] if isinstance(quiz, str) else list(quiz)


def test_question_banks_use_all_six_types(shipped):
    """Matching, ordering and short answer each at least three times, in Dutch and French."""
    _, _, banks = shipped
    questions = [q for bank in banks.values() for q in bank.questions]
    assert {q.type for q in questions} == ALL_TYPES
    for type_ in EXPLAINED_TYPES:
        bilingual = [
            q
            for q in questions
            if q.type == type_
            and _in_dutch_and_french(q.prompt)
            and _in_dutch_and_french(q.explanation)
        ]
        assert len(bilingual) >= 3, type_


def test_connectoo_module_tests_have_a_question_of_a_newer_type(shipped):
    """Modules 1-5 and the final evaluation each have a matching, ordering or short answer."""
    _, courses, banks = shipped
    tests = _tests(courses["connectoo"])
    assert len(tests) == 6
    for test in tests:
        types = {q.type for slug in _quizzes(test) for q in banks[slug].questions}
        assert types & EXPLAINED_TYPES, test.id


def test_shipped_answers_score_full_marks(shipped):
    """The key written in each matching, ordering and short-answer question is answerable."""
    types = default_registries().questions
    _, _, banks = shipped
    for bank in banks.values():
        for question in bank.questions:
            settings = question.settings
            if question.type == "matching":
                right = {item["id"]: item["match"] for item in settings["items"]}
            elif question.type == "ordering":
                right = [item["id"] for item in settings["items"]]
            elif question.type == "short_answer":
                number = settings.get("number")
                right = settings["accepted"][0] if number is None else f"{number:g}"
            else:
                continue
            assert types[question.type].score(settings, right) == 1, (bank.slug, question.id)
            if question.type == "ordering":
                backwards = types[question.type].score(settings, right[::-1])
                assert backwards == 0, (bank.slug, question.id)


def test_every_bank_keeps_ten_questions_and_every_test_draws_validly(shipped):
    _, courses, banks = shipped
    for bank in banks.values():
        assert len(bank.questions) >= 10, bank.slug
    for course in courses.values():
        for test in _tests(course):
            pool = [q for slug in _quizzes(test) for q in banks[slug].questions]
            draws = test.settings.get("draw") or []
            wanted = test.settings.get("questions") or sum(d["questions"] for d in draws)
            assert 1 <= (wanted or len(pool)) <= len(pool), test.id
            assert sum(d["questions"] for d in draws) <= (wanted or len(pool)), test.id
            for rule in draws:
                tagged = [q for q in pool if rule["tag"] in q.tags]
                assert len(tagged) >= rule["questions"], (test.id, rule["tag"])


def test_every_lesson_has_a_situation_at_the_counter(shipped):
    _, courses, _ = shipped
    for course in courses.values():
        for module in course.modules:
            for activity in module.activities:
                for lesson in activity.lessons:
                    bodies = " ".join(s.body.get("nl", "") for s in lesson.sections)
                    assert "::: example" in bodies, lesson.id


def test_plain_language_short_sentences(shipped):
    """About 15 words a sentence at most, on average, per course and language."""
    _, courses, _ = shipped
    for course in courses.values():
        for lang in ("nl", "fr"):
            text = " ".join(s.body.get(lang, "") for s in course.sections)
            text = re.sub(r"[#>*_`|:!\[\]()-]", " ", text)
            sentences = [s for s in re.split(r"[.?!]\s", text) if s.split()]
            average = sum(len(s.split()) for s in sentences) / len(sentences)
            assert average <= 15, (course.slug, lang, average)


def test_images_are_our_own_svg_with_alt_text():
    svgs = list(COURSES.rglob("*.svg"))
    assert len(svgs) >= 10
    for svg in svgs:
        text = svg.read_text(encoding="utf-8")
        assert "<svg" in text and "viewBox" in text, svg
        assert "<image" not in text, f"{svg} embeds a bitmap"
    for md in COURSES.rglob("*.md"):
        for alt in re.findall(r"!\[([^\]]*)\]\(", md.read_text(encoding="utf-8")):
            assert alt.strip(), f"{md}: image without alt text"


def test_no_stray_files():
    assert not list(Path(COURSES).rglob("*.part"))
