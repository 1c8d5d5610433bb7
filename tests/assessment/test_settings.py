"""The test activity's settings in the course file: checks with positions, defaults, and
what is stored."""

from __future__ import annotations

from pathlib import Path

from lms.assessment.config import TestConfig
from lms.authoring.validate import validate_paths
from tests.assessment.conftest import bank_yaml
from tests.learning.conftest import course_yaml

TESTS = """\
      - id: t1
        type: test
        title: Toets een
        quiz: [alles, geen-bank, alles]
      - id: t2
        type: test
        title: Toets twee
        quiz: alles
        questions: 3
        draw:
          - {tag: appz, questions: 1}
          - {tag: apps, questions: 3}
      - id: t3
        type: test
        title: Toets drie
        quiz: alles
        grading: best
        time_limit_minutes: 0
        feedback: later
        wait_minutes: -5
      - id: t4
        type: test
        title: Toets vier
        quiz: alles
        questions: 2
        draw: [{tag: csam, questions: 1}, {tag: apps, questions: 2}]
"""


def test_test_settings_are_checked_with_positions(tmp_path: Path):
    (tmp_path / "courses").mkdir()
    (tmp_path / "quizzes").mkdir()
    course = tmp_path / "courses" / "c.yaml"
    course.write_text(course_yaml("c", 1, extra_activities=TESTS), encoding="utf-8")
    (tmp_path / "quizzes" / "alles.yaml").write_text(bank_yaml(), encoding="utf-8")
    result = validate_paths([tmp_path])
    found = [
        (d.code, d.line, d.col)
        for d in result.diagnostics
        if d.file.endswith("c.yaml") and d.code != "W501"
    ]
    assert found == [
        ("E302", 40, 23),  # unknown bank in the list
        ("E301", 40, 34),  # a bank named twice
        ("E303", 46, 9),  # the draw rules take more than `questions`
        ("E309", 47, 19),  # no question has tag `appz` (did you mean `apps`?)
        ("E303", 48, 36),  # 3 questions tagged `apps`, the bank has 2
        ("E204", 53, 18),  # grading: best
        ("E205", 54, 29),  # time limit 0
        ("E204", 55, 19),  # feedback: later
        ("E205", 56, 23),  # negative waiting time
        ("E303", 62, 9),  # the draw rules take more than `questions`
    ]
    hints = {d.code: d.hint for d in result.diagnostics}
    assert hints["E309"] == "did you mean `apps`?"


def test_defaults_apply_and_only_given_settings_are_stored():
    config = TestConfig.from_settings({"quiz": "alles"})
    assert config.banks == ("alles",)
    assert (config.pass_mark, config.grading, config.feedback) == (0.7, "highest", "after_submit")
    assert config.shuffle_questions and config.shuffle_choices
    assert config.max_attempts is None and config.time_limit_minutes is None
    many = TestConfig.from_settings({"quiz": ["a", "b"], "draw": [{"tag": "x", "questions": 2}]})
    assert many.banks == ("a", "b") and many.draw == (("x", 2),)


def test_a_test_draws_from_several_banks(make_test, import_course, learner):
    extra = """\
      - id: m1-test
        type: test
        title: Toets
        quiz: [alles, tweede]
        shuffle_questions: false
"""
    import_course(
        course_yaml("twee", 1, lessons=1, sections=1, extra_activities=extra),
        banks={"alles": bank_yaml(), "tweede": bank_yaml("tweede")},
    )
    person = learner("twee")
    person.start()
    assert len(person.question_ids()) == 14
