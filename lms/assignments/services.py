"""Writes for assignment rules: create, change, end, and apply them (flush only).

``apply_rules(session, user)`` is the one place that brings a person in line with the rules;
``apply_rule(session, rule)`` does it for everyone a rule covers. Both are idempotent: run
twice, they change nothing the second time. New assignments enrol through
``learning.services.enrol`` (progress is never reset), queue an "assigned" e-mail in the
person's language, and settle the enrolment's terms (``settle_terms``). Ending a rule or
leaving its scope ends the assignment; the enrolment, its progress and any certificate stay.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.assignments.models import (
    DUE_FIXED,
    DUE_KINDS,
    DUE_NONE,
    DUE_RELATIVE,
    Assignment,
    AssignmentRule,
)
from lms.catalog.queries import get_current_course_defs
from lms.catalog.readmodel import CourseDef
from lms.core import audit
from lms.core.db import utcnow
from lms.core.i18n import gettext as _
from lms.learning.models import Enrolment
from lms.learning.services import enrol
from lms.learning.statuses import due_at_after, due_day, end_of_day
from lms.mail.services import queue_mail
from lms.organisations.models import Department, Organisation

#: Relative due dates: from 1 day to 10 years.
MAX_DUE_DAYS = 3650
#: Why an assignment ended.
RULE_ENDED = "rule-ended"
LEFT = "left"


class AssignmentError(ValueError):
    """A rule that cannot be made as asked; the message is for the person."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Applied:
    """What applying rules did: assignments made (or made again) and ended."""

    assigned: int = 0
    ended: int = 0

    def __add__(self, other: Applied) -> Applied:
        return Applied(self.assigned + other.assigned, self.ended + other.ended)


# Rules -------------------------------------------------------------------------------------


def _check_terms(due_kind: str, due_date: date | None, due_days: int | None) -> None:
    if due_kind not in DUE_KINDS:
        raise AssignmentError(_("Choose how the due date is set."), "due_kind")
    if due_kind == DUE_FIXED and due_date is None:
        raise AssignmentError(_("Give the date by which the course must be finished."), "due_date")
    if due_kind == DUE_RELATIVE and (due_days is None or not 1 <= due_days <= MAX_DUE_DAYS):
        raise AssignmentError(
            _("Give a number of days from 1 to %(max)d.", max=MAX_DUE_DAYS), "due_days"
        )


def create_rule(
    session: Session,
    *,
    organisation: Organisation,
    course: CourseDef,
    department: Department | None = None,
    person: User | None = None,
    mandatory: bool = True,
    due_kind: str = DUE_NONE,
    due_date: date | None = None,
    due_days: int | None = None,
    renew_on_expiry: bool = False,
    actor: User | None = None,
    at: datetime | None = None,
) -> tuple[AssignmentRule, Applied]:
    """Make a rule and apply it to everyone it covers now."""
    at = at or utcnow()
    if department is not None and person is not None:
        raise AssignmentError(_("Choose a department or a person, not both."), "target")
    if department is not None and department.organisation_id != organisation.id:
        raise AssignmentError(_("The department does not belong to the organisation."), "target")
    if person is not None and person.organisation_id != organisation.id:
        raise AssignmentError(_("This person does not work for the organisation."), "target")
    _check_terms(due_kind, due_date, due_days)
    rule = AssignmentRule(
        organisation_id=organisation.id,
        department_id=department.id if department else None,
        user_id=person.id if person else None,
        course_id=course.course_id,
        mandatory=mandatory,
        due_kind=due_kind,
        due_date=due_date if due_kind == DUE_FIXED else None,
        due_days=due_days if due_kind == DUE_RELATIVE else None,
        renew_on_expiry=renew_on_expiry,
        created_at=at,
        created_by_id=actor.id if actor else None,
    )
    session.add(rule)
    session.flush()
    audit.record(
        session,
        "assignment_rule.create",
        "assignment_rule",
        rule.id,
        actor_id=actor.id if actor else None,
        **_describe(rule),
    )
    return rule, apply_rule(session, rule, actor=actor, at=at, course=course)


def update_rule(
    session: Session,
    rule: AssignmentRule,
    *,
    mandatory: bool,
    due_kind: str,
    due_date: date | None = None,
    due_days: int | None = None,
    renew_on_expiry: bool = False,
    actor: User | None = None,
    at: datetime | None = None,
) -> Applied:
    """Change a rule's terms (not its course or whom it covers: end it and make a new one).
    The people it covers get the new terms; nobody's progress changes."""
    if rule.ended_at is not None:
        raise AssignmentError(_("This rule has ended and can no longer be changed."))
    _check_terms(due_kind, due_date, due_days)
    before = _describe(rule)
    rule.mandatory = mandatory
    rule.due_kind = due_kind
    rule.due_date = due_date if due_kind == DUE_FIXED else None
    rule.due_days = due_days if due_kind == DUE_RELATIVE else None
    rule.renew_on_expiry = renew_on_expiry
    rule.updated_at = at or utcnow()
    session.flush()
    audit.record(
        session,
        "assignment_rule.update",
        "assignment_rule",
        rule.id,
        actor_id=actor.id if actor else None,
        before=before,
        after=_describe(rule),
    )
    return apply_rule(session, rule, actor=actor, at=at)


def end_rule(
    session: Session, rule: AssignmentRule, *, actor: User | None = None, at: datetime | None = None
) -> Applied:
    """The rule stops applying. Enrolments, progress and certificates stay; the people it
    covered keep the terms of their other rules (or none)."""
    if rule.ended_at is not None:
        return Applied()
    at = at or utcnow()
    rule.ended_at = at
    rule.ended_by_id = actor.id if actor else None
    session.flush()
    audit.record(
        session,
        "assignment_rule.end",
        "assignment_rule",
        rule.id,
        actor_id=actor.id if actor else None,
        **_describe(rule),
    )
    return apply_rule(session, rule, actor=actor, at=at)


def _describe(rule: AssignmentRule) -> dict:
    return {
        "organisation_id": rule.organisation_id,
        "department_id": rule.department_id,
        "user_id": rule.user_id,
        "course_id": rule.course_id,
        "mandatory": rule.mandatory,
        "due_kind": rule.due_kind,
        "due_date": rule.due_date.isoformat() if rule.due_date else None,
        "due_days": rule.due_days,
        "renew_on_expiry": rule.renew_on_expiry,
    }


# Applying ----------------------------------------------------------------------------------


def rule_due_at(rule: AssignmentRule, assigned_at: datetime) -> datetime | None:
    """The due date a rule gives someone assigned at ``assigned_at``."""
    if rule.due_kind == DUE_FIXED and rule.due_date is not None:
        return end_of_day(rule.due_date)
    if rule.due_kind == DUE_RELATIVE and rule.due_days is not None:
        return due_at_after(assigned_at, rule.due_days)
    return None


def _course(session: Session, course_id: int, cache: dict[int, CourseDef | None]):
    if course_id not in cache:
        cache[course_id] = get_current_course_defs(session, [course_id]).get(course_id)
    return cache[course_id]


def apply_rule(
    session: Session,
    rule: AssignmentRule,
    *,
    actor: User | None = None,
    at: datetime | None = None,
    course: CourseDef | None = None,
) -> Applied:
    """Bring everyone the rule covers (or covered) in line with it."""
    at = at or utcnow()
    cache: dict[int, CourseDef | None] = {}
    if course is not None:
        cache[course.course_id] = course
    covered = []
    if rule.ended_at is None:
        query = select(User).where(
            User.active.is_(True), User.organisation_id == rule.organisation_id
        )
        if rule.department_id is not None:
            query = query.where(User.department_id == rule.department_id)
        if rule.user_id is not None:
            query = query.where(User.id == rule.user_id)
        covered = list(session.scalars(query.order_by(User.id)))
    covered_ids = {u.id for u in covered}
    result = Applied()
    touched: set[int] = set()
    existing = {
        a.user_id: a
        for a in session.scalars(select(Assignment).where(Assignment.rule_id == rule.id))
    }
    for user in covered:
        assignment, new = _ensure(session, rule, user, existing.get(user.id), actor, at, cache)
        if assignment is not None:
            touched.add(assignment.enrolment_id)
            result += Applied(assigned=int(new))
    # People who can no longer log in keep what they had (they are out of the reports).
    inactive = (
        set(
            session.scalars(
                select(User.id).where(User.active.is_(False), User.id.in_(list(existing)))
            )
        )
        if existing and rule.ended_at is None
        else set()
    )
    for user_id, assignment in existing.items():
        if user_id in inactive:
            continue
        if user_id not in covered_ids and assignment.ended_at is None:
            assignment.ended_at = at
            assignment.end_reason = RULE_ENDED if rule.ended_at is not None else LEFT
            touched.add(assignment.enrolment_id)
            result += Applied(ended=1)
    session.flush()
    settle_terms(session, touched)
    return result


def apply_rules(
    session: Session, user: User, *, actor: User | None = None, at: datetime | None = None
) -> Applied:
    """Bring one person in line with every rule: after they were created, imported, moved,
    deactivated or reactivated. Rules of their organisation that cover them assign; their
    assignments by rules that no longer cover them end."""
    at = at or utcnow()
    if not user.active:
        return Applied()
    cache: dict[int, CourseDef | None] = {}
    rules = []
    if user.organisation_id is not None:
        rules = list(
            session.scalars(
                select(AssignmentRule)
                .where(
                    AssignmentRule.organisation_id == user.organisation_id,
                    AssignmentRule.ended_at.is_(None),
                    or_(AssignmentRule.user_id.is_(None), AssignmentRule.user_id == user.id),
                )
                .order_by(AssignmentRule.id)
            )
        )
    mine = {
        a.rule_id: a
        for a in session.scalars(select(Assignment).where(Assignment.user_id == user.id))
    }
    result = Applied()
    touched: set[int] = set()
    covering = {r.id for r in rules if r.covers(user)}
    for rule in rules:
        if rule.id in covering:
            assignment, new = _ensure(session, rule, user, mine.get(rule.id), actor, at, cache)
            if assignment is not None:
                touched.add(assignment.enrolment_id)
                result += Applied(assigned=int(new))
    for rule_id, assignment in mine.items():
        if rule_id not in covering and assignment.ended_at is None:
            assignment.ended_at = at
            assignment.end_reason = LEFT
            touched.add(assignment.enrolment_id)
            result += Applied(ended=1)
    session.flush()
    settle_terms(session, touched)
    return result


def _ensure(
    session: Session,
    rule: AssignmentRule,
    user: User,
    assignment: Assignment | None,
    actor: User | None,
    at: datetime,
    cache: dict[int, CourseDef | None],
) -> tuple[Assignment | None, bool]:
    """The person's active assignment by ``rule``: kept (with the rule's current due date),
    made again (came back), or made. Returns (assignment, newly assigned)."""
    if assignment is not None and assignment.ended_at is None:
        assignment.due_at = rule_due_at(rule, assignment.assigned_at)
        return assignment, False
    course = _course(session, rule.course_id, cache)
    if course is None:  # a course without a current version cannot be followed
        return None, False
    enrolment, _created = enrol(session, user, course, source="assignment", actor=actor)
    if assignment is None:
        assignment = Assignment(rule_id=rule.id, user_id=user.id, enrolment_id=enrolment.id)
        session.add(assignment)
    assignment.enrolment_id = enrolment.id
    assignment.assigned_at = at
    assignment.ended_at = None
    assignment.end_reason = None
    assignment.due_at = rule_due_at(rule, at)
    session.flush()
    _mail_assigned(session, user, rule, course, assignment.due_at)
    return assignment, True


def settle_terms(session: Session, enrolment_ids: Iterable[int]) -> None:
    """Set each enrolment's terms from its active assignments: mandatory when any active
    rule says so; the earliest due date among the rules that decide (the mandatory ones, or
    all when none is); renewal when one of those asks for it. Without active assignments a
    rule's terms are taken away (terms a coordinator set by hand stay)."""
    ids = sorted(set(enrolment_ids))
    if not ids:
        return
    active: dict[int, list[tuple[Assignment, AssignmentRule]]] = {i: [] for i in ids}
    for assignment, rule in session.execute(
        select(Assignment, AssignmentRule)
        .join(AssignmentRule, AssignmentRule.id == Assignment.rule_id)
        .where(
            Assignment.enrolment_id.in_(ids),
            Assignment.ended_at.is_(None),
            AssignmentRule.ended_at.is_(None),
        )
    ):
        active[assignment.enrolment_id].append((assignment, rule))
    for enrolment in session.scalars(select(Enrolment).where(Enrolment.id.in_(ids))):
        pairs = active[enrolment.id]
        if not pairs:
            if enrolment.due_source == "rule":
                enrolment.mandatory = False
                enrolment.due_at = None
                enrolment.renews = False
                enrolment.due_source = None
            continue
        deciding = [(a, r) for a, r in pairs if r.mandatory] or pairs
        dues = [a.due_at for a, _r in deciding if a.due_at is not None]
        enrolment.mandatory = any(r.mandatory for _a, r in pairs)
        enrolment.due_at = min(dues) if dues else None
        enrolment.renews = any(r.renew_on_expiry for _a, r in deciding)
        enrolment.due_source = "rule"
    session.flush()


def _mail_assigned(
    session: Session,
    user: User,
    rule: AssignmentRule,
    course: CourseDef,
    due_at: datetime | None,
) -> None:
    if not user.email or not user.active:
        return
    lang = user.preferred_language
    content_lang = lang if lang in course.languages else course.default_language
    adapter = current_app.url_map.bind("localhost")
    path = adapter.build("lms.learning.course", {"slug": course.slug})
    queue_mail(
        session,
        recipient=user.email,
        template="assigned",
        language=lang,
        name=user.full_name,
        course_title=course.text(course.title, content_lang),
        mandatory=rule.mandatory,
        due_day=due_day(due_at),
        course_url=current_app.config["LMS_BASE_URL"].rstrip("/") + path,
    )
