"""Reads of learning plans: for My learning's course cards, a person's drill-down and the
coordinators' list of suggested learning times."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.learning.models import Enrolment
from lms.organisations.models import Department
from lms.plans.models import DepartmentPlanTime, LearningPlan, PlanGroup, PlanPromptSkip
from lms.plans.recurrence import When


@dataclass(frozen=True)
class PlanFacts:
    """What the pages show about one enrolment's plan."""

    plan: LearningPlan | None
    #: The experiment group ("prompt", "no_prompt") or None.
    group: str | None
    skipped: bool

    @property
    def when(self) -> When | None:
        return when_of(self.plan) if self.plan else None

    @property
    def offered(self) -> bool:
        """Whether the person is offered a plan (the no-prompt group is not)."""
        return self.group != "no_prompt"


def when_of(plan: LearningPlan) -> When:
    return When.from_rule(
        plan.rrule, plan.start_date, plan.start_time, plan.timezone, plan.duration_minutes
    )


def plan_facts(session: Session, user_id: int) -> dict[int, PlanFacts]:
    """Every enrolment of the person with its plan, group and skip (one query)."""
    rows = session.execute(
        select(Enrolment.id, LearningPlan, PlanGroup.grp, PlanPromptSkip.skipped_at)
        .outerjoin(LearningPlan, LearningPlan.enrolment_id == Enrolment.id)
        .outerjoin(PlanGroup, PlanGroup.enrolment_id == Enrolment.id)
        .outerjoin(PlanPromptSkip, PlanPromptSkip.enrolment_id == Enrolment.id)
        .where(Enrolment.user_id == user_id)
    )
    return {
        enrolment_id: PlanFacts(plan, group, skipped is not None)
        for enrolment_id, plan, group, skipped in rows
    }


def department_times(
    session: Session, organisation_ids: list[int]
) -> list[tuple[Department, DepartmentPlanTime | None]]:
    """The departments of ``organisation_ids`` with their suggested learning time."""
    return list(
        session.execute(
            select(Department, DepartmentPlanTime)
            .outerjoin(DepartmentPlanTime, DepartmentPlanTime.department_id == Department.id)
            .where(Department.organisation_id.in_(organisation_ids))
            .order_by(Department.organisation_id, Department.name)
        ).tuples()
    )
