"""Item statistics against values worked out by hand, the trainer's page and the CSV.

The data set: five submitted attempts (A-E) of three questions, one point each.

    attempt  q1 (single)  q2 (true/false)  q3 (multiple)  raw
    A        1  (a)       1  (true)        1   (x, y)     3
    B        1  (a)       0  (false)       0.5 (x)        1.5
    C        1  (a)       1  (true)        0   (-)        2
    D        0  (b)       1  (true)        0   (z)        1
    E        1  (a)       0  (-)           0   (x, z)     1

Facility = mean score: q1 4/5 = 0.8, q2 3/5 = 0.6, q3 1.5/5 = 0.3.

Discrimination = correlation of the question's score x with the rest of the attempt,
y = (raw - x) / (3 - 1):

- q1: x = 1,1,1,0,1; y = 1, .25, .5, .5, 0; deviations dx = .2,.2,.2,-.8,.2 and
  dy = .55,-.2,.05,.05,-.45; sum dx*dy = -.05; sum dx^2 = .8; sum dy^2 = .55;
  r = -.05 / sqrt(.8 * .55) = -0.0754 (negative: flagged);
- q2: x = 1,0,1,1,0; y = 1, .75, .5, 0, .5; sum dx*dy = -.15; sum dx^2 = 1.2;
  sum dy^2 = .55; r = -.15 / sqrt(.66) = -0.1846 (flagged);
- q3: x = 1,.5,0,0,0; y = 1,.5,1,.5,.5; sum dx*dy = .2; sum dx^2 = .8; sum dy^2 = .3;
  r = .2 / sqrt(.24) = 0.4082.
"""

from __future__ import annotations

import csv
import io

import pytest

from lms.assessment import statistics
from lms.assessment.models import Answer, Attempt
from lms.assessment.statistics import Observation, compute
from lms.catalog.queries import get_course_def
from lms.catalog.readmodel import QuestionDef
from lms.core.db import db, utcnow
from lms.learning.services import enrol
from tests.conftest import login

T = {"nl": "tekst"}
QUESTIONS = {
    ("b", "q1"): QuestionDef(
        "q1",
        "single_choice",
        {"nl": "Vraag een"},
        (),
        None,
        {"choices": [{"id": c, "text": {"nl": c.upper()}, "correct": c == "a"} for c in "abc"]},
    ),
    ("b", "q2"): QuestionDef("q2", "true_false", {"nl": "Vraag twee"}, (), None, {"answer": True}),
    ("b", "q3"): QuestionDef(
        "q3",
        "multiple_choice",
        {"nl": "Vraag drie"},
        (),
        None,
        {"choices": [{"id": c, "text": {"nl": c.upper()}, "correct": c in "xy"} for c in "xyz"]},
    ),
}
#: attempt -> [(score, response) for q1, q2, q3]
DATA = {
    "A": [(1, "a"), (1, True), (1, ["x", "y"])],
    "B": [(1, "a"), (0, False), (0.5, ["x"])],
    "C": [(1, "a"), (1, True), (0, None)],
    "D": [(0, "b"), (1, True), (0, ["z"])],
    "E": [(1, "a"), (0, None), (0, ["x", "z"])],
}


def observations() -> list[Observation]:
    found = []
    for n, (name, rows) in enumerate(DATA.items(), start=1):
        raw = sum(score for score, _ in rows)
        for (score, response), qid in zip(rows, ("q1", "q2", "q3"), strict=True):
            found.append(Observation(n, "b", qid, score, response, raw, 3))
        assert name
    return found


def test_statistics_match_the_values_worked_out_by_hand():
    stats = {s.question_id: s for s in compute(observations(), QUESTIONS)}
    assert [s.question_id for s in compute(observations(), QUESTIONS)] == ["q1", "q2", "q3"]
    assert stats["q1"].facility == pytest.approx(0.8)
    assert stats["q2"].facility == pytest.approx(0.6)
    assert stats["q3"].facility == pytest.approx(0.3)
    assert stats["q1"].discrimination == pytest.approx(-0.05 / (0.8 * 0.55) ** 0.5)
    assert stats["q1"].discrimination == pytest.approx(-0.0754, abs=1e-4)
    assert stats["q2"].discrimination == pytest.approx(-0.1846, abs=1e-4)
    assert stats["q3"].discrimination == pytest.approx(0.4082, abs=1e-4)
    assert [s.answers for s in stats.values()] == [5, 5, 5]
    assert [s.answered for s in stats.values()] == [5, 4, 4]
    assert stats["q1"].flags == ("negative-discrimination",)
    assert stats["q2"].flags == ("negative-discrimination",)
    assert stats["q3"].flags == ()  # 0.3 is not below the "too hard" line
    assert stats["q1"].distribution == (("a", 4), ("b", 1), ("c", 0), ("", 0))
    assert stats["q2"].distribution == (("true", 3), ("false", 1), ("", 1))
    assert stats["q3"].distribution == (("x", 3), ("y", 1), ("z", 2), ("", 1))


def test_too_easy_too_hard_and_no_variance():
    rows = [
        Observation(1, "b", "q1", 1, "a", 1, 2),
        Observation(1, "b", "q2", 0, "b", 1, 2),
        Observation(2, "b", "q1", 1, "a", 1, 2),
        Observation(2, "b", "q2", 0, None, 1, 2),
    ]
    stats = {s.question_id: s for s in compute(rows, QUESTIONS)}
    assert stats["q1"].flags == ("too-easy",) and stats["q1"].discrimination is None
    assert stats["q2"].flags == ("too-hard",)


def _store(app, course_slug: str, user) -> None:
    """The data set as submitted attempts in the database."""
    with app.app_context():
        course = get_course_def(db.session, course_slug)
        enrolment, _ = enrol(db.session, db.session.merge(user), course)
        db.session.flush()
        for number, rows in enumerate(DATA.values(), start=1):
            raw = sum(score for score, _ in rows)
            attempt = Attempt(
                user_id=user.id,
                course_id=course.course_id,
                activity_id="m1-test",
                enrolment_id=enrolment.id,
                number=number,
                status="submitted",
                course_version_id=course.version_id,
                rules={"pass_mark": 0.7},
                questions=[],
                started_at=utcnow(),
                submitted_at=utcnow(),
                raw_score=raw,
                max_score=3.0,
                scaled_score=raw / 3,
                passed=False,
            )
            db.session.add(attempt)
            db.session.flush()
            for position, ((score, response), qid) in enumerate(
                zip(rows, ("sc", "tf", "mc"), strict=True)
            ):
                if isinstance(response, list):  # the choices of the "mc" question
                    response = [{"x": "itsme", "y": "ebox", "z": "fax"}[c] for c in response]
                db.session.add(
                    Answer(
                        attempt_id=attempt.id,
                        position=position,
                        bank="alles",
                        question_id=qid,
                        response=response,
                        score=score,
                    )
                )
        db.session.commit()


def test_trainer_page_and_csv(app, make_test, make_user, client):
    make_test()
    _store(app, "toets", make_user())
    trainer = make_user(roles=("trainer",))
    login(client, trainer)
    html = client.get("/courses/toets/tests/m1-test/statistics").get_data(as_text=True)
    assert "Based on 5 submitted attempts" in html or "5 " in html
    assert "-0.08" in html and "-0.18" in html and "0.41" in html
    assert html.count("tag tag-red") == 2  # two negative discriminations
    response = client.get("/courses/toets/tests/m1-test/statistics.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    by_id = {row["question"]: row for row in rows}
    assert set(by_id) == {"sc", "tf", "mc"}
    assert by_id["sc"]["facility"] == "0.800" and by_id["sc"]["discrimination"] == "-0.075"
    assert by_id["mc"]["discrimination"] == "0.408"
    assert by_id["tf"]["flags"] == "negative-discrimination"
    assert "Waar: 3" in by_id["tf"]["distribution"]


def test_item_statistics_are_for_trainers_only(app, make_test, make_user, client):
    make_test()
    login(client, make_user())
    assert client.get("/courses/toets/tests/m1-test/statistics").status_code == 403
    assert client.get("/courses/toets/tests/m1-test/statistics.csv").status_code == 403


def test_csv_cells_never_start_a_formula():
    assert statistics._safe_cell("=HYPERLINK()") == "'=HYPERLINK()"
    assert statistics._safe_cell("Wat is CSAM?") == "Wat is CSAM?"
