"""Each deliberately broken file yields exactly the expected diagnostics, at exact positions."""

from __future__ import annotations

import pytest

from tests.authoring.helpers import BROKEN, found, validate

# file -> every diagnostic expected: (code, file, line, col)
CASES = {
    # the file itself
    "yaml-syntax.yaml": [("E101", "broken/yaml-syntax.yaml", 5, 1)],
    "duplicate-key.yaml": [("E102", "broken/duplicate-key.yaml", 4, 1)],
    "not-utf8.yaml": [("E103", "broken/not-utf8.yaml", 2, 11)],
    "nested-too-deep.yaml": [("E105", "broken/nested-too-deep.yaml", 4, 63)],
    "alias-expansion.yaml": [("E106", "broken/alias-expansion.yaml", 7, 45)],
    # shape
    "unknown-key.yaml": [
        ("E202", "broken/unknown-key.yaml", 5, 5),
        ("E201", "broken/unknown-key.yaml", 6, 5),
    ],
    "missing-field.yaml": [("E202", "broken/missing-field.yaml", 8, 9)],
    "wrong-type.yaml": [("E203", "broken/wrong-type.yaml", 12, 25)],
    "invalid-value.yaml": [("E204", "broken/invalid-value.yaml", 4, 12)],
    "pass-mark.yaml": [("E205", "broken/pass-mark.yaml", 12, 20)],
    "too-few-items.yaml": [("E206", "broken/too-few-items.yaml", 4, 10)],
    "bank-too-few-items.yaml": [
        ("E206", "broken/bank-too-few-items.yaml", 9, 7),
        ("E206", "broken/bank-too-few-items.yaml", 17, 7),
        ("E206", "broken/bank-too-few-items.yaml", 21, 12),
    ],
    "invalid-id.yaml": [("E207", "broken/invalid-id.yaml", 5, 9)],
    "body-conflict.yaml": [("E208", "broken/body-conflict.yaml", 15, 17)],
    "unknown-activity-type.yaml": [("E210", "broken/unknown-activity-type.yaml", 9, 15)],
    "bank-unknown-question-type.yaml": [("E211", "broken/bank-unknown-question-type.yaml", 6, 11)],
    # references and consistency
    "duplicate-id.yaml": [("E301", "broken/duplicate-id.yaml", 15, 13)],
    "unknown-quiz.yaml": [("E302", "broken/unknown-quiz.yaml", 11, 15)],
    "not-enough-questions.yaml": [("E303", "broken/not-enough-questions.yaml", 12, 20)],
    "completion-activity.yaml": [("E304", "broken/completion-activity.yaml", 7, 28)],
    "completion-module.yaml": [("E304", "broken/completion-module.yaml", 4, 18)],
    "bank-no-correct-answer.yaml": [("E305", "broken/bank-no-correct-answer.yaml", 8, 5)],
    "bank-answer-key.yaml": [("E306", "broken/bank-answer-key.yaml", 12, 21)],
    "bank-too-many-correct.yaml": [("E307", "broken/bank-too-many-correct.yaml", 10, 42)],
    "bank-answer-conflict.yaml": [
        ("E308", "broken/bank-answer-conflict.yaml", 11, 5),
        ("E301", "broken/bank-answer-conflict.yaml", 12, 9),
    ],
    # included files
    "missing-body-file.yaml": [("E401", "broken/missing-body-file.yaml", 17, 28)],
    "missing-image-inline.yaml": [("E401", "broken/missing-image-inline.yaml", 20, 58)],
    "missing-image-in-file.yaml": [("E401", "broken/md/inleiding.md", 5, 1)],
    "missing-alt-text.yaml": [("E402", "broken/missing-alt-text.yaml", 17, 30)],
    "missing-alt-text-in-file.yaml": [("E402", "broken/md/no-alt.md", 5, 5)],
    "missing-certificate.yaml": [("E403", "broken/missing-certificate.yaml", 4, 25)],
    "outside-folder.yaml": [
        ("E404", "broken/outside-folder.yaml", 17, 28),
        ("E404", "broken/outside-folder.yaml", 20, 24),
    ],
    # warnings
    "missing-translation.yaml": [
        ("W501", "broken/missing-translation.yaml", 6, 12),
        ("W501", "broken/missing-translation.yaml", 11, 17),
    ],
    "empty-lesson.yaml": [("W502", "broken/empty-lesson.yaml", 12, 13)],
    "empty-elearning.yaml": [("W503", "broken/empty-elearning.yaml", 11, 9)],
    "undeclared-language.yaml": [("W504", "broken/undeclared-language.yaml", 2, 29)],
    "callout-and-link.yaml": [
        ("W505", "broken/callout-and-link.yaml", 18, 19),
        ("W506", "broken/callout-and-link.yaml", 19, 36),
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_file(name: str) -> None:
    assert found(validate(BROKEN / name)) == CASES[name]


def test_every_broken_file_has_a_case() -> None:
    assert sorted(p.name for p in BROKEN.glob("*.yaml")) == sorted([*CASES, "five-errors.yaml"])


def test_five_errors_in_one_run() -> None:
    result = validate(BROKEN / "five-errors.yaml")
    assert found(result) == [
        ("E304", "broken/five-errors.yaml", 5, 18),
        ("E403", "broken/five-errors.yaml", 6, 25),
        ("E201", "broken/five-errors.yaml", 10, 5),
        ("E205", "broken/five-errors.yaml", 16, 20),
        ("E203", "broken/five-errors.yaml", 21, 25),
    ]
    assert result.failed()


def test_all_broken_files_at_once_report_the_same() -> None:
    """Together, the files report what they report alone, plus their clashing ids (they all
    use the id `broken`)."""
    names = sorted(CASES)
    together = validate(*(BROKEN / name for name in names)).diagnostics
    separate = sorted(d for name in names for d in validate(BROKEN / name).diagnostics)
    extra = [d for d in together if d not in separate]
    assert sorted(d for d in together if d in separate) == separate
    assert extra
    assert {(d.code, d.line, d.message.split("`")[1]) for d in extra} == {
        ("E301", 1, "broken"),
        ("E301", 1, "broken-bank"),
    }


def test_course_id_used_by_two_files() -> None:
    result = validate(BROKEN / "twice")
    assert found(result) == [("E301", "broken/twice/second.yaml", 1, 5)]
    assert "broken/twice/first.yaml:1" in result.diagnostics[0].hint


def test_messages_and_hints() -> None:
    def only(name: str) -> str:
        (diagnostic,) = [d for d in validate(BROKEN / name).diagnostics if d.code < "W"][:1]
        return diagnostic.format()

    assert only("unknown-key.yaml").endswith("E202: missing required field `title` (add `title:`)")
    unknown = [d for d in validate(BROKEN / "unknown-key.yaml").diagnostics if d.code == "E201"]
    assert unknown[0].message == "unknown key `titel`"
    assert unknown[0].hint == "did you mean `title`?"
    assert "did you mean `forum`?" in only("unknown-activity-type.yaml")
    assert "did you mean `single_choice`?" in only("bank-unknown-question-type.yaml")
    assert "did you mean `demo-bank`?" in only("unknown-quiz.yaml")
    assert "did you mean `m1-test`?" in only("completion-activity.yaml")
    assert "did you mean `demo`?" in only("missing-certificate.yaml")
    assert "e.g. `module-1`" in only("invalid-id.yaml")
    assert "indent with spaces, not tabs" in only("yaml-syntax.yaml")
    assert "has only 3" in only("not-enough-questions.yaml")


def test_errors_and_warnings_are_told_apart() -> None:
    warned = validate(BROKEN / "empty-lesson.yaml")
    assert [d.severity for d in warned.diagnostics] == ["warning"]
    assert not warned.failed()
    assert warned.failed(strict=True)
    broken = validate(BROKEN / "wrong-type.yaml")
    assert [d.severity for d in broken.diagnostics] == ["error"]
    assert broken.failed()


def test_a_list_with_too_few_items_says_how_many_it_needs() -> None:
    lines = [d.format() for d in validate(BROKEN / "bank-too-few-items.yaml").diagnostics]
    file = "tests/authoring/files/broken/bank-too-few-items.yaml"
    assert lines == [
        # a matching question and an ordering question with one item each
        f"{file}:9:7: E206: `items` needs at least 2 items, not 1 (add 1 more item)",
        f"{file}:17:7: E206: `items` needs at least 2 items, not 1 (add 1 more item)",
        # really empty
        f"{file}:21:12: E206: `items` must not be empty (add at least 2 items)",
    ]
    (empty,) = validate(BROKEN / "too-few-items.yaml").diagnostics
    assert (empty.message, empty.hint) == ("`modules` must not be empty", "add at least one item")


def test_a_pass_mark_written_as_a_percentage_gets_a_hint() -> None:
    result = validate(BROKEN / "pass-mark.yaml")
    assert found(result) == [("E205", "broken/pass-mark.yaml", 12, 20)]
    (diagnostic,) = result.diagnostics
    assert diagnostic.message == "`pass_mark` must be at most 1.0, not 70"
    assert diagnostic.hint == "it is a share between 0 and 1: write `0.7` for 70%"
    # A value that is no percentage gets the rule without a conversion.
    five = [d for d in validate(BROKEN / "five-errors.yaml").diagnostics if d.code == "E205"]
    assert [(d.line, d.message, d.hint) for d in five] == [
        (
            16,
            "`pass_mark` must be at most 1.0, not 1.5",
            "it is a share between 0 and 1: `0.7` means 70%",
        )
    ]
