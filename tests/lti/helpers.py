"""What the LTI tests read back from the tool's database, and a learner's test taken
through the tool's pages over HTTP."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.core.audit import AuditEvent
from lms.core.db import db
from tests.assessment.conftest import RIGHT


def refusals(app) -> list[dict]:
    with app.app_context():
        return [
            e.details
            for e in db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "lti.launch_refused")
                .order_by(AuditEvent.id)
            )
        ]


def take_test(app, browser, tool_url: str, user_id: int, answers=RIGHT, slug: str = "toets"):
    """Start, answer and submit the test ``m1-test`` through the pages (as the launched
    learner in ``browser``); returns the submit's response."""
    from tests.assessment.conftest import _open_attempt

    base = f"{tool_url}/courses/{slug}/tests/m1-test"
    started = browser.post_form(f"{base}/start", {}, page=base, allow_redirects=False)
    assert started.status_code == 302, started.text
    with app.app_context():
        questions = [q["id"] for q in _open_attempt(user_id).questions]
    for number, qid in enumerate(questions, start=1):
        page = f"{base}/question?n={number}"
        html = browser.get(page).text
        attempt = re.search(r'name="attempt" value="(\d+)"', html).group(1)
        form = {**answers.get(qid, {}), "attempt": attempt, "go": "next"}
        answered = browser.post_form(page, form, page=page, allow_redirects=False)
        assert answered.status_code == 302, answered.text
    review = browser.get(f"{base}/review").text
    attempt = re.search(r'name="attempt" value="(\d+)"', review).group(1)
    return browser.post_form(
        f"{base}/submit", {"attempt": attempt}, page=f"{base}/review", allow_redirects=False
    )
