"""Who a re-import affects: learners' records that point at ids a new version changes.

Sits above learning, assessment and certification, whose records it counts; the structural
changes come from ``catalog.changes`` through the importer's plan. Every count is one grouped
query per course, whatever the number of learners.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.assessment.models import OPEN, Attempt
from lms.authoring.importer import ImportPlan, PlannedItem
from lms.catalog.changes import Changes, course_changes
from lms.catalog.queries import get_current_course_defs
from lms.catalog.readmodel import CourseDef, build_course_def
from lms.certification.models import VALID, Certificate
from lms.learning.models import Completion, SectionVisit


@dataclass
class CourseImpact:
    """The learners a new version of one course affects."""

    slug: str
    #: Removed section id -> learners who opened it.
    removed_sections_opened: dict[str, int] = field(default_factory=dict)
    #: Removed activity or module id -> learners who completed it.
    removed_items_completed: dict[str, int] = field(default_factory=dict)
    #: Learners who opened or completed any removed id (each counted once).
    learners_losing_ids: int = 0
    #: Learners inside an open attempt of a test whose bank (or settings) change.
    open_attempts: int = 0
    #: Changed banks and tests that those attempts are in.
    changed_tests: list[str] = field(default_factory=list)
    #: Holders of a valid certificate of the version being replaced.
    certificate_holders: int = 0

    @property
    def needs_allow_removal(self) -> bool:
        return self.learners_losing_ids > 0

    def to_json(self) -> dict[str, Any]:
        return {
            "removed_sections_opened": self.removed_sections_opened,
            "removed_items_completed": self.removed_items_completed,
            "learners_losing_ids": self.learners_losing_ids,
            "open_attempts": self.open_attempts,
            "changed_tests": self.changed_tests,
            "certificate_holders": self.certificate_holders,
        }

    def lines(self) -> list[str]:
        lines = []
        for section, count in self.removed_sections_opened.items():
            lines.append(f"{count} learner(s) opened removed section {section}")
        for item, count in self.removed_items_completed.items():
            lines.append(f"{count} learner(s) completed removed {item}")
        if self.learners_losing_ids:
            lines.append(
                f"{self.learners_losing_ids} learner(s) in all: their progress percentage will "
                "count only the sections that remain, so it may go down (completed activities, "
                "modules and the course stay completed)"
            )
        if self.open_attempts:
            lines.append(
                f"{self.open_attempts} learner(s) inside an open attempt of a changed test "
                f"({', '.join(self.changed_tests)}): they finish with the questions they got"
            )
        if self.certificate_holders:
            lines.append(
                f"{self.certificate_holders} learner(s) hold a certificate of the version being "
                "replaced: it stays valid"
            )
        return lines


def _counts(session: Session, query: Any) -> dict[str, int]:
    return dict(session.execute(query).tuples().all())


def _quizzes(settings: Any) -> list[str]:
    quiz = settings.get("quiz")
    if isinstance(quiz, str):
        return [quiz]
    return list(quiz or [])


def _open_attempts(
    session: Session, course: CourseDef, banks: set[str], touched: set[str]
) -> CourseImpact:
    """Learners inside an open attempt of a test of ``course`` that draws from one of
    ``banks`` or whose id is in ``touched``."""
    impact = CourseImpact(course.slug)
    impact.changed_tests = [
        activity.id
        for activity in course.activities_by_id.values()
        if activity.type == "test"
        and (activity.id in touched or banks.intersection(_quizzes(activity.settings)))
    ]
    if impact.changed_tests:
        impact.open_attempts = (
            session.scalar(
                select(func.count(func.distinct(Attempt.user_id))).where(
                    Attempt.course_id == course.course_id,
                    Attempt.activity_id.in_(impact.changed_tests),
                    Attempt.status == OPEN,
                )
            )
            or 0
        )
    return impact


def course_impact(
    session: Session, before: CourseDef, changes: Changes, changed_banks: Iterable[str]
) -> CourseImpact:
    """The learners that replacing ``before`` (the version they see) by a version with
    ``changes`` affects."""
    course_id = before.course_id
    impact = CourseImpact(before.slug)
    removed_sections = changes.removed("sections")
    if removed_sections:
        impact.removed_sections_opened = _counts(
            session,
            select(SectionVisit.section_id, func.count(func.distinct(SectionVisit.user_id)))
            .where(
                SectionVisit.course_id == course_id,
                SectionVisit.section_id.in_(removed_sections),
            )
            .group_by(SectionVisit.section_id),
        )
    removed_items = changes.removed("activities") + changes.removed("modules")
    if removed_items:
        impact.removed_items_completed = _counts(
            session,
            select(Completion.item_id, func.count(func.distinct(Completion.user_id)))
            .where(
                Completion.course_id == course_id,
                Completion.kind.in_(("activity", "module")),
                Completion.item_id.in_(removed_items),
            )
            .group_by(Completion.item_id),
        )
    if impact.removed_sections_opened or impact.removed_items_completed:
        visitors = select(SectionVisit.user_id).where(
            SectionVisit.course_id == course_id, SectionVisit.section_id.in_(removed_sections)
        )
        completers = select(Completion.user_id).where(
            Completion.course_id == course_id,
            Completion.kind.in_(("activity", "module")),
            Completion.item_id.in_(removed_items),
        )
        people = visitors.union(completers).subquery()
        impact.learners_losing_ids = session.scalar(select(func.count()).select_from(people)) or 0
    # Tests whose bank changes, or which change or disappear themselves.
    touched = set(changes.removed("activities")) | set(changes.levels["activities"].changed)
    attempts = _open_attempts(session, before, set(changed_banks), touched)
    impact.changed_tests, impact.open_attempts = attempts.changed_tests, attempts.open_attempts
    impact.certificate_holders = (
        session.scalar(
            select(func.count(func.distinct(Certificate.user_id))).where(
                Certificate.course_version_id == before.version_id,
                Certificate.status == VALID,
            )
        )
        or 0
    )
    return impact


def changes_from_current(item: PlannedItem) -> Changes | None:
    """What learners would see change: from the version they see to ``item``'s content."""
    current = item.current
    if current is None or current.content_hash == item.digest:
        return None
    if item.before is not None and item.before.version_id == current.version_id:
        return item.changes
    after = build_course_def(
        item.definition, course_id=0, version_id=0, number=0, content_hash=item.digest
    )
    return course_changes(current, after)


def plan_impact(session: Session, plan: ImportPlan) -> dict[str, CourseImpact]:
    """The impact of every changed, already imported course of ``plan``, by slug.

    A course that is not among the files but uses a changed bank is counted too (its
    learners' open attempts).
    """
    changed_banks = [i.slug for i in plan.changed if i.kind == "bank" and i.before is not None]
    impacts: dict[str, CourseImpact] = {}
    for item in plan.items:
        # Learners see a change only when the import publishes it (now or at a set time).
        publishes = item.publish or item.publish_at is not None
        if item.kind == "course" and publishes and item.current is not None:
            changes = changes_from_current(item)
            if changes is not None:
                impacts[item.slug] = course_impact(session, item.current, changes, changed_banks)
    if changed_banks:
        in_files = {i.slug for i in plan.items if i.kind == "course"}
        for course in get_current_course_defs(session).values():
            if course.slug not in in_files:
                impact = _open_attempts(session, course, set(changed_banks), set())
                if impact.open_attempts:
                    impacts[course.slug] = impact
    return impacts
