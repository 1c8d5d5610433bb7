"""Granting, warning and withdrawing counter labels (``lms labels update``, daily).

A department (a counter) **earns** the label when, among its active staff (volunteers do not
count), at least ``minimum_staff`` people work there and the share holding a valid
certificate of the label's course (``LMS_LABEL_COURSE``) is at least ``threshold``. When a
labelled department falls below, its coordinators (the managers of its organisation) are
**warned** by e-mail, in their language; if it is still below ``grace_days`` days after the
warning, the label is **withdrawn** (and they are told). A department back above the line
before then keeps the label: the warning is cleared. Every change is in the audit log.

Idempotent and safe to run twice at once: a grant is an insert that the partial unique index
(one label held per department) lets through once, in a savepoint; a warning, a recovery and
a withdrawal are conditional updates (``... WHERE warned_on IS NULL`` and so on) that only
one run can make, and only the run that made the change sends its e-mail. So a second run on
the same day changes nothing and sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import case, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.accounts.models import RoleAssignment, User
from lms.catalog.models import Course
from lms.certification.codes import new_code
from lms.certification.models import VALID, Certificate
from lms.core import audit
from lms.labels.models import CounterLabel
from lms.mail.services import queue_mail
from lms.organisations.models import Department


class LabelSettingsError(ValueError):
    """The label settings cannot be used (the message says which and why)."""


@dataclass(frozen=True)
class LabelRules:
    """When a counter earns and loses the label (from ``LMS_LABEL_*``)."""

    course: str
    threshold: Fraction
    minimum_staff: int
    grace_days: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LabelRules:
        course = str(config.get("LMS_LABEL_COURSE") or "").strip()
        if not course:
            raise LabelSettingsError("LMS_LABEL_COURSE must name a course (its id)")
        try:
            threshold = Fraction(str(config.get("LMS_LABEL_THRESHOLD", "0.8")))
        except (ValueError, ZeroDivisionError):
            raise LabelSettingsError("LMS_LABEL_THRESHOLD must be a number like 0.8") from None
        if not 0 < threshold <= 1:
            raise LabelSettingsError("LMS_LABEL_THRESHOLD must be above 0 and at most 1")
        minimum = config.get("LMS_LABEL_MINIMUM_STAFF", 3)
        if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
            raise LabelSettingsError("LMS_LABEL_MINIMUM_STAFF must be a whole number of 1 or more")
        grace = config.get("LMS_LABEL_GRACE_DAYS", 60)
        if isinstance(grace, bool) or not isinstance(grace, int) or grace < 0:
            raise LabelSettingsError("LMS_LABEL_GRACE_DAYS must be a whole number of 0 or more")
        return cls(course, threshold, minimum, grace)

    def meets(self, staff: int, certified: int) -> bool:
        return staff >= self.minimum_staff and Fraction(certified, staff) >= self.threshold


@dataclass(frozen=True)
class DepartmentShare:
    department_id: int
    organisation_id: int
    #: Active staff of the department.
    staff: int
    #: Of whom hold a certificate of the label's course that is valid today.
    certified: int


def department_shares(session: Session, course_id: int, today: date) -> dict[int, DepartmentShare]:
    """Every department's active staff and how many of them hold a valid certificate of the
    course on ``today``: one grouped query."""
    valid = exists().where(
        Certificate.user_id == User.id,
        Certificate.course_id == course_id,
        Certificate.status == VALID,
        or_(Certificate.valid_until.is_(None), Certificate.valid_until >= today),
    )
    rows = session.execute(
        select(
            User.department_id,
            Department.organisation_id,
            func.count(),
            func.coalesce(func.sum(case((valid, 1), else_=0)), 0),
        )
        .join(Department, Department.id == User.department_id)
        .where(User.active.is_(True), User.kind == "staff")
        .group_by(User.department_id, Department.organisation_id)
    )
    return {
        department_id: DepartmentShare(department_id, organisation_id, int(staff), int(certified))
        for department_id, organisation_id, staff, certified in rows
    }


@dataclass
class LabelRun:
    """What one run changed."""

    granted: list[CounterLabel] = field(default_factory=list)
    warned: list[CounterLabel] = field(default_factory=list)
    recovered: list[CounterLabel] = field(default_factory=list)
    withdrawn: list[CounterLabel] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.granted)} granted, {len(self.warned)} warned, "
            f"{len(self.recovered)} kept after a warning, {len(self.withdrawn)} withdrawn"
        )


def _conditional(session: Session, label: CounterLabel, *conditions: Any, **values: Any) -> bool:
    """Change ``label`` only if it still is as this run read it; True when this run did."""
    result = session.execute(
        update(CounterLabel)
        .where(CounterLabel.id == label.id, CounterLabel.withdrawn_on.is_(None), *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    for name, value in values.items():
        setattr(label, name, value)
    session.flush()
    return True


def _grant(
    session: Session, department_id: int, course_id: int, today: date
) -> CounterLabel | None:
    label = CounterLabel(
        code=new_code(), department_id=department_id, course_id=course_id, granted_on=today
    )
    try:
        with session.begin_nested():
            session.add(label)
            session.flush()
    except IntegrityError:
        return None  # another run granted it a moment ago (or, once in 2^59, the same code)
    return label


def coordinators_of(session: Session, organisation_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active managers of each organisation who have an e-mail address (one query)."""
    ids = sorted(set(organisation_ids))
    found: dict[int, list[User]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = session.execute(
        select(RoleAssignment.organisation_id, User)
        .join(User, User.id == RoleAssignment.user_id)
        .where(
            RoleAssignment.role == "manager",
            RoleAssignment.organisation_id.in_(ids),
            User.active.is_(True),
            User.email.is_not(None),
        )
        .order_by(User.id)
    )
    for organisation_id, user in rows:
        found[organisation_id].append(user)
    return found


def update_labels(
    session: Session,
    rules: LabelRules,
    *,
    today: date,
    people_link: Callable[[Department, str], str] = lambda _department, _course: "",
    verify_link: Callable[[CounterLabel], str] = lambda _label: "",
) -> LabelRun:
    """Grant, warn and withdraw labels as of ``today`` (see the module docstring). Flushes,
    never commits. ``people_link(department, course slug)`` and ``verify_link(label)`` give
    the addresses written in the e-mails."""
    course_id = session.scalar(select(Course.id).where(Course.slug == rules.course))
    if course_id is None:
        raise LabelSettingsError(f"LMS_LABEL_COURSE: there is no course {rules.course!r}")
    shares = department_shares(session, course_id, today)
    held = {
        label.department_id: label
        for label in session.scalars(
            select(CounterLabel).where(CounterLabel.withdrawn_on.is_(None))
        )
    }
    run = LabelRun()
    for department_id in sorted(set(shares) | set(held)):
        share = shares.get(department_id)
        staff, certified = (share.staff, share.certified) if share else (0, 0)
        label = held.get(department_id)
        meets = rules.meets(staff, certified) if staff else False
        details = {"department_id": department_id, "staff": staff, "certified": certified}
        if label is None:
            if meets and (label := _grant(session, department_id, course_id, today)):
                run.granted.append(label)
                audit.record(session, "label.grant", "counter_label", label.id, **details)
            continue
        if meets and label.course_id == course_id:
            if label.warned_on is not None and _conditional(
                session, label, CounterLabel.warned_on == label.warned_on, warned_on=None
            ):
                run.recovered.append(label)
                audit.record(session, "label.recover", "counter_label", label.id, **details)
            continue
        if label.warned_on is None:
            if _conditional(session, label, CounterLabel.warned_on.is_(None), warned_on=today):
                run.warned.append(label)
                audit.record(session, "label.warn", "counter_label", label.id, **details)
        elif today >= label.warned_on + timedelta(days=rules.grace_days) and _conditional(
            session, label, withdrawn_on=today
        ):
            run.withdrawn.append(label)
            audit.record(session, "label.withdraw", "counter_label", label.id, **details)
    _mail_coordinators(session, run, shares, rules, people_link, verify_link)
    return run


def _mail_coordinators(
    session: Session,
    run: LabelRun,
    shares: Mapping[int, DepartmentShare],
    rules: LabelRules,
    people_link: Callable[[Department, str], str],
    verify_link: Callable[[CounterLabel], str],
) -> None:
    changed = [("label_warning", label) for label in run.warned]
    changed += [("label_withdrawn", label) for label in run.withdrawn]
    if not changed:
        return
    coordinators = coordinators_of(
        session, [label.department.organisation_id for _template, label in changed]
    )
    for template, label in changed:
        department = label.department
        share = shares.get(department.id)
        for person in coordinators[department.organisation_id]:
            queue_mail(
                session,
                recipient=person.email,
                template=template,
                language=person.preferred_language,
                name=person.full_name,
                department=department.name,
                organisation=department.organisation.name,
                staff=share.staff if share else 0,
                certified=share.certified if share else 0,
                percent=int(rules.threshold * 100),
                minimum=rules.minimum_staff,
                deadline=_deadline(label, rules),
                people_url=people_link(department, rules.course),
                verify_url=verify_link(label),
                code=label.display_code,
            )


def _deadline(label: CounterLabel, rules: LabelRules) -> date | None:
    """The day the label goes (after a warning), or went."""
    if label.withdrawn_on is not None:
        return label.withdrawn_on
    if label.warned_on is not None:
        return label.warned_on + timedelta(days=rules.grace_days)
    return None
