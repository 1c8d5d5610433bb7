"""Reads for assignment rules, always within the caller's organisations."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from lms.accounts.models import User
from lms.assignments.models import Assignment, AssignmentRule
from lms.organisations.models import Organisation
from lms.organisations.queries import organisations_visible_to


def rules_visible_to(actor: User, *, include_ended: bool = True) -> Select[tuple[AssignmentRule]]:
    """The rules of the organisations ``actor`` may see (admins: all), newest first."""
    organisations = organisations_visible_to(actor).with_only_columns(Organisation.id)
    query = (
        select(AssignmentRule)
        .where(AssignmentRule.organisation_id.in_(organisations.order_by(None)))
        .options(
            joinedload(AssignmentRule.organisation),
            joinedload(AssignmentRule.department),
            joinedload(AssignmentRule.person),
        )
        .order_by(AssignmentRule.ended_at.is_not(None), AssignmentRule.id.desc())
    )
    if not include_ended:
        query = query.where(AssignmentRule.ended_at.is_(None))
    return query


def get_visible_rule(session: Session, actor: User, rule_id: int) -> AssignmentRule | None:
    """The rule if ``actor`` may see it, else None (the caller answers 404)."""
    return session.scalars(rules_visible_to(actor).where(AssignmentRule.id == rule_id)).first()


def assignments_of(session: Session, user_id: int) -> list[tuple[Assignment, AssignmentRule]]:
    """A person's assignments (active first), with their rules, for the drill-down."""
    return list(
        session.execute(
            select(Assignment, AssignmentRule)
            .join(AssignmentRule, AssignmentRule.id == Assignment.rule_id)
            .where(Assignment.user_id == user_id)
            .order_by(Assignment.ended_at.is_not(None), Assignment.assigned_at.desc())
        ).tuples()
    )


def active_counts(session: Session, rule_ids: list[int]) -> dict[int, int]:
    """People each rule applies to now."""
    if not rule_ids:
        return {}
    return dict(
        session.execute(
            select(Assignment.rule_id, func.count())
            .where(Assignment.rule_id.in_(rule_ids), Assignment.ended_at.is_(None))
            .group_by(Assignment.rule_id)
        )
        .tuples()
        .all()
    )
