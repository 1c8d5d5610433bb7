"""The statement builder: every statement follows the rules of docs/xapi.md."""

from __future__ import annotations

import copy
import re
import uuid
from datetime import datetime

import pytest

from lms.xapi import builder
from lms.xapi.validation import InvalidStatement, check, problems
from lms.xapi.vocabulary import ACTIVITY_TYPES, PROGRESS_EXTENSION, VERBS
from tests.xapi.conftest import AT, every_statement

BASE = "https://lms.example.be"


@pytest.fixture
def app_config() -> dict:
    return {"LMS_XAPI_BASE_IRI": BASE + "/", "LMS_XAPI_PLATFORM": "Connectoo"}


def test_every_statement_follows_our_rules(app, db_session, course, who):
    statements = every_statement(course, who)
    for name, statement in statements.items():
        assert problems(statement) == [], name
        assert "version" not in statement
        assert re.fullmatch(r"2024-05-01T08:30:15\.123Z", statement["timestamp"])
        assert uuid.UUID(statement["id"]).version == 4
        assert statement["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": BASE, "name": str(who["user"].public_id)},
        }
        assert "@" not in str(statement)  # no e-mail address anywhere
        context = statement["context"]
        assert context["registration"] == str(who["enrolment"].registration)
        assert context["language"] == "fr"  # the learner's preference, a course language
        assert context["platform"] == "Connectoo"
    assert len({s["id"] for s in statements.values()}) == len(statements)


def test_ids_come_from_keys_and_names_from_every_course_language(app, db_session, course, who):
    statement = every_statement(course, who)["experienced"]
    root = f"{BASE}/xapi/activities/course/xapi-demo"
    assert statement["verb"]["id"] == VERBS["experienced"]
    assert statement["object"]["id"] == f"{root}/section/s2"
    assert statement["object"]["definition"] == {
        "name": {"nl": "Aan het loket", "fr": "Au guichet"},
        "type": ACTIVITY_TYPES["section"],
    }
    activities = statement["context"]["contextActivities"]
    assert [a["id"] for a in activities["parent"]] == [f"{root}/lesson/l1"]
    assert [a["id"] for a in activities["grouping"]] == [
        f"{root}/activity/m1-elearning",
        f"{root}/module/m1",
        root,
    ]


def test_results(app, db_session, course, who):
    statements = every_statement(course, who)
    assert statements["progressed"]["result"] == {"extensions": {PROGRESS_EXTENSION: 50}}
    assert statements["passed"]["result"] == {
        "score": {"scaled": 0.7, "raw": 7.0, "min": 0.0, "max": 10.0},
        "success": True,
        "completion": True,
        "duration": "PT01M35.46S",
    }
    assert statements["failed"]["result"]["success"] is False
    assert statements["completed"]["result"] == {"completion": True}
    answered = statements["answered"]
    assert answered["result"] == {"success": True, "response": "b"}
    assert answered["object"]["definition"]["interactionType"] == "choice"
    assert answered["object"]["id"] == f"{BASE}/xapi/activities/bank/demo-bank/question/q1"
    assert statements["earned"]["object"]["definition"]["type"] == ACTIVITY_TYPES["certificate"]
    assert statements["module satisfied"]["verb"]["id"] == (
        "https://w3id.org/xapi/adl/verbs/satisfied"
    )
    assert "result" not in statements["course satisfied"]


def test_the_course_default_language_when_the_learner_reads_another(
    app, db_session, course, make_learner
):
    learner = make_learner(language="de")
    statement = builder.course_completed(
        enrolment=learner.enrolment, user=learner.user, course=course, at=AT
    )
    assert statement["context"]["language"] == "nl"


def test_a_naive_time_is_refused(app, db_session, course, who):
    with pytest.raises(ValueError, match="naive"):
        builder.course_completed(**who, course=course, at=datetime(2024, 5, 1, 8, 0))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.update(version="1.0.3"), "version: not set by the LMS"),
        (lambda s: s["actor"].update(mbox="mailto:an@example.be"), "actor: only an account"),
        (lambda s: s["actor"]["account"].update(name="an@example.be"), "opaque id"),
        (lambda s: s.update(timestamp="2024-05-01T08:30:15+00:00"), "timestamp"),
        (lambda s: s.update(id="not-a-uuid"), "id: must be a UUID"),
        (lambda s: s["verb"].update(id="http://example.org/verbs/liked"), "verb.id"),
        (lambda s: s["object"]["definition"].update(name={"nl": ""}), "empty value"),
        (lambda s: s["object"].update(id="section-s1"), "object.id"),
        (lambda s: s["context"].pop("registration"), "names its enrolment"),
        (lambda s: s["result"]["extensions"].update({PROGRESS_EXTENSION: 150}), "0-100"),
        (lambda s: s["result"]["extensions"].update({PROGRESS_EXTENSION: 0.5}), "0-100"),
        (lambda s: s["context"].update(language="Nederlands"), "context.language"),
    ],
)
def test_our_checks_catch_broken_statements(app, db_session, course, who, change, message):
    statement = copy.deepcopy(every_statement(course, who)["progressed"])
    change(statement)
    found = problems(statement)
    assert any(message in problem for problem in found), found
    with pytest.raises(InvalidStatement):
        check(statement)


def test_score_rules(app, db_session, course, who):
    statement = copy.deepcopy(every_statement(course, who)["passed"])
    statement["result"]["score"].update(raw=12.0)
    statement["result"]["success"] = False
    statement["result"]["duration"] = "95 seconds"
    found = problems(statement)
    assert "result.score.raw: must be between min and max" in found
    assert "result.success: must be true for passed" in found
    assert "result.duration: must be an ISO 8601 duration" in found
