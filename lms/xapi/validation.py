"""Our own checks of every statement before it enters the outbox.

tincan validates almost nothing and LRSs accept many invalid statements, so the rules we
promise (docs/xapi.md) are checked here: the xAPI 1.0.3 structure we use, plus our own
choices (no ``version``, an opaque account actor, UTC timestamps with milliseconds, known
verbs and activity types, a registration on every learning statement).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from lms.xapi.vocabulary import (
    ACTIVITY_TYPES,
    INTERACTION_TYPES,
    OTHER_ACTIVITY_TYPE,
    PROGRESS_EXTENSION,
    VERBS,
)

ALLOWED_KEYS = {"id", "actor", "verb", "object", "result", "context", "timestamp"}
TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
DURATION_RE = re.compile(
    r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)
IRI_RE = re.compile(r"^[a-z][a-z0-9+.-]*://[^\s/?#]+[^\s]*$", re.IGNORECASE)
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class InvalidStatement(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def check(statement: Mapping[str, Any]) -> None:
    found = problems(statement)
    if found:
        raise InvalidStatement(found)


def problems(statement: Mapping[str, Any]) -> list[str]:
    """Every rule ``statement`` breaks, as readable messages (empty: it is fine)."""
    found: list[str] = []
    known_types = {*ACTIVITY_TYPES.values(), OTHER_ACTIVITY_TYPE}
    for key in sorted(set(statement) - ALLOWED_KEYS):
        found.append(f"{key}: not set by the LMS (stored, authority, version are the LRS's)")
    _no_empty_values(statement, "", found)
    if not _is_uuid(statement.get("id")):
        found.append("id: must be a UUID string in lower case")
    if not TIMESTAMP_RE.match(str(statement.get("timestamp", ""))):
        found.append("timestamp: must be UTC with milliseconds, e.g. 2024-05-01T08:00:00.000Z")
    _check_actor(statement.get("actor"), found)
    verb = statement.get("verb") or {}
    verb_id = verb.get("id")
    if verb_id not in VERBS.values():
        found.append(f"verb.id: {verb_id!r} is not one of the LMS's verbs")
    if not _is_language_map(verb.get("display")):
        found.append("verb.display: must be a language map")
    if verb_id == VERBS["voided"]:
        target = statement.get("object") or {}
        if target.get("objectType") != "StatementRef" or not _is_uuid(target.get("id")):
            found.append("object: a voiding statement points at a StatementRef with a UUID")
    else:
        _check_activity(statement.get("object"), "object", known_types, found)
    _check_context(statement.get("context"), known_types, found)
    result = statement.get("result")
    if result is not None:
        _check_result(result, found)
    _check_verb_rules(verb_id, statement, found)
    return found


def _is_uuid(value: Any) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _is_language_map(value: Any) -> bool:
    return (
        isinstance(value, Mapping)
        and bool(value)
        and all(
            isinstance(k, str) and LANGUAGE_RE.match(k) and isinstance(v, str) and v.strip()
            for k, v in value.items()
        )
    )


def _no_empty_values(value: Any, path: str, found: list[str]) -> None:
    """xAPI: no empty strings, objects or nulls (except inside extensions)."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if item is None or item == "" or item == {} or item == []:
                found.append(f"{where}: empty value")
            elif key != "extensions":
                _no_empty_values(item, where, found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _no_empty_values(item, f"{path}[{index}]", found)


def _check_actor(actor: Any, found: list[str]) -> None:
    if not isinstance(actor, Mapping):
        found.append("actor: missing")
        return
    extra = set(actor) - {"objectType", "account"}
    if extra:
        found.append(f"actor: only an account, no {', '.join(sorted(extra))} (no personal data)")
    if actor.get("objectType") != "Agent":
        found.append("actor.objectType: must be Agent")
    account = actor.get("account") or {}
    if not IRI_RE.match(str(account.get("homePage", ""))):
        found.append("actor.account.homePage: must be an absolute IRI")
    if not _is_uuid(account.get("name")):
        found.append("actor.account.name: must be the learner's opaque id (a UUID)")


def _check_activity(activity: Any, path: str, known_types: set[str], found: list[str]) -> None:
    if not isinstance(activity, Mapping):
        found.append(f"{path}: must be an activity")
        return
    if activity.get("objectType", "Activity") != "Activity":
        found.append(f"{path}.objectType: must be Activity")
    if not IRI_RE.match(str(activity.get("id", ""))):
        found.append(f"{path}.id: must be an absolute IRI")
    definition = activity.get("definition")
    if definition is None:
        return
    if definition.get("type") not in known_types:
        found.append(f"{path}.definition.type: {definition.get('type')!r} is not a known type")
    if "name" in definition and not _is_language_map(definition["name"]):
        found.append(f"{path}.definition.name: must be a language map")
    interaction = definition.get("interactionType")
    if interaction is not None and interaction not in INTERACTION_TYPES:
        found.append(f"{path}.definition.interactionType: {interaction!r} is not xAPI's")


def _check_context(context: Any, known_types: set[str], found: list[str]) -> None:
    if not isinstance(context, Mapping):
        found.append("context: missing")
        return
    if "registration" in context and not _is_uuid(context["registration"]):
        found.append("context.registration: must be a UUID")
    if not LANGUAGE_RE.match(str(context.get("language", ""))):
        found.append("context.language: must be a language tag")
    if not context.get("platform"):
        found.append("context.platform: missing")
    for kind, activities in (context.get("contextActivities") or {}).items():
        if kind not in {"parent", "grouping", "category", "other"}:
            found.append(f"context.contextActivities.{kind}: unknown")
        elif not isinstance(activities, list):
            found.append(f"context.contextActivities.{kind}: must be a list")
        else:
            for index, activity in enumerate(activities):
                path = f"context.contextActivities.{kind}[{index}]"
                _check_activity(activity, path, known_types, found)


def _check_result(result: Mapping[str, Any], found: list[str]) -> None:
    score = result.get("score")
    if score is not None:
        scaled, raw = score.get("scaled"), score.get("raw")
        low, high = score.get("min"), score.get("max")
        if scaled is not None and not -1 <= scaled <= 1:
            found.append("result.score.scaled: must be between -1 and 1")
        if low is not None and high is not None and not low < high:
            found.append("result.score: min must be below max")
        if raw is not None and (
            (low is not None and raw < low) or (high is not None and raw > high)
        ):
            found.append("result.score.raw: must be between min and max")
    for flag in ("success", "completion"):
        if flag in result and not isinstance(result[flag], bool):
            found.append(f"result.{flag}: must be true or false")
    if "duration" in result and not DURATION_RE.match(str(result["duration"])):
        found.append("result.duration: must be an ISO 8601 duration")
    for key in result.get("extensions") or {}:
        if not IRI_RE.match(key):
            found.append(f"result.extensions: key {key!r} must be an IRI")


def _check_verb_rules(verb_id: Any, statement: Mapping[str, Any], found: list[str]) -> None:
    result = statement.get("result") or {}
    context = statement.get("context") or {}
    verb = next((name for name, iri in VERBS.items() if iri == verb_id), None)
    if verb is None:
        return
    if "registration" not in context and verb != "voided":
        found.append("context.registration: every learning statement names its enrolment")
    if verb == "progressed":
        progress = (result.get("extensions") or {}).get(PROGRESS_EXTENSION)
        if not isinstance(progress, int) or isinstance(progress, bool) or not 0 <= progress <= 100:
            found.append("result: progressed needs cmi5's progress extension, 0-100")
    if verb in {"passed", "failed"}:
        if result.get("success") is not (verb == "passed"):
            found.append(f"result.success: must be {str(verb == 'passed').lower()} for {verb}")
        if "score" not in result:
            found.append(f"result.score: {verb} carries the score")
    if verb == "completed" and result.get("completion") is not True:
        found.append("result.completion: must be true for completed")
    if verb == "answered":
        definition = (statement.get("object") or {}).get("definition") or {}
        if "interactionType" not in definition:
            found.append("object.definition.interactionType: a question needs one")
