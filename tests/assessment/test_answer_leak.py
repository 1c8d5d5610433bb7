"""Correct answers never reach the browser before submission.

Two versions of a bank that differ only in their answer keys (every question type) must give
byte-identical pages, CSRF tokens aside, for every page served during an attempt: the test
page, each question (empty, answered, and with an error), the review page, and the
redirects in between. If any page depended on a key, it would differ.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from lms.assessment import views
from tests.assessment.conftest import KEYS, OTHER_KEYS, RIGHT, bank_yaml
from tests.conftest import login

TOKEN = re.compile(r'name="csrf_token" value="[^"]+"')
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

#: Answers the form refuses (the page is shown again with an error), per question id.
INVALID = {
    "order": {"position-open": ["1"], "position-scan": ["1"], "position-pin": ["2"]},
    "number": {"answer": ["vier"]},
    "sc": {"answer": ["no-such-choice"]},
}


def _pages(person) -> list[tuple[str, int, str]]:
    """Every page the learner is served while taking the test, in order."""
    seen: list[tuple[str, int, str]] = []

    def keep(label: str, response) -> None:
        body = response.get_data(as_text=True)
        location = response.headers.get("Location", "")
        seen.append((label, response.status_code, TOKEN.sub("", body) + location))

    keep("test page", person.client.get(person.base))
    keep("start", person.start())
    keep("test page during the attempt", person.client.get(person.base))
    for number, qid in enumerate(person.question_ids(), start=1):
        page = f"{person.base}/question?n={number}"
        keep(f"question {qid}", person.client.get(page))
        if qid in INVALID:
            keep(f"question {qid} refused", person.answer(number, INVALID[qid]))
        keep(f"question {qid} saved", person.answer(number, RIGHT[qid]))
        keep(f"question {qid} again", person.client.get(page))
        keep(f"question {qid} back", person.answer(number, RIGHT[qid], go="previous"))
    keep("review", person.client.get(f"{person.base}/review"))
    keep("start again (resume)", person.start())
    return seen


@pytest.mark.parametrize("time_limit", [None, 20])
def test_banks_differing_only_in_keys_give_identical_pages(
    app, make_test, learner, make_user, fixed_seed, monkeypatch, time_limit
):
    monkeypatch.setattr(views, "utcnow", lambda: NOW)
    settings = {"time_limit_minutes": time_limit} if time_limit else {}
    make_test(keys=KEYS, max_attempts=2, **settings)
    first = learner(user=make_user(name="Leerling"))
    with_keys = _pages(first)

    # The same bank with other answer keys becomes its next version; a second learner
    # (with the same name) takes the test in it.
    make_test(keys=OTHER_KEYS, max_attempts=2, **settings)
    second_client = app.test_client()
    second = learner(user=make_user(name="Leerling"), the_client=second_client)
    with_other_keys = _pages(second)

    assert bank_yaml(keys=KEYS) != bank_yaml(keys=OTHER_KEYS)
    assert [label for label, _, _ in with_keys] == [label for label, _, _ in with_other_keys]
    assert len(with_keys) > 25
    for (label, status, body), (_, other_status, other_body) in zip(
        with_keys, with_other_keys, strict=True
    ):
        assert (status, body) == (other_status, other_body), label
    # The question pages were really there (not all redirects), with every type's controls.
    bodies = "".join(body for _, _, body in with_keys)
    for control in ('type="radio"', 'type="checkbox"', "<select", 'name="answer" type="text"'):
        assert control in bodies
    if time_limit:
        assert 'id="test-timer"' in bodies


def test_the_two_key_sets_really_score_differently(app, make_test, learner, make_user):
    """The control for the test above: the answers given are right in one bank version and
    wrong in the other, so identical pages mean that nothing of the keys was shown."""
    from lms.assessment.models import Attempt
    from lms.core.db import db

    scores = []
    for keys in (KEYS, OTHER_KEYS):
        make_test(keys=keys)
        person = learner(user=make_user(), the_client=app.test_client())
        person.start()
        person.answer_all(RIGHT)
        person.submit()
        with app.app_context():
            attempt = db.session.scalar(
                db.session.query(Attempt).filter_by(user_id=person.user.id).statement
            )
            scores.append(attempt.scaled_score)
    assert scores[0] == 1.0
    assert scores[1] < 0.3


def test_no_answer_key_in_the_html_of_a_question(app, make_test, learner):
    """A direct look: no correct flag, key or feedback text in any question page."""
    make_test()
    person = learner()
    person.start()
    for number in range(1, 8):
        html = person.client.get(f"{person.base}/question?n={number}").get_data(as_text=True)
        for secret in (
            "correct",
            "Juist",
            "Helaas",
            "Goed zo",
            "match:",
            "accepted",
            "De sleutel tot de overheid",
        ):
            assert secret not in html, (number, secret)
    assert login  # (imported for the fixtures' sake)
