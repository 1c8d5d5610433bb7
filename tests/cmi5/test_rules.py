"""The cmi5 rule checker used on the AUs' statements finds each rule broken (so a runtime
that broke one would fail the browser tests), and Ralph's validator refuses a bad statement."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.cmi5.rules import (
    CATEGORY_CMI5,
    CATEGORY_MOVEON,
    MASTERY_SCORE,
    SESSION_ID,
    VERBS,
    Launch,
    move_on_satisfied,
    session_problems,
)

ACTOR = {"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "l-1"}}
LAUNCH = Launch(
    actor=ACTOR,
    registration=str(uuid.UUID(int=1)),
    activity_id="https://lms.example.org/activities/au-1",
    session_id="session-1",
    publisher_id="https://publisher.example.org/au/1",
    move_on="Passed",
    mastery_score=0.75,
)


def statement(verb: str, second: int, result: dict | None = None, **extensions: Any) -> dict:
    judged = result is not None and ("success" in result or "completion" in result)
    category = [{"id": CATEGORY_CMI5}] + ([{"id": CATEGORY_MOVEON}] if judged else [])
    built = {
        "id": str(uuid.uuid4()),
        "actor": copy.deepcopy(ACTOR),
        "verb": {"id": VERBS[verb]},
        "object": {"id": LAUNCH.activity_id, "objectType": "Activity"},
        "context": {
            "registration": LAUNCH.registration,
            "contextActivities": {"grouping": [{"id": LAUNCH.publisher_id}], "category": category},
            "extensions": {SESSION_ID: LAUNCH.session_id, **extensions},
        },
        "timestamp": f"2026-12-07T10:00:{second:02d}.000Z",
    }
    if result is not None:
        built["result"] = result
    return built


def good_session() -> list[dict]:
    score = {"scaled": 0.8333, "raw": 5, "min": 0, "max": 6}
    return [
        statement("launched", 0),
        statement("initialized", 1),
        statement("completed", 2, {"completion": True, "duration": "PT1.00S"}),
        statement(
            "passed",
            3,
            {"score": score, "success": True, "duration": "PT2.50S"},
            **{MASTERY_SCORE: 0.75},
        ),
        statement("terminated", 4, {"duration": "PT3.00S"}),
    ]


def test_a_conformant_session_has_no_problem():
    assert session_problems(good_session(), LAUNCH) == []


def _set(index: int, *path: str, value: Any) -> Callable[[list[dict]], None]:
    """Set (or with DELETE, remove) ``path`` in the session's statement ``index``."""
    keys = list(path)

    def change(session: list[dict]) -> None:
        target = session[index]
        for key in keys[:-1]:
            target = target[key]
        if value is DELETE:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value

    return change


DELETE = object()
CHANGES: dict[str, Callable[[list[dict]], None]] = {
    "initialized not first": lambda s: s.insert(1, s.pop(2)),
    "terminated not last": lambda s: s.insert(3, s.pop(4)),
    "a verb twice": lambda s: s.insert(3, copy.deepcopy(s[2]) | {"id": str(uuid.uuid4())}),
    "other actor": _set(1, "actor", value={"objectType": "Agent", "mbox": "mailto:a@example.org"}),
    "other object": _set(1, "object", "id", value="https://publisher.example.org/au/1"),
    "no registration": _set(1, "context", "registration", value=DELETE),
    "other session id": _set(1, "context", "extensions", SESSION_ID, value="session-2"),
    "no publisher id": _set(1, "context", "contextActivities", "grouping", value=[]),
    "no cmi5 category": _set(1, "context", "contextActivities", "category", value=[]),
    "no moveon category": _set(
        2, "context", "contextActivities", "category", value=[{"id": CATEGORY_CMI5}]
    ),
    "moveon on terminated": _set(
        4,
        "context",
        "contextActivities",
        "category",
        value=[{"id": CATEGORY_CMI5}, {"id": CATEGORY_MOVEON}],
    ),
    "no duration": _set(4, "result", value={}),
    "success on completed": _set(2, "result", "success", value=True),
    "passed below mastery": _set(
        3, "result", "score", value={"scaled": 0.5, "raw": 3, "min": 0, "max": 6}
    ),
    "scaled not raw/max": _set(3, "result", "score", "scaled", value=0.9),
    "no masteryscore": _set(3, "context", "extensions", MASTERY_SCORE, value=DELETE),
    "local time": _set(1, "timestamp", value="2026-12-07T10:00:01+01:00"),
    "out of order": _set(2, "timestamp", value="2026-12-07T09:00:00.000Z"),
    "repeated id": lambda s: s[2].update(id=s[1]["id"]),
}


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_each_broken_rule_is_found(change):
    session = good_session()
    CHANGES[change](session)
    assert session_problems(session, LAUNCH) != []


def test_rules_across_sessions_of_one_registration():
    session = good_session()
    assert session_problems(session, LAUNCH, earlier=["completed"])  # completed again
    assert session_problems(session, LAUNCH, earlier=["passed"])  # passed again
    failed = [
        *good_session()[:2],
        statement(
            "failed",
            3,
            {
                "score": {"scaled": 0.5, "raw": 3, "min": 0, "max": 6},
                "success": False,
                "duration": "PT1.00S",
            },
            **{MASTERY_SCORE: 0.75},
        ),
        statement("terminated", 4, {"duration": "PT3.00S"}),
    ]
    assert session_problems(failed, LAUNCH) == []
    assert session_problems(failed, LAUNCH, earlier=["passed"])  # failed after passed


def test_browse_mode_allows_only_initialized_and_terminated():
    browse = Launch(**{**LAUNCH.__dict__, "launch_mode": "Browse"})
    assert session_problems(good_session(), browse)
    assert session_problems([good_session()[i] for i in (0, 1, 4)], browse) == []


@pytest.mark.parametrize(
    ("move_on", "done", "satisfied"),
    [
        ("Completed", {"completed"}, True),
        ("Completed", {"passed"}, False),
        ("Passed", {"failed"}, False),
        ("CompletedAndPassed", {"completed"}, False),
        ("CompletedOrPassed", {"passed"}, True),
        ("NotApplicable", set(), True),
    ],
)
def test_move_on(move_on, done, satisfied):
    assert move_on_satisfied(move_on, done) is satisfied


@pytest.mark.lrs
def test_ralphs_validator_refuses_a_bad_statement():
    from tests.xapi.ralph import ensure_venv, validate_with_ralph

    python = ensure_venv()
    good = good_session()
    bad = copy.deepcopy(good[1])
    bad["verb"]["id"] = "initialized"  # not an IRI
    assert validate_with_ralph(python, good) == []
    assert validate_with_ralph(python, [bad]) != []
