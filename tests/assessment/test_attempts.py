"""Taking a test through its pages: pass, fail, retry, grading, waiting, feedback policies,
completion and xAPI, and the rules that make a score trustworthy (submit once, nothing after
submission, snapshots)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.assessment import queries
from lms.assessment.config import TestConfig
from lms.assessment.models import Answer, Attempt
from lms.catalog.queries import get_course_def
from lms.core.db import db, utcnow
from lms.learning.models import Completion
from lms.learning.queries import enrolment_view
from lms.xapi.models import XapiStatement
from tests.assessment.conftest import OTHER_KEYS, RIGHT, WRONG


def attempts_of(app, user_id: int) -> list[Attempt]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Attempt).where(Attempt.user_id == user_id).order_by(Attempt.number)
            )
        )


def verbs(app, user_id: int) -> list[str]:
    with app.app_context():
        rows = db.session.scalars(
            select(XapiStatement.payload)
            .where(XapiStatement.user_id == user_id)
            .order_by(XapiStatement.id)
        )
        return [json.loads(p)["verb"]["id"].rsplit("/", 1)[-1] for p in rows]


def activity_status(app, user_id: int, slug: str = "toets") -> str:
    with app.app_context():
        course = get_course_def(db.session, slug)
        view = enrolment_view(db.session, user_id, course)
        return view.state.activities["m1-test"].status


def test_pass_completes_the_activity_and_reports_xapi(app, make_test, learner):
    make_test(pass_mark="0.8", max_attempts=3)
    person = learner()
    assert activity_status(app, person.user.id) == "not_started"
    person.start()
    assert activity_status(app, person.user.id) == "in_progress"
    person.answer_all(RIGHT)
    response = person.submit()
    assert response.status_code == 302 and "/result?attempt=1" in response.headers["Location"]
    [attempt] = attempts_of(app, person.user.id)
    assert (attempt.raw_score, attempt.max_score, attempt.scaled_score) == (7.0, 7.0, 1.0)
    assert attempt.passed and attempt.status == "submitted" and attempt.ended_by == "learner"
    assert activity_status(app, person.user.id) == "passed"
    with app.app_context():
        completions = db.session.scalars(
            select(Completion.item_id).where(Completion.user_id == person.user.id)
        ).all()
    assert "m1-test" in completions
    sent = verbs(app, person.user.id)
    assert sent.count("answered") == 7 and sent.count("passed") == 1
    assert "failed" not in sent
    # Once passed it stays passed: no new attempt, the page says so.
    html = person.client.get(person.base).get_data(as_text=True)
    assert "Start the test" not in html and "Try again" not in html
    assert person.start().status_code == 302
    assert len(attempts_of(app, person.user.id)) == 1


def test_fail_retry_and_run_out_of_attempts(app, make_test, learner):
    make_test(pass_mark="0.8", max_attempts=2, grading="highest")
    person = learner()
    person.start()
    person.answer_all({**WRONG, "sc": RIGHT["sc"], "tf": RIGHT["tf"]})
    person.submit()
    first = attempts_of(app, person.user.id)[0]
    assert first.raw_score == pytest.approx(2.0) and not first.passed
    assert activity_status(app, person.user.id) == "failed"
    assert verbs(app, person.user.id).count("failed") == 1
    result = person.client.get(f"{person.base}/result?attempt=1").get_data(as_text=True)
    assert "Try again" in result or "Opnieuw" in result
    # Second attempt: a little better, still failed; no attempts left.
    person.start()
    person.answer_all({**WRONG, **{k: RIGHT[k] for k in ("sc", "tf", "mc")}})
    person.submit()
    attempts = attempts_of(app, person.user.id)
    assert [a.number for a in attempts] == [1, 2]
    assert activity_status(app, person.user.id) == "failed"
    page = person.client.get(person.base)
    assert person.start().status_code == 302
    assert len(attempts_of(app, person.user.id)) == 2
    assert "all your attempts" in page.get_data(as_text=True) or "pogingen" in page.get_data(
        as_text=True
    )


def _attempt(number: int, scaled: float, passed: bool = False, minutes_ago: int = 60):
    return Attempt(
        number=number,
        status="submitted",
        scaled_score=scaled,
        passed=passed,
        submitted_at=utcnow() - timedelta(minutes=minutes_ago),
    )


@pytest.mark.parametrize("grading,counted", [("highest", 2), ("last", 3)])
def test_grading_method_decides_which_score_counts(grading, counted):
    config = TestConfig.from_settings({"quiz": "b", "grading": grading})
    attempts = [_attempt(1, 0.4), _attempt(2, 0.6), _attempt(3, 0.5)]
    state = queries.state_of(config, attempts, utcnow())
    assert state.graded.number == counted
    assert state.can_start and state.attempts_left is None


def test_waiting_time_between_attempts():
    config = TestConfig.from_settings({"quiz": "b", "wait_minutes": 30, "max_attempts": 3})
    now = utcnow()
    state = queries.state_of(config, [_attempt(1, 0.2, minutes_ago=10)], now)
    assert state.blocked == queries.BLOCK_WAIT and not state.can_start
    assert state.wait_until == state.submitted[0].submitted_at + timedelta(minutes=30)
    later = queries.state_of(config, [_attempt(1, 0.2, minutes_ago=31)], now)
    assert later.can_start and later.attempts_left == 2


def test_waiting_time_is_enforced_by_the_start_page(app, make_test, learner):
    make_test(wait_minutes=15)
    person = learner()
    person.start()
    person.submit()
    response = person.start()
    assert response.headers["Location"].endswith(person.base)
    assert len(attempts_of(app, person.user.id)) == 1
    html = person.client.get(person.base).get_data(as_text=True)
    assert "try again from" in html or "opnieuw proberen vanaf" in html


def test_double_submit_back_button_and_late_answers_score_once(app, make_test, learner):
    make_test(pass_mark="0.5")
    person = learner()
    person.start()
    person.answer_all(RIGHT)
    review = person.client.get(f"{person.base}/review").get_data(as_text=True)
    number = person.attempt_number(review)
    first = person.post(f"{person.base}/submit", {"attempt": number}, page=person.base)
    again = person.post(f"{person.base}/submit", {"attempt": number}, page=person.base)
    assert first.headers["Location"] == again.headers["Location"]
    sent = verbs(app, person.user.id)
    assert sent.count("passed") == 1 and sent.count("answered") == 7
    # The back button brings the question page back: it now leads to the result.
    back = person.client.get(f"{person.base}/question?n=1")
    assert back.status_code == 302 and "/result" in back.headers["Location"]
    # An answer posted from a page still open in another tab is not accepted.
    late = person.post(
        f"{person.base}/question?n=1", {"attempt": number, "answer": "b"}, page=person.base
    )
    assert late.status_code == 302 and "/result" in late.headers["Location"]
    with app.app_context():
        answers = db.session.scalars(select(Answer)).all()
        assert all(a.score is not None for a in answers)
        assert "b" not in [a.response for a in answers]
    [attempt] = attempts_of(app, person.user.id)
    assert attempt.raw_score == 7.0


def test_a_page_of_an_earlier_attempt_saves_nothing(app, make_test, learner):
    make_test(max_attempts=3)
    person = learner()
    person.start()
    person.submit()
    person.start()
    stale = person.post(
        f"{person.base}/question?n=1", {"attempt": "1", "answer": "a"}, page=person.base
    )
    assert stale.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Answer)
                .where(Answer.saved_at.is_not(None), Answer.response.is_not(None))
            )
            == 0
        )


def test_resume_returns_to_the_same_attempt_at_the_first_open_question(app, make_test, learner):
    make_test()
    person = learner()
    person.start()
    ids = person.question_ids()
    person.answer(1, RIGHT[ids[0]])
    person.answer(2, RIGHT[ids[1]])
    again = person.start()
    assert again.headers["Location"].endswith("/question?n=3")
    assert len(attempts_of(app, person.user.id)) == 1
    html = person.client.get(f"{person.base}/question?n=1").get_data(as_text=True)
    assert " checked" in html or " selected" in html or 'value="' in html


def test_review_lists_every_answer_and_unanswered_questions(app, make_test, learner):
    make_test()
    person = learner()
    person.start()
    ids = person.question_ids()
    person.answer(1, RIGHT[ids[0]])
    html = person.client.get(f"{person.base}/review").get_data(as_text=True)
    assert html.count('class="review-change"') == 7
    assert html.count("tag tag-red") == 6  # "Not answered"
    assert 'action="/courses/toets/tests/m1-test/submit"' in html


def test_an_edited_bank_never_changes_a_past_score_or_an_open_attempt(
    app, make_test, learner, make_user
):
    make_test(pass_mark="0.5")
    done = learner()
    done.start()
    done.answer_all(RIGHT)
    done.submit()
    other = learner(user=make_user(), the_client=app.test_client())
    other.start()
    other.answer_all(RIGHT)
    # The trainer swaps every answer key; the bank gets a new version.
    make_test(keys=OTHER_KEYS, pass_mark="0.5")
    assert attempts_of(app, done.user.id)[0].raw_score == 7.0
    result = done.client.get(f"{done.base}/result?attempt=1").get_data(as_text=True)
    assert result.count("tag tag-green") >= 7  # still right, by the keys of the snapshot
    # The attempt that was open during the edit is scored with the questions it showed.
    other.submit()
    assert attempts_of(app, other.user.id)[0].raw_score == 7.0
    # A new attempt draws from the new version.
    newcomer = learner(user=make_user(), the_client=app.test_client())
    newcomer.start()
    newcomer.answer_all(RIGHT)
    newcomer.submit()
    assert attempts_of(app, newcomer.user.id)[0].raw_score < 3


@pytest.mark.parametrize(
    "policy,answers,shown",
    [
        ("after_submit", WRONG, True),
        ("after_pass", WRONG, False),
        ("after_pass", RIGHT, True),
        ("never", RIGHT, False),
    ],
)
def test_feedback_policy(app, make_test, learner, policy, answers, shown):
    make_test(feedback=policy, pass_mark="0.5")
    person = learner()
    person.start()
    person.answer_all(answers)
    response = person.submit()
    html = person.client.get(response.headers["Location"]).get_data(as_text=True)
    assert ('class="result-list"' in html) is shown
    assert ("De sleutel tot de overheid" in html) is shown  # an explanation


def test_draw_per_tag_then_the_rest(app, make_test, learner):
    make_test(questions=3, draw="[{tag: apps, questions: 2}]")
    person = learner()
    person.start()
    ids = person.question_ids()
    assert len(ids) == 3 and {"mc", "tf"} <= set(ids)


def test_not_enrolled_cannot_start(app, make_test, client, make_user):
    from tests.conftest import login, post_form

    make_test()
    user = make_user()
    login(client, user)
    page = "/courses/toets/tests/m1-test"
    html = client.get(page).get_data(as_text=True)
    assert "Start the test" not in html
    response = post_form(client, f"{page}/start", {}, page=page)
    assert response.status_code == 302 and response.headers["Location"].endswith("/courses/toets")
    assert attempts_of(app, user.id) == []


def test_other_activities_are_not_tests(app, make_test, learner):
    make_test()
    person = learner()
    assert person.client.get("/courses/toets/tests/m1-e").status_code == 404
    assert person.client.get("/courses/nope/tests/m1-test").status_code == 404
    # The course page's link to the test goes to the test page.
    response = person.client.get("/courses/toets/activities/m1-test")
    assert response.headers["Location"].endswith("/courses/toets/tests/m1-test")


def test_invalid_answer_shows_the_error_summary_and_keeps_the_input(app, make_test, learner):
    make_test(shuffle_questions="false")
    person = learner()
    person.start()
    number = person.question_ids().index("number") + 1
    response = person.answer(number, {"answer": ["vier"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in html and 'href="#answer"' in html
    assert 'value="vier"' in html and 'aria-invalid="true"' in html
