"""The SQL of the reports: who is in scope, their enrolments, and the facts the statuses need.

Every query starts from ``organisations.queries.people_visible_to`` (the one tenancy filter)
and is one statement whatever the number of people: the people in scope are passed to the
fact queries as a SELECT of ids, never as one query per person. The facts are the same the
learner's own pages read (``learning.queries.load_records_for``, the progress providers, the
certificate reader), so the statuses agree everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.assessment.models import SUBMITTED, Attempt
from lms.learning.models import Enrolment
from lms.organisations.models import Department, Organisation
from lms.organisations.queries import people_visible_to
from lms.plans.models import PlanGroup


def people_in_scope(
    actor: User,
    organisation_ids: Iterable[int],
    *,
    department_id: int | None = None,
    kind: str | None = None,
    search: str = "",
) -> Select:
    """The active people of ``organisation_ids`` that ``actor`` may see, as SELECT User."""
    query = people_visible_to(actor).where(
        User.active.is_(True), User.organisation_id.in_(list(organisation_ids))
    )
    if department_id is not None:
        query = query.where(User.department_id == department_id)
    if kind is not None:
        query = query.where(User.kind == kind)
    if search:
        like = f"%{search.lower()}%"
        query = query.where(
            or_(
                func.lower(User.full_name).like(like),
                func.lower(User.email).like(like),
                func.lower(User.username).like(like),
            )
        )
    return query


def ids_of(people: Select) -> Select:
    """A SELECT of the ids of ``people`` (to pass to the fact queries)."""
    return people.with_only_columns(User.id).order_by(None)


@dataclass(frozen=True)
class EnrolmentRow:
    """One enrolment of a person in scope, with what the table shows about the person."""

    enrolment_id: int
    user_id: int
    course_id: int
    mandatory: bool
    due_at: datetime | None
    renews: bool
    due_source: str | None
    enrolled_at: datetime
    last_activity_at: datetime | None
    full_name: str
    login: str
    kind: str
    organisation_id: int
    organisation: str
    department_id: int | None
    department: str | None
    #: The plan-prompt experiment's group ("prompt", "no_prompt") or None.
    plan_group: str | None = None
    #: The enrolment's progress summary (``lms.learning.summary``; None: unknown).
    summary_version_id: int | None = None
    summary_progress: float | None = None
    summary_status: str | None = None
    summary_modules_done: str | None = None
    summary_last_completion_at: datetime | None = None


def enrolment_rows(
    session: Session,
    people: Select,
    *,
    course_id: int | None = None,
    mandatory: bool | None = None,
) -> list[EnrolmentRow]:
    """The enrolments of ``people`` (one query), optionally of one course / mandatory or not."""
    query = (
        select(
            Enrolment.id,
            Enrolment.user_id,
            Enrolment.course_id,
            Enrolment.mandatory,
            Enrolment.due_at,
            Enrolment.renews,
            Enrolment.due_source,
            Enrolment.enrolled_at,
            Enrolment.last_activity_at,
            User.full_name,
            func.coalesce(User.email, User.username),
            User.kind,
            User.organisation_id,
            Organisation.name,
            User.department_id,
            Department.name,
            PlanGroup.grp,
            Enrolment.summary_version_id,
            Enrolment.summary_progress,
            Enrolment.summary_status,
            Enrolment.summary_modules_done,
            Enrolment.summary_last_completion_at,
        )
        .join(User, User.id == Enrolment.user_id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .outerjoin(Department, Department.id == User.department_id)
        .outerjoin(PlanGroup, PlanGroup.enrolment_id == Enrolment.id)
        .where(Enrolment.user_id.in_(ids_of(people)))
    )
    if course_id is not None:
        query = query.where(Enrolment.course_id == course_id)
    if mandatory is not None:
        query = query.where(Enrolment.mandatory.is_(mandatory))
    return [EnrolmentRow(*row) for row in session.execute(query)]


def count_people(session: Session, people: Select) -> int:
    return session.scalar(select(func.count()).select_from(ids_of(people).subquery())) or 0


def best_scores(
    session: Session, people: Select, course_ids: Iterable[int]
) -> dict[tuple[int, int], float]:
    """The best scaled score (0..1) of any submitted test attempt, per (person, course)."""
    ids = list(course_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Attempt.user_id, Attempt.course_id, func.max(Attempt.scaled_score))
        .where(
            Attempt.user_id.in_(ids_of(people)),
            Attempt.course_id.in_(ids),
            Attempt.status == SUBMITTED,
        )
        .group_by(Attempt.user_id, Attempt.course_id)
    )
    return {(u, c): score for u, c, score in rows if score is not None}


def departments_of(session: Session, organisation_ids: Iterable[int]) -> list[Department]:
    return list(
        session.scalars(
            select(Department)
            .where(Department.organisation_id.in_(list(organisation_ids)))
            .order_by(Department.organisation_id, Department.name)
        )
    )
