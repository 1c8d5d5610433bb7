"""Writes for tests: start an attempt, save answers, submit once, accommodations.

Services take explicit arguments, flush and never commit; the view commits once.

Submitting exactly once: ``submit_attempt`` starts with a conditional
``UPDATE lms_test_attempt SET status='submitted' ... WHERE id=:id AND status='open'``. Only
the request whose update changed the row goes on to score; a second submission (double click,
back button, another tab, another server) changes nothing and gets ``None``. On PostgreSQL
the update takes the row lock, so a concurrent submission waits and then finds the attempt
submitted; on SQLite writers are serialised. ``save_answer`` starts with the same kind of
update (``WHERE status='open'`` and before the deadline plus grace), so no answer slips in
after the submission or after time is up.

On SQLite a transaction that has already read cannot wait for the write lock, so the views
end their read transaction (commit) before calling ``save_answer`` or ``submit_attempt``:
the conditional update is then the first statement of its transaction.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.assessment.config import TestConfig
from lms.assessment.drawing import draw_questions, question_type
from lms.assessment.models import OPEN, SUBMITTED, Accommodation, Answer, Attempt
from lms.assessment.queries import get_accommodation, load_attempts, state_of
from lms.catalog.queries import get_bank_def
from lms.catalog.readmodel import ActivityDef, CourseDef
from lms.core import audit, signals
from lms.core.db import utcnow
from lms.learning.models import Enrolment
from lms.learning.services import record_activity_completion
from lms.xapi import builder

#: Answers are still accepted this long after the deadline (see LMS_TEST_GRACE_SECONDS).
GRACE = timedelta(seconds=30)


class AssessmentError(Exception):
    """An action on a test that cannot be done now; ``code`` says why (the view words it):
    passed, no-attempts-left, wait, unavailable, submitted, time-up, invalid."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def new_seed() -> int:
    """The seed of a new attempt's draw and shuffles (tests may fix it)."""
    return secrets.randbits(32)


def deadline_for(
    started_at: datetime, minutes: int | None, accommodation: Accommodation | None
) -> datetime | None:
    if minutes is None or (accommodation is not None and accommodation.no_time_limit):
        return None
    extra = accommodation.extra_time_percent if accommodation is not None else 0
    return started_at + timedelta(minutes=minutes * (1 + (extra or 0) / 100))


def start_attempt(
    session: Session,
    *,
    user: User,
    enrolment: Enrolment,
    course: CourseDef,
    activity: ActivityDef,
    now: datetime | None = None,
    seed: int | None = None,
) -> Attempt:
    """Start a new attempt, or return the open one (a learner resumes where they were).
    Raises ``AssessmentError`` when no attempt may start now."""
    now = now or utcnow()
    # Written first: two starts at once (a double click, two tabs) wait for each other here
    # (the row lock on PostgreSQL, the write lock on SQLite), so the second one finds the
    # attempt the first one made.
    session.execute(
        update(Enrolment)
        .where(Enrolment.id == enrolment.id)
        .values(last_activity_at=now)
        .execution_options(synchronize_session=False)
    )
    config = TestConfig.of(activity)
    attempts = load_attempts(session, user.id, course.course_id, activity.id)
    state = state_of(config, attempts, now)
    if state.open is not None:
        return state.open
    if state.blocked is not None:
        raise AssessmentError(state.blocked)
    banks = [get_bank_def(session, slug) for slug in config.banks]
    if any(bank is None for bank in banks):
        raise AssessmentError("unavailable")
    rng = random.Random(new_seed() if seed is None else seed)
    questions = draw_questions(config, [b for b in banks if b is not None], rng)
    if not questions:
        raise AssessmentError("unavailable")
    attempt = Attempt(
        user_id=user.id,
        course_id=course.course_id,
        activity_id=activity.id,
        enrolment_id=enrolment.id,
        number=max((a.number for a in attempts), default=0) + 1,
        status=OPEN,
        course_version_id=course.version_id,
        rules=config.rules(),
        questions=questions,
        started_at=now,
        deadline_at=deadline_for(
            now, config.time_limit_minutes, get_accommodation(session, user.id)
        ),
    )
    try:
        with session.begin_nested():
            session.add(attempt)
            session.flush()
    except IntegrityError:  # started at the same moment in another tab: use that attempt
        again = state_of(
            config, load_attempts(session, user.id, course.course_id, activity.id), now
        )
        if again.open is None:
            raise AssessmentError("unavailable") from None
        return again.open
    return attempt


def is_expired(attempt: Attempt, now: datetime, grace: timedelta = GRACE) -> bool:
    return attempt.deadline_at is not None and now > attempt.deadline_at + grace


def save_answer(
    session: Session,
    attempt: Attempt,
    position: int,
    response: Any,
    *,
    now: datetime | None = None,
    grace: timedelta = GRACE,
) -> Answer:
    """Save (or replace) the answer to one question of an open attempt.

    Raises ``AssessmentError("submitted")`` after the submission and ``"time-up"`` after the
    deadline plus ``grace``: such an answer is not stored."""
    now = now or utcnow()
    if not 0 <= position < len(attempt.questions):
        raise AssessmentError("invalid")
    changed = session.execute(
        update(Attempt)
        .where(
            Attempt.id == attempt.id,
            Attempt.status == OPEN,
            or_(Attempt.deadline_at.is_(None), Attempt.deadline_at >= now - grace),
        )
        .values(last_saved_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        session.refresh(attempt)
        raise AssessmentError("submitted" if attempt.status == SUBMITTED else "time-up")
    question = attempt.questions[position]
    answer = _answer_row(session, attempt.id, position)
    if answer is None:
        answer = Answer(
            attempt_id=attempt.id,
            position=position,
            bank=question["bank"],
            question_id=question["id"],
            response=response,
            saved_at=now,
        )
        try:
            with session.begin_nested():
                session.add(answer)
                session.flush()
            return answer
        except IntegrityError:  # saved at the same moment from another tab
            answer = _answer_row(session, attempt.id, position)
            assert answer is not None
    answer.response = response
    answer.saved_at = now
    session.flush()
    return answer


def _answer_row(session: Session, attempt_id: int, position: int) -> Answer | None:
    return session.scalar(
        select(Answer)
        .where(Answer.attempt_id == attempt_id, Answer.position == position)
        .execution_options(populate_existing=True)
    )


def submit_attempt(
    session: Session,
    attempt_id: int,
    *,
    user: User,
    enrolment: Enrolment,
    course: CourseDef,
    activity: ActivityDef,
    now: datetime | None = None,
    ended_by: str = "learner",
) -> Attempt | None:
    """Submit and score an open attempt, exactly once. Returns the scored attempt, or None
    when it was already submitted (by another request)."""
    now = now or utcnow()
    changed = session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.status == OPEN)
        .values(status=SUBMITTED, submitted_at=now, ended_by=ended_by)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        return None
    attempt = session.get(Attempt, attempt_id, populate_existing=True)
    assert attempt is not None
    answers = {
        a.position: a
        for a in session.scalars(
            select(Answer)
            .where(Answer.attempt_id == attempt_id)
            .execution_options(populate_existing=True)
        )
    }
    raw = 0.0
    scored: list[tuple[dict[str, Any], Answer]] = []
    for position, question in enumerate(attempt.questions):
        answer = answers.get(position)
        if answer is None:  # never answered: it counts, with no response
            answer = Answer(
                attempt_id=attempt.id,
                position=position,
                bank=question["bank"],
                question_id=question["id"],
                response=None,
            )
            session.add(answer)
        type_ = question_type(question["type"])
        score = type_.score(question["settings"], answer.response) if type_ is not None else 0.0
        answer.score = min(1.0, max(0.0, float(score)))
        raw += answer.score
        scored.append((question, answer))
    maximum = float(len(attempt.questions))
    attempt.raw_score = round(raw, 4)
    attempt.max_score = maximum
    attempt.scaled_score = round(raw / maximum, 4) if maximum else 0.0
    attempt.passed = maximum > 0 and raw / maximum >= attempt.rules["pass_mark"] - 1e-9
    session.flush()
    _report(
        session,
        attempt,
        scored,
        user=user,
        enrolment=enrolment,
        course=course,
        activity=activity,
        now=now,
    )
    signals.test_submitted.send(
        enrolment, user=user, course=course, at=now, activity=activity, attempt=attempt
    )
    if attempt.passed and activity.id in course.activities_by_id:
        # Once passed it stays passed: the completion is recorded once, as a fact.
        record_activity_completion(session, enrolment, user, course, activity.id, at=now)
    return attempt


def _report(
    session: Session,
    attempt: Attempt,
    scored: list[tuple[dict[str, Any], Answer]],
    *,
    user: User,
    enrolment: Enrolment,
    course: CourseDef,
    activity: ActivityDef,
    now: datetime,
) -> None:
    """The xAPI statements of a submission: one ``answered`` per question, then ``passed``
    or ``failed`` with the score."""
    statements: list[builder.Statement] = []
    for question, answer in scored:
        type_ = question_type(question["type"])
        if type_ is None:
            continue
        statement = builder.answered(
            enrolment=enrolment,
            user=user,
            course=course,
            activity=activity,
            bank=question["bank"],
            question_id=question["id"],
            prompt=question["prompt"],
            interaction_type=type_.interaction_type(question["settings"]),
            response=type_.xapi_response(answer.response),
            success=answer.score is not None and answer.score >= 1.0,
            at=now,
        )
        statements.append(statement)
    build = builder.passed if attempt.passed else builder.failed
    statement = build(
        enrolment=enrolment,
        user=user,
        course=course,
        activity=activity,
        score=builder.Score(
            raw=attempt.raw_score or 0.0,
            max=attempt.max_score or 1.0,
            scaled=attempt.scaled_score,
        ),
        at=now,
        duration=now - attempt.started_at,
    )
    statements.append(statement)
    # One INSERT for them all (a test of ten questions: eleven statements).
    builder.enqueue_many(session, statements, user_id=user.id, enrolment_id=enrolment.id)


def close_if_expired(
    session: Session,
    attempt: Attempt,
    *,
    user: User,
    enrolment: Enrolment,
    course: CourseDef,
    activity: ActivityDef,
    now: datetime | None = None,
    grace: timedelta = GRACE,
) -> bool:
    """Submit an open attempt whose time is up (with the answers saved in time)."""
    now = now or utcnow()
    if not attempt.is_open or not is_expired(attempt, now, grace):
        return False
    submitted = submit_attempt(
        session,
        attempt.id,
        user=user,
        enrolment=enrolment,
        course=course,
        activity=activity,
        now=now,
        ended_by="time",
    )
    if submitted is None:
        session.refresh(attempt)
    return submitted is not None


def set_accommodation(
    session: Session,
    person: User,
    *,
    actor: User,
    extra_time_percent: int = 0,
    no_time_limit: bool = False,
    now: datetime | None = None,
) -> Accommodation | None:
    """Give ``person`` extra time (or no time limit) in every test; both empty removes the
    accommodation. Open attempts with a time limit get their deadline moved at once."""
    now = now or utcnow()
    accommodation = get_accommodation(session, person.id)
    if not extra_time_percent and not no_time_limit:
        if accommodation is not None:
            session.delete(accommodation)
            accommodation = None
    else:
        if accommodation is None:
            accommodation = Accommodation(user_id=person.id)
            session.add(accommodation)
        accommodation.extra_time_percent = extra_time_percent
        accommodation.no_time_limit = no_time_limit
        accommodation.updated_by_id = actor.id
        accommodation.updated_at = now
    session.flush()
    for attempt in session.scalars(
        select(Attempt).where(Attempt.user_id == person.id, Attempt.status == OPEN)
    ):
        minutes = attempt.rules.get("time_limit_minutes")
        attempt.deadline_at = deadline_for(attempt.started_at, minutes, accommodation)
    audit.record(
        session,
        "test_accommodation_set",
        "user",
        person.id,
        actor_id=actor.id,
        extra_time_percent=extra_time_percent,
        no_time_limit=no_time_limit,
    )
    session.flush()
    return accommodation
