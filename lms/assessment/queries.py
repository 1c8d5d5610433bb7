"""Reads for tests: a learner's attempts and where they stand, and the progress provider."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, func, select
from sqlalchemy.orm import Session

from lms.assessment.config import TestConfig
from lms.assessment.models import SUBMITTED, Accommodation, Attempt
from lms.learning.engine import FAILED, IN_PROGRESS, PASSED, ActivityReport

#: Why a learner cannot start a new attempt now.
BLOCK_PASSED = "passed"
BLOCK_NO_ATTEMPTS = "no-attempts-left"
BLOCK_WAIT = "wait"


@dataclass(frozen=True)
class TestState:
    """Where one learner stands in one test."""

    __test__ = False

    config: TestConfig
    attempts: tuple[Attempt, ...]
    open: Attempt | None
    submitted: tuple[Attempt, ...]
    passed: bool
    #: The attempt whose score counts (highest or last, by the test's grading method).
    graded: Attempt | None
    attempts_left: int | None
    blocked: str | None
    wait_until: datetime | None

    @property
    def can_start(self) -> bool:
        return self.open is None and self.blocked is None


def state_of(config: TestConfig, attempts: Iterable[Attempt], now: datetime) -> TestState:
    attempts = tuple(sorted(attempts, key=lambda a: a.number))
    open_attempt = next((a for a in attempts if a.is_open), None)
    submitted = tuple(a for a in attempts if a.status == SUBMITTED)
    passed = any(a.passed for a in submitted)
    graded = None
    if submitted:
        if config.grading == "last":
            graded = submitted[-1]
        else:
            graded = max(submitted, key=lambda a: (a.scaled_score or 0.0, -a.number))
    left = None if config.max_attempts is None else max(0, config.max_attempts - len(attempts))
    blocked = wait_until = None
    if passed:
        blocked = BLOCK_PASSED
    elif left == 0:
        blocked = BLOCK_NO_ATTEMPTS
    elif submitted and config.wait_minutes:
        last = max(a.submitted_at for a in submitted if a.submitted_at is not None)
        until = last + timedelta(minutes=config.wait_minutes)
        if now < until:
            blocked, wait_until = BLOCK_WAIT, until
    return TestState(
        config=config,
        attempts=attempts,
        open=open_attempt,
        submitted=submitted,
        passed=passed,
        graded=graded,
        attempts_left=left,
        blocked=blocked,
        wait_until=wait_until,
    )


def load_attempts(session: Session, user_id: int, course_id: int, activity_id: str) -> list:
    return list(
        session.scalars(
            select(Attempt)
            .where(
                Attempt.user_id == user_id,
                Attempt.course_id == course_id,
                Attempt.activity_id == activity_id,
            )
            .order_by(Attempt.number)
        )
    )


def get_accommodation(session: Session, user_id: int) -> Accommodation | None:
    return session.scalar(select(Accommodation).where(Accommodation.user_id == user_id))


def started(user_id: Any, course_id: Any) -> ColumnElement[bool]:
    """SQL twin of ``progress_reports`` for counting: any attempt, open or submitted, is
    something begun (in progress, failed or passed)."""
    return exists().where(Attempt.user_id == user_id, Attempt.course_id == course_id)


def progress_reports(
    session: Session, user_ids: Iterable[int] | Select, course_ids: Iterable[int]
) -> dict[tuple[int, int, str], ActivityReport]:
    """The completion engine's provider for tests, in one query for any number of people and
    courses (``user_ids``: ids or a SELECT of ids): passed (progress 1) once any attempt
    passed; failed after a failed attempt; in progress while the first attempt is open."""
    ids = list(course_ids)
    if not ids:
        return {}
    users = user_ids if isinstance(user_ids, Select) else list(user_ids)
    rows = session.execute(
        select(
            Attempt.user_id,
            Attempt.course_id,
            Attempt.activity_id,
            func.max(case((Attempt.passed.is_(True), 1), else_=0)),
            func.sum(case((Attempt.status == SUBMITTED, 1), else_=0)),
        )
        .where(Attempt.user_id.in_(users), Attempt.course_id.in_(ids))
        .group_by(Attempt.user_id, Attempt.course_id, Attempt.activity_id)
    )
    reports = {}
    for user_id, course_id, activity_id, passed, submitted in rows:
        if passed:
            report = ActivityReport(1.0, PASSED)
        elif submitted:
            report = ActivityReport(0.0, FAILED)
        else:
            report = ActivityReport(0.0, IN_PROGRESS)
        reports[(user_id, course_id, activity_id)] = report
    return reports
