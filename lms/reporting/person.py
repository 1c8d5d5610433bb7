"""A person's drill-down: everything a coordinator may know about one person's learning.

The courses come from the same read the learner's own My learning page uses
(``learning.queries.my_enrolments``), so the coordinator sees exactly what the learner sees.
A fixed number of queries whatever the size of the courses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.assessment.models import Accommodation, Attempt
from lms.assignments.models import Assignment, AssignmentRule
from lms.assignments.queries import assignments_of
from lms.certification.models import Certificate
from lms.certification.queries import my_certificates
from lms.forums.models import ForumPost, ForumThread
from lms.learning.queries import EnrolmentView, my_enrolments
from lms.learning.statuses import StatusSettings
from lms.live.models import LiveRegistration, LiveSession
from lms.organisations.queries import get_visible_person
from lms.plans.queries import PlanFacts, plan_facts

#: Sections that features above reporting add to the drill-down (the reminders): template
#: name -> loader(session, person id), whose result the template reads as
#: ``report.sections[template name]``. One query per section, whatever the person's history.
_sections: dict[str, Callable[[Session, int], Any]] = {}


def register_person_section(template: str, loader: Callable[[Session, int], Any]) -> None:
    """Called once by a feature (at import of its views)."""
    _sections[template] = loader


@dataclass(frozen=True)
class AttemptLine:
    course_id: int
    activity_id: int | str
    number: int
    started_at: datetime
    submitted_at: datetime | None
    scaled_score: float | None
    passed: bool | None
    #: The time limit in force, with the person's extra time (None: no limit).
    deadline_at: datetime | None

    @property
    def duration_minutes(self) -> int | None:
        if self.submitted_at is None:
            return None
        return max(0, round((self.submitted_at - self.started_at).total_seconds() / 60))

    @property
    def percent(self) -> int | None:
        return None if self.scaled_score is None else int(self.scaled_score * 100 + 1e-9)


@dataclass(frozen=True)
class ForumLine:
    course_id: int
    activity_id: str
    posts: int
    #: (thread id, title) of the threads the person wrote in, newest first.
    threads: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class PersonReport:
    person: User
    enrolments: tuple[EnrolmentView, ...]
    attempts: tuple[AttemptLine, ...]
    accommodation: Accommodation | None
    forums: tuple[ForumLine, ...]
    registrations: tuple[tuple[LiveRegistration, LiveSession], ...]
    certificates: tuple[Certificate, ...]
    assignments: tuple[tuple[Assignment, AssignmentRule], ...]
    #: Each enrolment's learning plan and experiment group, by enrolment id.
    plans: dict[int, PlanFacts] | None = None
    #: What the sections of features above reporting show (``register_person_section``),
    #: by template name.
    sections: dict[str, Any] = field(default_factory=dict)

    @property
    def courses(self) -> dict:
        """The person's courses (current versions) by course id."""
        return {view.course.course_id: view.course for view in self.enrolments}


def person_report(
    session: Session, actor: User, user_id: int, settings: StatusSettings
) -> PersonReport | None:
    """None when ``actor`` may not see the person (the view answers 404)."""
    person = get_visible_person(session, actor, user_id)
    if person is None:
        return None
    attempts = tuple(
        AttemptLine(*row)
        for row in session.execute(
            select(
                Attempt.course_id,
                Attempt.activity_id,
                Attempt.number,
                Attempt.started_at,
                Attempt.submitted_at,
                Attempt.scaled_score,
                Attempt.passed,
                Attempt.deadline_at,
            )
            .where(Attempt.user_id == user_id)
            .order_by(Attempt.course_id, Attempt.activity_id, Attempt.number)
        )
    )
    accommodation = session.scalar(select(Accommodation).where(Accommodation.user_id == user_id))
    threads: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for course_id, activity_id, thread_id, title, posts in session.execute(
        select(
            ForumThread.course_id,
            ForumThread.activity_id,
            ForumThread.id,
            ForumThread.title,
            func.count(ForumPost.id),
        )
        .join(ForumPost, ForumPost.thread_id == ForumThread.id)
        .where(
            ForumPost.author_id == user_id,
            ForumPost.deleted_at.is_(None),
            ForumPost.hidden_at.is_(None),
        )
        .group_by(ForumThread.course_id, ForumThread.activity_id, ForumThread.id, ForumThread.title)
        .order_by(func.max(ForumPost.created_at).desc())
    ):
        threads[(course_id, activity_id)].append((thread_id, title))
        counts[(course_id, activity_id)] += posts
    registrations = tuple(
        session.execute(
            select(LiveRegistration, LiveSession)
            .join(LiveSession, LiveSession.id == LiveRegistration.session_id)
            .where(LiveRegistration.user_id == user_id)
            .order_by(LiveSession.starts_at)
        ).tuples()
    )
    return PersonReport(
        person=person,
        enrolments=tuple(my_enrolments(session, user_id, settings)),
        attempts=attempts,
        accommodation=accommodation,
        forums=tuple(
            ForumLine(course_id, activity_id, counts[(course_id, activity_id)], tuple(found))
            for (course_id, activity_id), found in threads.items()
        ),
        registrations=registrations,
        certificates=tuple(my_certificates(session, user_id)),
        assignments=tuple(assignments_of(session, user_id)),
        plans=plan_facts(session, user_id),
        sections={name: load(session, user_id) for name, load in _sections.items()},
    )
