"""Every question type: scoring (right, partly right, wrong, unanswered), reading the form,
what the pages show, xAPI, and `lms validate` errors with their positions."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from lms.authoring.builtin import default_registries
from lms.authoring.types.scored import ScoredQuestion
from lms.authoring.validate import validate_paths

TYPES = default_registries().questions

SINGLE = {
    "choices": [
        {"id": "a", "text": {"nl": "A"}, "correct": True, "feedback": {"nl": "Juist"}},
        {"id": "b", "text": {"nl": "B"}, "correct": False, "feedback": {"nl": "Nee"}},
        {"id": "c", "text": {"nl": "C"}, "correct": False, "feedback": None},
    ]
}
MULTIPLE = {
    "choices": [
        {"id": "a", "text": {"nl": "A"}, "correct": True},
        {"id": "b", "text": {"nl": "B"}, "correct": True},
        {"id": "c", "text": {"nl": "C"}, "correct": True},
        {"id": "d", "text": {"nl": "D"}, "correct": False},
        {"id": "e", "text": {"nl": "E"}, "correct": False},
    ]
}
TRUE_FALSE = {
    "answer": False,
    "feedback_correct": {"nl": "Goed"},
    "feedback_incorrect": {"nl": "Fout"},
}
MATCHING = {
    "items": [
        {"id": "p1", "text": {"nl": "Pensioen"}, "match": "mypension"},
        {"id": "p2", "text": {"nl": "Belasting"}, "match": "myminfin"},
        {"id": "p3", "text": {"nl": "Post"}, "match": "ebox"},
        {"id": "p4", "text": {"nl": "Aangifte"}, "match": "myminfin"},
    ],
    "options": [
        {"id": "mypension", "text": {"nl": "mypension.be"}},
        {"id": "myminfin", "text": {"nl": "MyMinfin"}},
        {"id": "ebox", "text": {"nl": "My eBox"}},
        {"id": "csam", "text": {"nl": "CSAM"}},
    ],
}
ORDERING = {"items": [{"id": k, "text": {"nl": k.upper()}} for k in ("a", "b", "c", "d")]}
TEXT = {"accepted": ["itsme", "it's me"], "case_sensitive": False}
NUMBER = {"number": 2.5, "tolerance": 0.1}


def qtype(name: str) -> ScoredQuestion:
    type_ = TYPES[name]
    assert isinstance(type_, ScoredQuestion)
    return type_


@pytest.mark.parametrize(
    "response,score",
    [("a", 1.0), ("b", 0.0), ("c", 0.0), (None, 0.0), (["a", "b"], 0.0)],
)
def test_single_choice(response, score):
    assert qtype("single_choice").score(SINGLE, response) == score


@pytest.mark.parametrize(
    "response,score",
    [
        (["a", "b", "c"], 1.0),  # every right choice, no wrong one
        (["a", "b"], 2 / 3),  # two of three
        (["a"], 1 / 3),
        (["a", "b", "c", "d"], 2 / 3),  # 3 right - 1 wrong
        (["a", "d"], 0.0),  # 1 - 1
        (["a", "d", "e"], 0.0),  # never below zero
        (["a", "b", "c", "d", "e"], 1 / 3),  # everything: 3 - 2
        (["d", "e"], 0.0),
        (None, 0.0),
        ([], 0.0),
    ],
)
def test_multiple_choice_right_minus_wrong(response, score):
    assert qtype("multiple_choice").score(MULTIPLE, response) == pytest.approx(score)


def test_multiple_choice_all_or_nothing():
    settings = {**MULTIPLE, "scoring": "all_or_nothing"}
    assert qtype("multiple_choice").score(settings, ["a", "b", "c"]) == 1.0
    assert qtype("multiple_choice").score(settings, ["a", "b"]) == 0.0
    assert qtype("multiple_choice").score(settings, ["c", "b", "a"]) == 1.0


@pytest.mark.parametrize("response,score", [(False, 1.0), (True, 0.0), (None, 0.0)])
def test_true_false(response, score):
    assert qtype("true_false").score(TRUE_FALSE, response) == score


@pytest.mark.parametrize(
    "response,score",
    [
        ({"p1": "mypension", "p2": "myminfin", "p3": "ebox", "p4": "myminfin"}, 1.0),
        ({"p1": "mypension", "p2": "myminfin", "p3": "csam", "p4": "ebox"}, 0.5),
        ({"p1": "mypension"}, 0.25),  # the others left open
        ({"p1": "csam", "p2": "csam", "p3": "csam", "p4": "csam"}, 0.0),
        (None, 0.0),
    ],
)
def test_matching_share_of_items_matched(response, score):
    assert qtype("matching").score(MATCHING, response) == score


@pytest.mark.parametrize(
    "response,score",
    [
        (["a", "b", "c", "d"], 1.0),
        (["b", "a", "c", "d"], 5 / 6),  # one pair swapped
        (["d", "a", "b", "c"], 3 / 6),  # the last item first: 3 of 6 pairs in order
        (["d", "c", "b", "a"], 0.0),  # reversed
        (["a", "b", "c"], 0.0),  # incomplete (cannot come from the form)
        (None, 0.0),
    ],
)
def test_ordering_share_of_pairs_in_order(response, score):
    assert qtype("ordering").score(ORDERING, response) == pytest.approx(score)


@pytest.mark.parametrize(
    "response,score",
    [
        ("itsme", 1.0),
        ("  ITSME ", 1.0),
        ("it's   me", 1.0),
        ("its me", 0.0),
        ("", 0.0),
        (None, 0.0),
    ],
)
def test_short_text_answer(response, score):
    assert qtype("short_answer").score(TEXT, response) == score


def test_short_text_answer_case_sensitive():
    settings = {"accepted": ["CSAM"], "case_sensitive": True}
    assert qtype("short_answer").score(settings, "CSAM") == 1.0
    assert qtype("short_answer").score(settings, "csam") == 0.0


@pytest.mark.parametrize(
    "response,score",
    [
        ("2.5", 1.0),
        ("2,5", 1.0),
        ("2,6", 1.0),
        ("2.4", 1.0),
        ("2.61", 0.0),
        ("3", 0.0),
        ("-2.5", 0.0),
        ("twee", 0.0),
        (None, 0.0),
    ],
)
def test_short_number_answer_with_tolerance(response, score):
    assert qtype("short_answer").score(NUMBER, response) == score


def test_exact_number_allows_binary_fractions():
    assert qtype("short_answer").score({"number": 0.3, "tolerance": 0.0}, "0.3") == 1.0


# Reading the form ---------------------------------------------------------------------------


def _public(name: str, settings: dict, shuffle: bool = False) -> dict:
    type_ = qtype(name)
    return type_.public(settings, type_.present(settings, random.Random(1), shuffle))


def test_parse_choice_forms():
    public = _public("single_choice", SINGLE)
    parse = qtype("single_choice").parse
    assert parse({"answer": ["b"]}, public) == ("b", None)
    assert parse({}, public) == (None, None)
    assert parse({"answer": ["z"]}, public) == (None, "invalid-choice")
    assert parse({"answer": ["a", "b"]}, public) == (None, "invalid-choice")
    multiple = _public("multiple_choice", MULTIPLE)
    assert qtype("multiple_choice").parse({"answer": ["c", "a"]}, multiple) == (["a", "c"], None)
    assert qtype("true_false").parse({"answer": ["false"]}, {}) == (False, None)
    assert qtype("true_false").parse({"answer": ["maybe"]}, {}) == (None, "invalid-choice")


def test_parse_matching_and_ordering_forms():
    public = _public("matching", MATCHING)
    parse = qtype("matching").parse
    assert parse({"match-p1": ["ebox"], "match-p2": [""]}, public) == ({"p1": "ebox"}, None)
    assert parse({"match-p1": ["nope"]}, public) == (None, "invalid-choice")
    public = _public("ordering", ORDERING)
    parse = qtype("ordering").parse
    form = {"position-a": ["2"], "position-b": ["1"], "position-c": ["4"], "position-d": ["3"]}
    assert parse(form, public) == (["b", "a", "d", "c"], None)
    assert parse({}, public) == (None, None)
    assert parse({"position-a": ["1"]}, public) == (None, "positions-incomplete")
    repeated = {**form, "position-d": ["4"]}
    assert parse(repeated, public) == (None, "positions-repeated")
    assert parse({**form, "position-a": ["9"]}, public) == (None, "invalid-choice")


def test_parse_short_answers():
    parse = qtype("short_answer").parse
    assert parse({"answer": ["  it's  me "]}, {"numeric": False}) == ("it's me", None)
    assert parse({"answer": [""]}, {"numeric": False}) == (None, None)
    assert parse({"answer": ["2,5"]}, {"numeric": True}) == ("2,5", None)
    assert parse({"answer": ["twee"]}, {"numeric": True}) == (None, "not-a-number")


@pytest.mark.parametrize(
    "name,settings,response",
    [
        ("single_choice", SINGLE, "b"),
        ("multiple_choice", MULTIPLE, ["a", "d"]),
        ("true_false", TRUE_FALSE, True),
        ("matching", MATCHING, {"p1": "ebox", "p2": "myminfin"}),
        ("ordering", ORDERING, ["c", "a", "b", "d"]),
        ("short_answer", TEXT, "it is me"),
        ("short_answer", NUMBER, "3,5"),
    ],
)
def test_form_values_read_back_as_the_same_response(name, settings, response):
    type_ = qtype(name)
    public = _public(name, settings, shuffle=True)
    assert type_.parse(type_.form_values(public, response), public) == (response, None)


def test_public_part_never_holds_the_keys():
    for name, settings in [
        ("single_choice", SINGLE),
        ("multiple_choice", MULTIPLE),
        ("true_false", TRUE_FALSE),
        ("matching", MATCHING),
        ("ordering", ORDERING),
        ("short_answer", TEXT),
        ("short_answer", NUMBER),
    ]:
        text = repr(_public(name, settings))
        for secret in ("correct", "feedback", "match'", "accepted", "itsme", "2.5", "answer"):
            assert secret not in text, (name, secret)


def test_ordering_is_always_shown_shuffled_from_sorted_ids():
    orders = {
        tuple(qtype("ordering").present(ORDERING, random.Random(seed), False)["order"])
        for seed in range(30)
    }
    assert len(orders) > 5  # shuffled although the test does not shuffle choices


def test_texts_for_review_and_result():
    tf = qtype("true_false")
    assert tf.describe({}, True, "fr", "nl") == ["Vrai"]
    assert tf.correct_answer(TRUE_FALSE, {}, "nl", "nl") == ["Niet waar"]
    assert tf.feedback(TRUE_FALSE, True, "nl", "nl") == ["Fout"]
    sc = qtype("single_choice")
    assert sc.feedback(SINGLE, "a", "nl", "nl") == ["Juist"]
    assert qtype("short_answer").correct_answer(NUMBER, {}, "nl", "nl") == ["2.5 ± 0.1"]
    match = qtype("matching")
    lines = match.correct_answer(MATCHING, _public("matching", MATCHING), "nl", "nl")
    assert lines[0] == "Pensioen: mypension.be"


@pytest.mark.parametrize(
    "name,settings,response,interaction,xapi",
    [
        ("single_choice", SINGLE, "b", "choice", "b"),
        ("multiple_choice", MULTIPLE, ["a", "d"], "choice", "a[,]d"),
        ("true_false", TRUE_FALSE, True, "true-false", "true"),
        ("matching", MATCHING, {"p1": "ebox"}, "matching", "p1[.]ebox"),
        ("ordering", ORDERING, ["b", "a", "c", "d"], "sequencing", "b[,]a[,]c[,]d"),
        ("short_answer", TEXT, "itsme", "fill-in", "itsme"),
        ("short_answer", NUMBER, "2,5", "numeric", "2,5"),
    ],
)
def test_xapi_names(name, settings, response, interaction, xapi):
    type_ = qtype(name)
    assert type_.interaction_type(settings) == interaction
    assert type_.xapi_response(response) == xapi
    assert type_.xapi_response(None) is None


# lms validate ---------------------------------------------------------------------------------

BROKEN_BANK = """\
id: kapot
title: Kapot
languages: [nl]
questions:
  - id: koppel
    type: matching
    prompt: Koppel.
    items:
      - {id: a, text: A, match: x}
      - {id: a, text: B, match: zz}
    options:
      - {id: x, text: X}
      - {id: y, text: Y}
  - id: volgorde
    type: ordering
    prompt: Orden.
    items:
      - {id: een, text: Een}
  - id: tekst
    type: short_answer
    prompt: Typ.
    accepted: [itsme, ITSME]
    number: 3
  - id: leeg
    type: short_answer
    prompt: Typ.
    tolerance: -1
  - id: geen
    type: short_answer
    prompt: Typ.
  - id: meer
    type: multiple_choice
    prompt: Kies.
    scoring: half
    choices:
      - {id: a, text: A, correct: true}
      - {id: b, text: B}
"""


def test_validate_reports_each_question_type_error_with_its_position(tmp_path: Path):
    bank = tmp_path / "quizzes" / "kapot.yaml"
    bank.parent.mkdir()
    bank.write_text(BROKEN_BANK, encoding="utf-8")
    found = [(d.code, d.line, d.col) for d in validate_paths([bank]).diagnostics]
    assert found == [
        ("E301", 10, 14),  # matching: an item id twice
        ("E306", 10, 33),  # matching: `match` names no option
        ("E206", 18, 7),  # ordering: one item is not enough
        ("E301", 22, 23),  # short answer: the same text twice
        ("E308", 23, 5),  # short answer: a text and a number
        ("E305", 24, 5),  # short answer: no answer (the bad tolerance is left out)
        ("E205", 27, 16),  # short answer: negative tolerance
        ("E305", 28, 5),  # short answer: no answer at all
        ("E204", 34, 14),  # multiple choice: unknown scoring rule
    ]
