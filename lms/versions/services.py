"""Publishing a course version: the audited step that makes learners see it. Flushes only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lms.catalog.changes import course_changes
from lms.catalog.models import Course, CourseVersion
from lms.catalog.queries import course_version_id, get_course_def, get_course_version_def
from lms.catalog.services import publish_version
from lms.core import audit
from lms.core.db import utcnow
from lms.versions.impact import CourseImpact, course_impact


class PublishError(Exception):
    """The version cannot be published as asked (the message says why)."""


class RemovalNeedsConsent(PublishError):
    """Publishing would remove ids that learners opened or completed."""

    def __init__(self, impact: CourseImpact) -> None:
        self.impact = impact
        super().__init__(
            f"{impact.learners_losing_ids} learner(s) opened or completed ids this version "
            "removes; their progress percentages would count only what remains"
        )


@dataclass(frozen=True)
class Published:
    number: int
    previous: int | None
    impact: CourseImpact | None


def publish_due(session: Session, now: datetime | None = None) -> list[tuple[Course, Published]]:
    """Publish every course's newest scheduled version whose time has come (``lms publish
    --due``, a job). Removals were consented to when the version was imported."""
    now = now or utcnow()
    due = session.execute(
        select(Course, CourseVersion.number)
        .join(CourseVersion, CourseVersion.course_id == Course.id)
        .where(
            CourseVersion.publish_at <= now,
            CourseVersion.published_at.is_(None),
        )
        .order_by(Course.slug, CourseVersion.number.desc())
    ).all()
    done = []
    seen: set[int] = set()
    for course, number in due:
        current = course.current_version.number if course.current_version is not None else 0
        if course.id in seen or number < current:
            continue  # an older schedule, overtaken by a newer version
        seen.add(course.id)
        # Claimed by one conditional UPDATE: of two runs at once (two hosts), one publishes.
        claimed = session.execute(
            update(CourseVersion)
            .where(
                CourseVersion.course_id == course.id,
                CourseVersion.number == number,
                CourseVersion.published_at.is_(None),
            )
            .values(published_at=now, published_by="schedule")
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        done.append(
            (
                course,
                publish(session, course, number, actor_id=None, via="schedule", allow_removal=True),
            )
        )
    return done


def publication_impact(session: Session, course: Course, number: int) -> CourseImpact | None:
    """What publishing version ``number`` would do to learners (None: nobody sees the course
    yet, or it is the version they see)."""
    current = get_course_def(session, course.slug)
    version_id = course_version_id(session, course, number)
    if current is None or version_id is None or current.version_id == version_id:
        return None
    target = get_course_version_def(session, version_id)
    assert target is not None
    return course_impact(session, current, course_changes(current, target), ())


def publish(
    session: Session,
    course: Course,
    number: int,
    *,
    actor_id: int | None,
    via: str,
    allow_removal: bool = False,
) -> Published:
    """Make version ``number`` of ``course`` the one learners see, and audit it."""
    version_id = course_version_id(session, course, number)
    if version_id is None:
        raise PublishError(f"course {course.slug} has no version {number}")
    if course.current_version_id == version_id:
        raise PublishError(f"version {number} of {course.slug} is already published")
    impact = publication_impact(session, course, number)
    if impact is not None and impact.needs_allow_removal and not allow_removal:
        raise RemovalNeedsConsent(impact)
    previous = course.current_version.number if course.current_version is not None else None
    version = session.get(CourseVersion, version_id)
    publish_version(session, course, version, published_by=via, published_by_id=actor_id)
    audit.record(
        session,
        "course.published",
        "course",
        course.id,
        actor_id=actor_id,
        version=number,
        before=previous,
        via=via,
    )
    session.flush()
    return Published(number, previous, impact)
