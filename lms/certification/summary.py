"""What a certificate says about the learner's results.

The statuses come from the completion engine (the one source of truth for progress): the
modules completed and the tests passed. Scores are not part of the engine's state; they are
read from the ``passed`` statements that the test feature sends through the xAPI builder
(``result.score.scaled``), taking the best one per test. With no test, or no score recorded
yet, the summary simply lists less: a certificate never waits for, or fails on, test data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.catalog.readmodel import CourseDef
from lms.learning.engine import CourseState
from lms.xapi.activities import activity_iri
from lms.xapi.models import XapiStatement
from lms.xapi.vocabulary import VERBS

SCORED_TYPES = frozenset({"test"})


def best_scores(session: Session, enrolment_id: int, course: CourseDef) -> dict[str, float]:
    """{activity id: best scaled score 0..1} from the enrolment's ``passed`` statements."""
    prefix = activity_iri(course.slug, "activity", "")
    scores: dict[str, float] = {}
    rows = session.scalars(
        select(XapiStatement.payload).where(
            XapiStatement.enrolment_id == enrolment_id, XapiStatement.verb == VERBS["passed"]
        )
    )
    for payload in rows:
        try:
            statement = json.loads(payload)
            object_id = statement["object"]["id"]
            scaled = float(statement["result"]["score"]["scaled"])
        except (ValueError, KeyError, TypeError):
            continue
        if isinstance(object_id, str) and object_id.startswith(prefix):
            activity_id = object_id[len(prefix) :]
            scores[activity_id] = max(scaled, scores.get(activity_id, 0.0))
    return scores


def build_summary(
    course: CourseDef, state: CourseState, language: str, scores: Mapping[str, float]
) -> dict[str, Any]:
    """The summary stored in the certificate (plain JSON, texts in ``language``)."""
    modules = course.counted_modules
    tests = []
    for module in modules:
        for activity in module.activities:
            activity_state = state.activities.get(activity.id)
            if activity.type not in SCORED_TYPES or activity_state is None:
                continue
            if not activity_state.done:
                continue
            score = scores.get(activity.id)
            tests.append(
                {
                    "id": activity.id,
                    "title": course.text(activity.title, language),
                    "score": None if score is None else round(min(max(score, 0.0), 1.0), 4),
                }
            )
    return {
        "modules_completed": sum(1 for m in modules if state.modules[m.id].done),
        "modules_total": len(modules),
        "tests": tests,
    }
