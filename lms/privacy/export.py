"""A person's own data, every kind of record the LMS keeps about them (GDPR art. 15 and 20).

``collect(session, person)`` returns one ``DataExport``: sections in the order of the
register in docs/privacy.md, each with a key (the JSON file's key, listed in the register,
which a test reads), a title, and rows of plain values. The page shows it as tables; the
JSON file is ``as_json()``. Rows are the table's own columns (minus secrets such as the
password hash, token hashes and the answer keys of test questions), so a new column shows
up in the download without a change here.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lms.accounts.models import RoleAssignment, User
from lms.accounts.tokens import AccountToken
from lms.assessment.models import Accommodation, Answer, Attempt
from lms.assignments.models import Assignment
from lms.catalog.models import Course
from lms.certification.models import Certificate
from lms.core.audit import AuditEvent
from lms.core.db import utcnow
from lms.core.i18n import lazy_gettext as _l
from lms.forums.models import ForumFollow, ForumPost, ForumProgress, ForumReport, ForumThread
from lms.labels.models import CounterLabel
from lms.learning.models import Completion, Enrolment, SectionVisit
from lms.live.models import LiveRegistration, LiveSession
from lms.lti.models import LtiAccount, LtiGradeLink, LtiScore
from lms.mail.models import OutgoingMail
from lms.plans.models import LearningPlan, PlanGroup
from lms.reminders.models import Reminder, ReminderPreference
from lms.xapi.models import XapiStatement

#: Columns never given out: secrets, or what would help someone cheat.
SECRET_COLUMNS = frozenset(
    {"password_hash", "session_generation", "token_hash", "fingerprint", "questions"}
)
#: Audit actions that are sign-ins (the sign-in history).
SIGN_IN_ACTIONS = ("user.login", "user.login_failed", "user.password", "user.reset")


def plain(value: Any) -> Any:
    """A value as JSON can hold it."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def row_of(obj: Any, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    data = {
        column.key: plain(getattr(obj, column.key))
        for column in obj.__table__.columns
        if column.key not in SECRET_COLUMNS
    }
    data.update({k: plain(v) for k, v in (extra or {}).items()})
    return data


@dataclass
class Section:
    key: str
    title: Any
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        seen: dict[str, None] = {}
        for row in self.rows:
            seen.update(dict.fromkeys(row))
        return list(seen)


@dataclass
class DataExport:
    person_id: int
    generated_at: datetime
    sections: list[Section]

    def as_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.isoformat(),
            "person": self.person_id,
            "sections": {s.key: s.rows for s in self.sections},
        }

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2, default=str)


def _rows(session: Session, query: Any, extra: Callable[[Any], dict] | None = None) -> list[dict]:
    return [row_of(obj, extra(obj) if extra else None) for obj in session.scalars(query)]


def collect(session: Session, person: User) -> DataExport:
    """Every record about ``person`` (the register's sections, in its order)."""
    uid = person.id
    slugs = dict(session.execute(select(Course.id, Course.slug)).all())

    def course(obj: Any) -> dict[str, Any]:
        return {"course": slugs.get(obj.course_id)}

    enrolment_ids = select(Enrolment.id).where(Enrolment.user_id == uid)
    attempts = list(
        session.scalars(select(Attempt).where(Attempt.user_id == uid).order_by(Attempt.id))
    )
    answers: dict[int, list[dict]] = {}
    if attempts:
        for answer in session.scalars(
            select(Answer)
            .where(Answer.attempt_id.in_([a.id for a in attempts]))
            .order_by(Answer.attempt_id, Answer.position)
        ):
            answers.setdefault(answer.attempt_id, []).append(row_of(answer))
    thread_titles = dict(
        session.execute(
            select(ForumThread.id, ForumThread.title).where(
                ForumThread.id.in_(select(ForumPost.thread_id).where(ForumPost.author_id == uid))
            )
        ).all()
    )
    sessions = {
        s.id: s
        for s in session.scalars(
            select(LiveSession).where(
                LiveSession.id.in_(
                    select(LiveRegistration.session_id).where(LiveRegistration.user_id == uid)
                )
            )
        )
    }
    mails = []
    if person.email:
        mails = _rows(
            session,
            select(OutgoingMail)
            .where(OutgoingMail.recipient == person.email)
            .order_by(OutgoingMail.id),
        )
    labels = []
    if person.department_id is not None:
        labels = _rows(
            session,
            select(CounterLabel)
            .where(CounterLabel.department_id == person.department_id)
            .order_by(CounterLabel.id),
        )
    about_them = or_(
        AuditEvent.actor_id == uid,
        (AuditEvent.target_type == "user") & (AuditEvent.target_id == uid),
    )
    audit_rows = _rows(session, select(AuditEvent).where(about_them).order_by(AuditEvent.id))
    statements = [
        {**row, "payload": json.loads(row["payload"])}
        for row in _rows(
            session,
            select(XapiStatement).where(XapiStatement.user_id == uid).order_by(XapiStatement.id),
        )
    ]
    profile = row_of(
        person,
        {
            "organisation": person.organisation.name if person.organisation else None,
            "department": person.department.name if person.department else None,
        },
    )

    def lti_scores(link: Any) -> dict[str, Any]:
        scores = session.scalars(
            select(LtiScore).where(LtiScore.grade_link_id == link.id).order_by(LtiScore.id)
        )
        return {"course": slugs.get(link.course_id), "scores": [row_of(x) for x in scores]}

    def by_user(model: Any, order: Any = None) -> Any:
        return select(model).where(model.user_id == uid).order_by(order or model.id)

    sections = [
        Section("profile", _l("Profile"), [profile]),
        Section("roles", _l("Roles"), _rows(session, by_user(RoleAssignment))),
        Section(
            "enrolments",
            _l("Courses you are enrolled in"),
            _rows(session, by_user(Enrolment), course),
        ),
        Section(
            "section_visits",
            _l("Parts of lessons you opened"),
            _rows(session, by_user(SectionVisit), course),
        ),
        Section(
            "completions", _l("What you completed"), _rows(session, by_user(Completion), course)
        ),
        Section("assignments", _l("Courses assigned to you"), _rows(session, by_user(Assignment))),
        Section(
            "test_attempts",
            _l("Test attempts and your answers"),
            [row_of(a, {**course(a), "answers": answers.get(a.id, [])}) for a in attempts],
        ),
        Section(
            "accommodations", _l("Extra time for tests"), _rows(session, by_user(Accommodation))
        ),
        Section(
            "forum_posts",
            _l("Your forum posts"),
            _rows(
                session,
                select(ForumPost).where(ForumPost.author_id == uid).order_by(ForumPost.id),
                lambda p: {"thread": thread_titles.get(p.thread_id)},
            ),
        ),
        Section(
            "forum_threads",
            _l("Forum threads you started"),
            _rows(
                session,
                select(ForumThread).where(ForumThread.author_id == uid).order_by(ForumThread.id),
                course,
            ),
        ),
        Section(
            "forum_follows", _l("Forum threads you follow"), _rows(session, by_user(ForumFollow))
        ),
        Section(
            "forum_progress",
            _l("Your forum progress"),
            _rows(session, by_user(ForumProgress), course),
        ),
        Section(
            "forum_reports",
            _l("Posts you reported"),
            _rows(
                session,
                select(ForumReport).where(ForumReport.reporter_id == uid).order_by(ForumReport.id),
            ),
        ),
        Section(
            "session_registrations",
            _l("Sessions and webinars: registrations and attendance"),
            _rows(
                session,
                by_user(LiveRegistration),
                lambda r: {
                    "starts_at": sessions[r.session_id].starts_at,
                    "activity": sessions[r.session_id].activity_id,
                },
            ),
        ),
        Section("certificates", _l("Certificates"), _rows(session, by_user(Certificate), course)),
        Section(
            "reminders", _l("Reminders sent to you"), _rows(session, by_user(Reminder), course)
        ),
        Section(
            "reminder_preferences",
            _l("Your reminder settings"),
            _rows(session, by_user(ReminderPreference, ReminderPreference.user_id)),
        ),
        Section(
            "learning_plans",
            _l("Your learning plans"),
            _rows(session, by_user(LearningPlan), course),
        ),
        Section(
            "plan_experiment",
            _l("Your group in the learning-plan study"),
            _rows(session, select(PlanGroup).where(PlanGroup.enrolment_id.in_(enrolment_ids))),
        ),
        Section(
            "lti_accounts",
            _l("Other learning platforms that sent you here"),
            _rows(session, by_user(LtiAccount)),
        ),
        Section(
            "lti_results",
            _l("Results sent back to other learning platforms"),
            _rows(session, by_user(LtiGradeLink), lti_scores),
        ),
        Section("mails", _l("E-mails sent to you"), mails),
        Section(
            "sign_ins",
            _l("Sign-in history"),
            [r for r in audit_rows if r["action"] in SIGN_IN_ACTIONS],
        ),
        Section(
            "audit_entries",
            _l("Other changes to your account (audit log)"),
            [r for r in audit_rows if r["action"] not in SIGN_IN_ACTIONS],
        ),
        Section(
            "account_links",
            _l("Invitation and password links"),
            _rows(session, by_user(AccountToken)),
        ),
        Section(
            "xapi_statements",
            _l("Learning records sent to the learning record store (xAPI)"),
            statements,
        ),
        Section("labels", _l("Labels of your counter"), labels),
        *databank_sections(session, uid),
    ]
    return DataExport(person_id=uid, generated_at=utcnow(), sections=sections)


def databank_sections(session: Session, uid: int) -> list[Section]:
    from lms.databank.models import Favourite, Resource, ResourceList, ResourceListItem

    lists = list(session.scalars(select(ResourceList).where(ResourceList.owner_id == uid)))
    items: dict[int, list[str]] = {}
    for list_id, slug in session.execute(
        select(ResourceListItem.list_id, Resource.slug)
        .join(Resource, Resource.id == ResourceListItem.resource_id)
        .where(ResourceListItem.list_id.in_([x.id for x in lists]))
    ):
        items.setdefault(list_id, []).append(slug)
    favourites = session.execute(
        select(Resource.slug, Favourite.created_at)
        .join(Resource, Resource.id == Favourite.resource_id)
        .where(Favourite.user_id == uid)
        .order_by(Favourite.created_at)
    )
    return [
        Section(
            "databank_favourites",
            _l("Your favourites in the databank"),
            [{"resource": slug, "created_at": plain(at)} for slug, at in favourites],
        ),
        Section(
            "databank_lists",
            _l("Your lists in the databank"),
            [row_of(x, {"resources": ", ".join(items.get(x.id, []))}) for x in lists],
        ),
        Section(
            "databank_proposals",
            _l("Material you proposed for the databank"),
            [
                {
                    "slug": r.slug,
                    "status": r.status,
                    "title": plain(r.title),
                    "description": plain(r.description),
                    "url": r.url,
                    "file_name": r.file_name,
                    "added": plain(r.added),
                    "rejection_reason": r.rejection_reason,
                }
                for r in session.scalars(
                    select(Resource).where(Resource.added_by_id == uid).order_by(Resource.id)
                )
            ],
        ),
    ]


def section_keys(export: DataExport) -> Iterable[str]:
    return [s.key for s in export.sections]
