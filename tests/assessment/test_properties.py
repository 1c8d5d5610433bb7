"""Property-based tests (hypothesis) of scoring, for every question type:

- a score is between 0 and the maximum (1 per question);
- a fully correct answer gets the maximum;
- shuffling (questions or choices) never changes a score;
- a whole attempt scores between 0 and its number of questions.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.assessment.config import TestConfig
from lms.assessment.drawing import draw_questions, question_type
from lms.catalog.readmodel import BankDef, QuestionDef

IDS = [f"o{i}" for i in range(8)]
TEXT = {"nl": "tekst"}


@st.composite
def choice_questions(draw, single: bool):
    count = draw(st.integers(2, 6))
    ids = IDS[:count]
    if single:
        correct = {draw(st.sampled_from(ids))}
    else:
        correct = set(draw(st.lists(st.sampled_from(ids), min_size=1, unique=True)))
    settings = {"choices": [{"id": i, "text": TEXT, "correct": i in correct} for i in ids]}
    if not single and draw(st.booleans()):
        settings["scoring"] = "all_or_nothing"
    picked = draw(st.lists(st.sampled_from(ids), unique=True))
    if single:
        response = draw(st.one_of(st.none(), st.sampled_from(ids)))
        right = next(iter(correct))
    else:
        response = sorted(picked) or None
        right = sorted(correct)
    return ("single_choice" if single else "multiple_choice", settings, response, right)


@st.composite
def true_false_questions(draw):
    answer = draw(st.booleans())
    return ("true_false", {"answer": answer}, draw(st.one_of(st.none(), st.booleans())), answer)


@st.composite
def matching_questions(draw):
    options = IDS[: draw(st.integers(2, 6))]
    items = [f"i{n}" for n in range(draw(st.integers(2, 5)))]
    matches = {item: draw(st.sampled_from(options)) for item in items}
    settings = {
        "items": [{"id": i, "text": TEXT, "match": matches[i]} for i in items],
        "options": [{"id": o, "text": TEXT} for o in options],
    }
    response = draw(
        st.dictionaries(st.sampled_from(items), st.sampled_from(options)).map(lambda d: d or None)
    )
    return ("matching", settings, response, matches)


@st.composite
def ordering_questions(draw):
    ids = IDS[: draw(st.integers(2, 7))]
    settings = {"items": [{"id": i, "text": TEXT} for i in ids]}
    response = draw(st.one_of(st.none(), st.permutations(ids)))
    return ("ordering", settings, response and list(response), list(ids))


@st.composite
def short_questions(draw):
    if draw(st.booleans()):
        number = draw(st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 3)))
        tolerance = draw(st.floats(0, 100).map(lambda x: round(x, 3)))
        settings = {"number": number, "tolerance": tolerance}
        typed = draw(st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: f"{round(x, 3)}"))
        response = draw(st.one_of(st.none(), st.just(typed)))
        return ("short_answer", settings, response or None, f"{number}".replace(".", ","))
    accepted = draw(
        st.lists(
            st.text("abcdef ", min_size=1, max_size=8).filter(str.strip), min_size=1, max_size=4
        )
    )
    settings = {"accepted": accepted, "case_sensitive": draw(st.booleans())}
    typed = st.text("abcdefABC\u00e9 ", max_size=10).map(lambda t: " ".join(t.split()))
    response = draw(st.one_of(st.none(), typed, st.sampled_from(accepted)))
    return ("short_answer", settings, response or None, accepted[0])


QUESTIONS = st.one_of(
    choice_questions(single=True),
    choice_questions(single=False),
    true_false_questions(),
    matching_questions(),
    ordering_questions(),
    short_questions(),
)


@settings(max_examples=150, deadline=None)
@given(QUESTIONS)
def test_a_score_is_between_zero_and_the_maximum(question):
    name, settings_, response, _right = question
    score = question_type(name).score(settings_, response)
    assert 0.0 <= score <= 1.0


@settings(max_examples=150, deadline=None)
@given(QUESTIONS)
def test_a_fully_correct_answer_gets_the_maximum(question):
    name, settings_, _response, right = question
    assert question_type(name).score(settings_, right) == 1.0


@settings(max_examples=150, deadline=None)
@given(QUESTIONS, st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))
def test_shuffling_never_changes_a_score(question, seed, other_seed):
    """The same answer, given through pages shuffled two different ways, scores the same."""
    name, settings_, response, _right = question
    type_ = question_type(name)
    expected = type_.score(settings_, response)
    for chosen in (seed, other_seed):
        public = type_.public(settings_, type_.present(settings_, random.Random(chosen), True))
        parsed, error = type_.parse(type_.form_values(public, response), public)
        assert error is None
        assert type_.score(settings_, parsed) == expected


def _bank(questions) -> BankDef:
    return BankDef(
        bank_id=1,
        slug="b",
        version_id=1,
        version_number=1,
        content_hash="x",
        title=TEXT,
        languages=("nl",),
        questions=tuple(
            QuestionDef(f"q{n}", name, TEXT, (), None, settings_)
            for n, (name, settings_, _response, _right) in enumerate(questions)
        ),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(QUESTIONS, min_size=1, max_size=8), st.integers(0, 2**32 - 1), st.booleans())
def test_an_attempt_scores_between_zero_and_its_length_whatever_the_order(questions, seed, shuffle):
    bank = _bank(questions)
    config = TestConfig.from_settings(
        {"quiz": "b", "shuffle_questions": shuffle, "shuffle_choices": shuffle}
    )
    drawn = draw_questions(config, [bank], random.Random(seed))
    assert sorted(q["id"] for q in drawn) == sorted(q.id for q in bank.questions)
    by_id = {f"q{n}": q for n, q in enumerate(questions)}
    total = best = 0.0
    for snapshot in drawn:
        name, _settings, response, right = by_id[snapshot["id"]]
        type_ = question_type(name)
        total += type_.score(snapshot["settings"], response)
        best += type_.score(snapshot["settings"], right)
    assert 0.0 <= total <= len(drawn)
    assert best == len(drawn)
