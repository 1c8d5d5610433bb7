"""The plan-prompt experiment: random assignment of new enrolments, and the comparison.

Off by default. An administrator starts a run with a share from 0 to 0.5: from then on each
NEW enrolment (whatever made it: self-enrolment, a coordinator, an assignment rule) is
assigned once, at random, when it is created (``assign``, on the ``enrolled`` signal): to
"no prompt" with probability ``share``, else to "prompt". The group is stored
(``PlanGroup``) and never changes; the "no prompt" group is never shown the prompt nor
offered a plan. Changing the share ends the run and starts another, so that the groups of
one run were drawn the same way; each run is compared on its own.

The comparison (``compare``) is intention-to-treat: everyone assigned counts in their group,
whether or not they made a plan. For each group: the number of people (enrolments), how
many completed the course (``Enrolment.completed_at``, the recorded completion) and the
rate, and the days from enrolment to completion (mean, median). The difference is the
prompt group's completion rate minus the no-prompt group's, with a 95% confidence interval
by Newcombe's hybrid score method (method 10 of Newcombe, Statistics in Medicine 1998,
built from the Wilson score intervals of both rates; unlike the Wald interval it stays
inside [-1, 1] and behaves with small groups and rates near 0 or 1). The verdict is "too
small to tell" while either group has fewer than ``LMS_PLAN_EXPERIMENT_MIN_GROUP`` people
(default 30) or while the interval includes zero.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from lms.accounts.models import User
from lms.core import audit, signals
from lms.core.db import db, utcnow
from lms.core.i18n import gettext as _
from lms.learning.models import Enrolment
from lms.plans.models import NO_PROMPT, PROMPT, LearningPlan, PlanExperiment, PlanGroup

MAX_SHARE = 0.5
#: z for a two-sided 95% interval.
Z95 = 1.959963984540054
DEFAULT_MIN_GROUP = 30


class ExperimentError(ValueError):
    """A setting that cannot be used; the message is for the administrator."""


def active_experiment(session: Session) -> PlanExperiment | None:
    return session.scalar(
        select(PlanExperiment)
        .where(PlanExperiment.ended_at.is_(None))
        .order_by(PlanExperiment.id.desc())
        .limit(1)
    )


def check_share(raw: str) -> float:
    """A share typed as a percentage ("20", "12.5", "20 %") -> 0.2; refuses anything
    outside 0 to 50 per cent with a clear message."""
    text = (raw or "").strip().rstrip("%").strip().replace(",", ".")
    try:
        percent = float(text)
    except ValueError:
        raise ExperimentError(
            _("Give the share as a number of per cent, from 0 to 50, for example 20.")
        ) from None
    if not math.isfinite(percent) or not 0 <= percent <= MAX_SHARE * 100:
        raise ExperimentError(
            _("The share must be from 0 to 50 per cent: at least half see the prompt.")
        )
    return round(percent / 100, 4)


def start_experiment(
    session: Session, share: float, *, actor: User | None = None, at: datetime | None = None
) -> PlanExperiment:
    """Start a run with ``share`` (ending the current one)."""
    if not (isinstance(share, int | float) and 0 <= share <= MAX_SHARE):
        raise ExperimentError(
            _("The share must be from 0 to 50 per cent: at least half see the prompt.")
        )
    at = at or utcnow()
    stop_experiment(session, actor=actor, at=at)
    run = PlanExperiment(
        share=float(share), started_at=at, started_by_id=actor.id if actor else None
    )
    session.add(run)
    session.flush()
    audit.record(
        session,
        "plan_experiment.start",
        "plan_experiment",
        run.id,
        actor_id=actor.id if actor else None,
        share=run.share,
    )
    return run


def stop_experiment(
    session: Session, *, actor: User | None = None, at: datetime | None = None
) -> PlanExperiment | None:
    run = active_experiment(session)
    if run is None:
        return None
    run.ended_at = at or utcnow()
    run.ended_by_id = actor.id if actor else None
    session.flush()
    audit.record(
        session,
        "plan_experiment.stop",
        "plan_experiment",
        run.id,
        actor_id=actor.id if actor else None,
    )
    return run


# Assignment ----------------------------------------------------------------------------------


def rng() -> random.Random:
    """The experiment's random numbers: seeded by ``LMS_PLAN_EXPERIMENT_SEED`` (tests),
    else the operating system's randomness. One per app."""
    if not has_app_context():
        return random.SystemRandom()
    extras = current_app.extensions["lms"].extras
    generator = extras.get("plan_rng")
    if generator is None:
        seed = current_app.config.get("LMS_PLAN_EXPERIMENT_SEED")
        generator = random.SystemRandom() if seed is None else random.Random(seed)
        extras["plan_rng"] = generator
    return generator


def draw(share: float, generator: random.Random) -> str:
    return NO_PROMPT if generator.random() < share else PROMPT


def assign(session: Session, enrolment: Enrolment, *, at: datetime | None = None) -> str | None:
    """Assign a new enrolment to a group of the running experiment (None: none runs)."""
    run = active_experiment(session)
    if run is None:
        return None
    group = draw(run.share, rng())
    session.add(
        PlanGroup(
            enrolment_id=enrolment.id,
            experiment_id=run.id,
            grp=group,
            assigned_at=at or utcnow(),
        )
    )
    session.flush()
    return group


def on_enrolled(enrolment, *, at=None, **_kwargs) -> None:
    assign(object_session(enrolment) or db.session, enrolment, at=at)


def connect() -> None:
    """Listen to ``enrolled`` (calling it again changes nothing)."""
    signals.enrolled.connect(on_enrolled, weak=False)


# The comparison ------------------------------------------------------------------------------


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for a proportion."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(x1: int, n1: int, x2: int, n2: int, z: float = Z95) -> tuple[float, float]:
    """95% interval for p1 - p2 (Newcombe's hybrid score method, method 10)."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    d = p1 - p2
    return (
        d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    )


@dataclass(frozen=True)
class GroupResult:
    group: str
    #: Enrolments assigned to the group.
    enrolled: int
    completed: int
    #: Of them, how many made a plan.
    planned: int
    #: Days from enrolment to completion, for each completion.
    days: tuple[float, ...]

    @property
    def rate(self) -> float | None:
        return self.completed / self.enrolled if self.enrolled else None

    @property
    def mean_days(self) -> float | None:
        return statistics.fmean(self.days) if self.days else None

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days) if self.days else None


TOO_SMALL = "too_small"
UNCLEAR = "unclear"
PROMPT_MORE = "prompt_more"
PROMPT_FEWER = "prompt_fewer"


@dataclass(frozen=True)
class Comparison:
    """One run of the experiment compared: see the module docstring."""

    experiment: PlanExperiment
    prompt: GroupResult
    no_prompt: GroupResult
    min_group: int
    generated_at: datetime

    @property
    def difference(self) -> float | None:
        """Completion rate with the prompt minus without it (None: a group is empty)."""
        if not (self.prompt.enrolled and self.no_prompt.enrolled):
            return None
        return self.prompt.rate - self.no_prompt.rate  # type: ignore[operator]

    @property
    def interval(self) -> tuple[float, float] | None:
        if self.difference is None:
            return None
        return newcombe(
            self.prompt.completed,
            self.prompt.enrolled,
            self.no_prompt.completed,
            self.no_prompt.enrolled,
        )

    @property
    def verdict(self) -> str:
        if min(self.prompt.enrolled, self.no_prompt.enrolled) < self.min_group:
            return TOO_SMALL
        low, high = self.interval  # type: ignore[misc]
        if low <= 0 <= high:
            return UNCLEAR
        return PROMPT_MORE if low > 0 else PROMPT_FEWER

    @property
    def groups(self) -> tuple[GroupResult, GroupResult]:
        return self.prompt, self.no_prompt


def compare(
    session: Session, *, min_group: int = DEFAULT_MIN_GROUP, now: datetime | None = None
) -> list[Comparison]:
    """Every run of the experiment compared, newest first (three queries in all)."""
    runs = list(session.scalars(select(PlanExperiment).order_by(PlanExperiment.id.desc())))
    if not runs:
        return []
    counts: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for run_id, group, enrolled, completed, planned in session.execute(
        select(
            PlanGroup.experiment_id,
            PlanGroup.grp,
            func.count(PlanGroup.enrolment_id),
            func.count(Enrolment.completed_at),
            func.count(LearningPlan.id),
        )
        .join(Enrolment, Enrolment.id == PlanGroup.enrolment_id)
        .outerjoin(LearningPlan, LearningPlan.enrolment_id == PlanGroup.enrolment_id)
        .group_by(PlanGroup.experiment_id, PlanGroup.grp)
    ):
        counts[(run_id, group)] = [enrolled, completed, planned]
    days: dict[tuple[int, str], list[float]] = defaultdict(list)
    for run_id, group, enrolled_at, completed_at in session.execute(
        select(
            PlanGroup.experiment_id, PlanGroup.grp, Enrolment.enrolled_at, Enrolment.completed_at
        )
        .join(Enrolment, Enrolment.id == PlanGroup.enrolment_id)
        .where(Enrolment.completed_at.is_not(None))
        .order_by(Enrolment.id)
    ):
        days[(run_id, group)].append((completed_at - enrolled_at).total_seconds() / 86400)

    def result(run_id: int, group: str) -> GroupResult:
        enrolled, completed, planned = counts[(run_id, group)]
        return GroupResult(group, enrolled, completed, planned, tuple(days[(run_id, group)]))

    now = now or utcnow()
    return [
        Comparison(run, result(run.id, PROMPT), result(run.id, NO_PROMPT), min_group, now)
        for run in runs
    ]
