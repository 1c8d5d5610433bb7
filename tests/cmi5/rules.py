"""The cmi5 rules (cmi5 1.0, sections 9 and 10) that an AU's statements must follow, checked
on the statements of one session, as the test LMS recorded them.

``session_problems`` returns a list of plain sentences; an empty list means the session is
conformant as far as these rules go. Ralph's strict model checks the xAPI side separately.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "launched": ADL + "launched",
    "initialized": ADL + "initialized",
    "completed": ADL + "completed",
    "passed": ADL + "passed",
    "failed": ADL + "failed",
    "terminated": ADL + "terminated",
}
VERB_NAMES = {iri: name for name, iri in VERBS.items()}
CATEGORY_CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
CATEGORY_MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon"
SESSION_ID = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
MASTERY_SCORE = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
DURATION = re.compile(r"^P(?:\d+D)?T?(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]00:00)$")


@dataclass(frozen=True)
class Launch:
    """What the LMS gave the AU at launch."""

    actor: Mapping[str, Any]
    registration: str
    activity_id: str
    session_id: str
    publisher_id: str
    move_on: str
    mastery_score: float | None = None
    launch_mode: str = "Normal"


def verbs(statements: Sequence[Mapping[str, Any]]) -> list[str]:
    return [VERB_NAMES.get(s["verb"]["id"], s["verb"]["id"]) for s in statements]


def move_on_satisfied(move_on: str, done: set[str]) -> bool:
    """Whether the verbs ``done`` in a registration meet the AU's moveOn (section 13.1.4)."""
    return {
        "Completed": "completed" in done,
        "Passed": "passed" in done,
        "CompletedAndPassed": {"completed", "passed"} <= done,
        "CompletedOrPassed": bool({"completed", "passed"} & done),
        "NotApplicable": True,
    }[move_on]


def _ids(activities: Any) -> list[str]:
    return [a.get("id") for a in activities or []]


def _statement_problems(s: Mapping[str, Any], launch: Launch, name: str) -> list[str]:
    problems = []
    context = s.get("context") or {}
    result = s.get("result") or {}
    grouping = _ids((context.get("contextActivities") or {}).get("grouping"))
    category = _ids((context.get("contextActivities") or {}).get("category"))
    if s.get("actor") != launch.actor:
        problems.append(f"{name}: the actor is not the launch's actor")
    if (s.get("object") or {}).get("id") != launch.activity_id:
        problems.append(f"{name}: the object is not the launch's activityId")
    if context.get("registration") != launch.registration:
        problems.append(f"{name}: context.registration is not the launch's registration")
    if (context.get("extensions") or {}).get(SESSION_ID) != launch.session_id:
        problems.append(f"{name}: the sessionid extension is not the launch's session id")
    if launch.publisher_id not in grouping:
        problems.append(f"{name}: the publisher id is missing from contextActivities.grouping")
    if CATEGORY_CMI5 not in category:
        problems.append(f"{name}: the cmi5 category is missing")
    judged = "success" in result or "completion" in result
    if judged != (CATEGORY_MOVEON in category):
        problems.append(f"{name}: the moveon category must be there exactly when judged")
    if not TIMESTAMP.match(str(s.get("timestamp", ""))):
        problems.append(f"{name}: the timestamp is missing or not in UTC")
    if name in {"completed", "passed", "failed", "terminated"} and not DURATION.match(
        str(result.get("duration", ""))
    ):
        problems.append(f"{name}: result.duration is missing or not ISO 8601")
    if "success" in result and name not in {"passed", "failed"}:
        problems.append(f"{name}: only passed and failed may carry result.success")
    if "completion" in result and name != "completed":
        problems.append(f"{name}: only completed may carry result.completion")
    if name == "completed" and result.get("completion") is not True:
        problems.append("completed: result.completion must be true")
    if name in {"passed", "failed"}:
        problems += _judged_problems(s, launch, name)
    return problems


def _judged_problems(s: Mapping[str, Any], launch: Launch, name: str) -> list[str]:
    problems = []
    result = s.get("result") or {}
    score = result.get("score") or {}
    if result.get("success") is not (name == "passed"):
        problems.append(f"{name}: result.success must be {name == 'passed'}")
    scaled = score.get("scaled")
    if not isinstance(scaled, int | float):
        problems.append(f"{name}: no scaled score")
    elif launch.mastery_score is not None:
        if (scaled >= launch.mastery_score) != (name == "passed"):
            problems.append(f"{name}: scaled {scaled} against masteryScore {launch.mastery_score}")
        extension = ((s.get("context") or {}).get("extensions") or {}).get(MASTERY_SCORE)
        if extension != launch.mastery_score:
            problems.append(f"{name}: the masteryscore extension is not the launch's")
    raw, low, high = score.get("raw"), score.get("min"), score.get("max")
    if None in (raw, low, high) or not low <= raw <= high:
        problems.append(f"{name}: score raw/min/max missing or out of order")
    elif isinstance(scaled, int | float) and abs(scaled - (raw - low) / (high - low)) > 1e-4:
        problems.append(f"{name}: scaled {scaled} does not match raw/min/max")
    return problems


def session_problems(
    statements: Sequence[Mapping[str, Any]], launch: Launch, earlier: Sequence[str] = ()
) -> list[str]:
    """Problems of one AU session (``launched`` first), given the verbs the AU sent in
    earlier sessions of the same registration."""
    problems = []
    names = verbs(statements)
    order = sorted(range(len(statements)), key=lambda i: statements[i]["timestamp"])
    if order != list(range(len(statements))):
        problems.append("the statements' timestamps are not in the order they were sent")
    if not names or names[0] != "launched":
        problems.append("the session does not start with the LMS's launched")
    if len(names) < 2 or names[1] != "initialized":
        problems.append("initialized is not the AU's first statement")
    if not names or names[-1] != "terminated":
        problems.append("terminated is not the last statement")
    for verb in set(names):
        if names.count(verb) > 1:
            problems.append(f"{verb} is sent {names.count(verb)} times in one session")
    if {"passed", "failed"} <= set(names):
        problems.append("both passed and failed in one session")
    for verb in ("completed", "passed"):
        if verb in names and verb in earlier:
            problems.append(f"a second {verb} in the same registration")
    if "failed" in names and "passed" in earlier:
        problems.append("failed after passed in the same registration")
    if launch.launch_mode != "Normal" and set(names) - {"launched", "initialized", "terminated"}:
        problems.append(f"{launch.launch_mode} mode: only initialized and terminated are allowed")
    ids = [s.get("id") for s in statements]
    if len(set(ids)) != len(ids) or None in ids:
        problems.append("statement ids are missing or repeated")
    for statement, name in zip(statements, names, strict=True):
        if name not in VERBS:
            problems.append(f"unknown verb {name}")
            continue
        problems += _statement_problems(statement, launch, name)
    return problems
