"""The one place where xAPI statements are built (on ``tincan``), and ``enqueue``.

Every statement gets an id we generate, a UTC timestamp with milliseconds, no ``version``
(xAPI 1.0.3 says a provider should leave it to the LRS; tincan would write "1.0.3"), an
``account`` actor (homePage = ``LMS_XAPI_BASE_IRI``, name = the learner's opaque
``public_id``, never an e-mail address), verbs and activity types from the ADL, cmi5 and
tincanapi.com vocabularies, activity ids built from the item's key (``<base>/xapi/
activities/course/<slug>/<kind>/<id>``, never a position), names in the course's languages,
``context.registration`` = the enrolment's UUID, parent and grouping activities, the
learner's language and the platform (ids and definitions: ``activities``). docs/xapi.md shows
every statement.

The builders return plain dicts; ``enqueue`` checks one (``validation``) and adds it to the
outbox in the caller's transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

import tincan
from flask import current_app
from sqlalchemy import insert
from sqlalchemy.orm import Session

from lms.catalog.readmodel import ActivityDef, CourseDef, LessonDef, ModuleDef, SectionDef
from lms.core.db import utcnow
from lms.xapi.activities import (
    ancestors,
    base_iri,
    certificate_iri,
    course_activity,
    format_timestamp,
    item_activity,
    lesson_activity,
    make_activity,
    module_activity,
    question_iri,
    section_activity,
)
from lms.xapi.models import XapiStatement
from lms.xapi.validation import check
from lms.xapi.vocabulary import PROGRESS_EXTENSION, VERBS

if TYPE_CHECKING:  # the builders need only a few attributes of these
    from lms.accounts.models import User as Learner
    from lms.learning.models import Enrolment as Registration

Statement = dict[str, Any]
#: The order of a statement's keys in the outbox (for people reading it; JSON ignores it).
KEY_ORDER = ("id", "timestamp", "actor", "verb", "object", "result", "context")


@dataclass(frozen=True)
class Score:
    """A test score; ``scaled`` defaults to (raw - min) / (max - min)."""

    raw: float
    max: float
    min: float = 0.0
    scaled: float | None = None

    def as_tincan(self) -> tincan.Score:
        scaled = self.scaled
        if scaled is None and self.max > self.min:
            scaled = (self.raw - self.min) / (self.max - self.min)
        return tincan.Score(
            raw=self.raw,
            min=self.min,
            max=self.max,
            scaled=None if scaled is None else round(scaled, 4),
        )


# The core ----------------------------------------------------------------------------------


def statement_language(user: Learner, course: CourseDef) -> str:
    """The language the learner sees the course in."""
    preferred = getattr(user, "preferred_language", None)
    return preferred if preferred in course.languages else course.default_language


def build(
    verb: str,
    obj: tincan.Activity,
    *,
    user: Learner,
    enrolment: Registration | None,
    course: CourseDef | None,
    at: datetime,
    parent: Sequence[tincan.Activity] = (),
    grouping: Sequence[tincan.Activity] = (),
    result: tincan.Result | None = None,
    language: str | None = None,
) -> Statement:
    """Build one statement; every public builder below goes through here."""
    timestamp = format_timestamp(at)
    context_activities = None
    if parent or grouping:
        context_activities = tincan.ContextActivities(
            parent=tincan.ActivityList(list(parent)) if parent else None,
            grouping=tincan.ActivityList(list(grouping)) if grouping else None,
        )
    if language is None and course is not None:
        language = statement_language(user, course)
    statement = tincan.Statement(
        id=uuid.uuid4(),
        actor=tincan.Agent(
            account=tincan.AgentAccount(home_page=base_iri(), name=str(user.public_id))
        ),
        verb=tincan.Verb(id=VERBS[verb], display=tincan.LanguageMap({"en-US": verb})),
        object=obj,
        result=result,
        context=tincan.Context(
            registration=enrolment.registration if enrolment is not None else None,
            context_activities=context_activities,
            language=language,
            platform=current_app.config["LMS_XAPI_PLATFORM"],
        ),
    )
    # tincan writes "version": "1.0.3" unless told otherwise, and would format the
    # timestamp without the milliseconds-and-Z form we promise.
    statement.version = None
    data: Statement = statement.as_version()
    data["timestamp"] = timestamp
    return {key: data[key] for key in KEY_ORDER if key in data}


def _result(
    *,
    score: Score | None = None,
    success: bool | None = None,
    completion: bool | None = None,
    response: str | None = None,
    duration: timedelta | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> tincan.Result:
    if duration is not None:  # cmi5 asks for 0.01 s precision
        duration = timedelta(seconds=round(duration.total_seconds(), 2))
    return tincan.Result(
        score=score.as_tincan() if score is not None else None,
        success=success,
        completion=completion,
        response=response,
        duration=duration,
        extensions=tincan.Extensions(dict(extensions)) if extensions else None,
    )


# Learning events ---------------------------------------------------------------------------


def section_experienced(
    *, enrolment: Registration, user: Learner, course: CourseDef, section: SectionDef, at: datetime
) -> Statement:
    lesson = course.lessons_by_id[section.lesson_id]
    return build(
        "experienced",
        section_activity(course, section),
        user=user,
        enrolment=enrolment,
        course=course,
        at=at,
        parent=[lesson_activity(course, lesson)],
        grouping=ancestors(course, section.module_id, section.activity_id),
    )


def lesson_progressed(
    *,
    enrolment: Registration,
    user: Learner,
    course: CourseDef,
    lesson: LessonDef,
    progress: float,
    at: datetime,
) -> Statement:
    """``progress`` is 0..1; the statement carries cmi5's 0-100 integer."""
    percent = max(0, min(100, round(progress * 100)))
    return build(
        "progressed",
        lesson_activity(course, lesson),
        user=user,
        enrolment=enrolment,
        course=course,
        at=at,
        parent=[item_activity(course, course.activities_by_id[lesson.activity_id])],
        grouping=ancestors(course, lesson.module_id),
        result=_result(extensions={PROGRESS_EXTENSION: percent}),
    )


def activity_completed(
    *,
    enrolment: Registration,
    user: Learner,
    course: CourseDef,
    activity: ActivityDef,
    at: datetime,
    duration: timedelta | None = None,
) -> Statement:
    result = _result(completion=True, duration=duration)
    return _in_module("completed", enrolment, user, course, activity, at, result)


def module_completed(
    *, enrolment: Registration, user: Learner, course: CourseDef, module: ModuleDef, at: datetime
) -> Statement:
    return _module_statement("completed", enrolment, user, course, module, at)


def module_satisfied(
    *, enrolment: Registration, user: Learner, course: CourseDef, module: ModuleDef, at: datetime
) -> Statement:
    """cmi5: the module's completion rule is met."""
    return _module_statement("satisfied", enrolment, user, course, module, at)


def _module_statement(verb, enrolment, user, course, module, at) -> Statement:
    return build(
        verb,
        module_activity(course, module),
        user=user,
        enrolment=enrolment,
        course=course,
        at=at,
        parent=[course_activity(course)],
        result=_result(completion=True) if verb == "completed" else None,
    )


def course_completed(
    *, enrolment: Registration, user: Learner, course: CourseDef, at: datetime
) -> Statement:
    return build(
        "completed",
        course_activity(course),
        user=user,
        enrolment=enrolment,
        course=course,
        at=at,
        result=_result(completion=True),
    )


def course_satisfied(
    *, enrolment: Registration, user: Learner, course: CourseDef, at: datetime
) -> Statement:
    """cmi5: the course's completion rule is met."""
    return build(
        "satisfied", course_activity(course), user=user, enrolment=enrolment, course=course, at=at
    )


# For the features that come next: tests, forums, live sessions, certificates ----------------


def answered(
    *,
    enrolment: Registration,
    user: Learner,
    course: CourseDef,
    activity: ActivityDef,
    bank: str,
    question_id: str,
    prompt: Mapping[str, str],
    interaction_type: str,
    response: str,
    success: bool | None,
    at: datetime,
    duration: timedelta | None = None,
) -> Statement:
    """A question of a test answered. ``response`` uses xAPI's response format (e.g. the
    chosen choice ids joined by ``[,]``); ``interaction_type`` is an xAPI interaction type."""
    question = make_activity(
        question_iri(bank, question_id), "question", prompt, interaction_type=interaction_type
    )
    return build(
        "answered",
        question,
        user=user,
        enrolment=enrolment,
        course=course,
        at=at,
        parent=[item_activity(course, activity)],
        grouping=ancestors(course, activity.module_id),
        result=_result(response=response, success=success, duration=duration),
    )


def test_result(
    verb: str,
    *,
    enrolment: Registration,
    user: Learner,
    course: CourseDef,
    activity: ActivityDef,
    score: Score,
    at: datetime,
    duration: timedelta | None = None,
) -> Statement:
    """A submitted test: ``verb`` is "passed" or "failed" (the score and success follow)."""
    if verb not in ("passed", "failed"):
        raise ValueError(verb)
    result = _result(score=score, success=verb == "passed", completion=True, duration=duration)
    return _in_module(verb, enrolment, user, course, activity, at, result)


#: ``passed(enrolment=..., ...)`` and ``failed(...)``: ``test_result`` with its verb.
passed = partial(test_result, "passed")
failed = partial(test_result, "failed")


def commented(
    *,
    enrolment: Registration,
    user: Learner,
    course: CourseDef,
    activity: ActivityDef,
    at: datetime,
) -> Statement:
    """A post in a forum. The post's text is not sent (it is the learner's own words)."""
    return _in_module("commented", enrolment, user, course, activity, at)


def attended(
    *,
    enrolment: Registration,
    user: Learner,
    course: CourseDef,
    activity: ActivityDef,
    at: datetime,
    duration: timedelta | None = None,
) -> Statement:
    """A webinar or collective session attended (as marked by the trainer)."""
    result = _result(duration=duration) if duration is not None else None
    return _in_module("attended", enrolment, user, course, activity, at, result)


def _in_module(verb, enrolment, user, course, activity, at, result=None) -> Statement:
    return build(
        verb,
        item_activity(course, activity),
        user=user,
        enrolment=enrolment,
        course=course,
        at=at,
        parent=[module_activity(course, course.modules_by_id[activity.module_id])],
        grouping=[course_activity(course)],
        result=result,
    )


def earned(
    *,
    enrolment: Registration,
    user: Learner,
    course: CourseDef,
    certificate_id: str | uuid.UUID,
    name: Mapping[str, str],
    at: datetime,
) -> Statement:
    """A certificate issued; ``certificate_id`` is its public (opaque) id."""
    return build(
        "earned",
        make_activity(certificate_iri(certificate_id), "certificate", name),
        user=user,
        enrolment=enrolment,
        course=course,
        at=at,
        parent=[course_activity(course)],
    )


# The outbox --------------------------------------------------------------------------------


_INSERT = insert(XapiStatement.__table__)


def enqueue(
    session: Session, statement: Statement, *, user_id: int, enrolment_id: int | None = None
) -> uuid.UUID:
    """Check ``statement`` and add it to the outbox in the caller's transaction; returns its id.

    A plain INSERT on the session's connection, executed at once (like a flush; much cheaper
    than the ORM's unit of work on a page). Raises ``validation.InvalidStatement`` for a
    statement that breaks our rules: that is a bug in a builder, and it must not reach an LRS.
    """
    return enqueue_many(session, [statement], user_id=user_id, enrolment_id=enrolment_id)[0]


def enqueue_many(
    session: Session,
    statements: Sequence[Statement],
    *,
    user_id: int,
    enrolment_id: int | None = None,
) -> list[uuid.UUID]:
    """``enqueue`` for several statements of one person (a submitted test: one per question
    and the result): every one is checked first, then one INSERT adds them all, in order
    (the outbox sends them in that order)."""
    for statement in statements:
        check(statement)
    now = utcnow()
    rows = [
        {
            "statement_id": uuid.UUID(statement["id"]),
            "verb": statement["verb"]["id"],
            "payload": json.dumps(statement, separators=(",", ":"), ensure_ascii=False),
            "user_id": user_id,
            "enrolment_id": enrolment_id,
            "created_at": now,
        }
        for statement in statements
    ]
    if rows:
        session.connection().execute(_INSERT, rows)
    return [row["statement_id"] for row in rows]
