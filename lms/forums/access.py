"""Who may do what in a forum: the one place that decides it.

- A learner enrolled in the course reads and posts; in an ``organisation`` forum only the
  threads of their own organisation exist for them.
- A manager (coordinator) who is not enrolled reads, without posting, what the people of
  the organisations they manage wrote: only those people's posts, never anybody else's
  (tenancy: ``people_visible_to``).
- Trainers and administrators read everything, hidden posts included, and moderate; they
  post only when they are enrolled themselves.
- Anybody else reads nothing: the forum is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.accounts.models import RoleAssignment, User
from lms.authoring.types.forum import DEFAULT_VISIBILITY
from lms.catalog.readmodel import ActivityDef, CourseDef
from lms.learning.models import Enrolment
from lms.learning.services import get_enrolment


@dataclass(frozen=True)
class ForumAccess:
    course: CourseDef
    activity: ActivityDef
    user: User
    enrolment: Enrolment | None
    can_post: bool
    can_moderate: bool
    #: Threads of these organisations only (None: every thread of the forum). ``None`` inside
    #: the set stands for people without an organisation.
    thread_organisations: frozenset[int | None] | None
    #: Posts by people of these organisations only (a coordinator's read-only view).
    author_organisations: frozenset[int] | None

    @property
    def visibility(self) -> str:
        return forum_visibility(self.activity)

    @property
    def read_only(self) -> bool:
        return not self.can_post


def forum_visibility(activity: ActivityDef) -> str:
    return str(activity.settings.get("visibility") or DEFAULT_VISIBILITY)


def required_posts(activity: ActivityDef) -> int:
    return int(activity.settings.get("required_posts", 1))


#: Who moderates every forum: hides posts, pins and locks threads, handles reports.
MODERATOR_ROLES = ("trainer", "admin")


def is_moderator(user: User) -> bool:
    return any(user.has_role(role) for role in MODERATOR_ROLES)


def moderators(session: Session) -> list[User]:
    """The active people who moderate forums (they are told about reported posts)."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.id.in_(
                    select(RoleAssignment.user_id).where(RoleAssignment.role.in_(MODERATOR_ROLES))
                ),
            )
            .order_by(User.id)
        )
    )


def forum_access(
    session: Session, user: User, course: CourseDef, activity: ActivityDef
) -> ForumAccess | None:
    """What ``user`` may do in the forum ``activity``; None when they may not read it."""
    if activity.type != "forum":
        return None
    enrolment = get_enrolment(session, user.id, course.course_id)
    by_organisation = forum_visibility(activity) == "organisation"
    if is_moderator(user):
        return ForumAccess(
            course, activity, user, enrolment, enrolment is not None, True, None, None
        )
    if enrolment is not None:
        scope = frozenset({user.organisation_id}) if by_organisation else None
        return ForumAccess(course, activity, user, enrolment, True, False, scope, None)
    managed = frozenset(user.managed_organisation_ids)
    if managed:
        scope = frozenset(managed) if by_organisation else None
        return ForumAccess(course, activity, user, None, False, False, scope, managed)
    return None
