"""Erasing a person: their personal data removed or pseudonymised everywhere.

What happens to each kind of record is the register in docs/privacy.md ("On erasure"):

- the person's row stays as a nameless pseudonym (``erased_at`` set; no name, e-mail,
  username, password, organisation, department or roles), because forum posts and
  certificates point at it;
- their learning records (enrolments, progress, completions, test attempts and answers,
  assignments, reminders, learning plans, registrations for sessions, forum progress,
  read markers and follows, reports they made, tokens, accommodation, preferences) are
  deleted;
- their forum posts stay where threads need them, under "Former participant"; their name
  and e-mail address are removed from every post, thread title, session note and mail;
- certificates keep only what answers "valid / revoked": code, course, dates, status; the
  holder's name, the signed document, the results and the cached PDF go;
- xAPI statements: those no LRS has are deleted, those an LRS has are voided
  (``lms.xapi.erasure``);
- mails to them are deleted from the outbox, others are cleared of their name;
- audit entries keep their ids, without the name, addresses or e-mail in their details;
- report snapshots (immutable otherwise) have the person's name and login replaced.

``erase_person`` only flushes (the caller commits once). After the commit, the caller runs
``clean_up_after_erasure``: it deletes the sent-mail copies in the instance folder and, on
SQLite, rewrites the database file (VACUUM) and empties the write-ahead log, so that no old
page keeps the name.
"""

from __future__ import annotations

import email
import email.policy
import gc
import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import escape
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.accounts.tokens import AccountToken
from lms.assessment.models import Accommodation, Answer, Attempt
from lms.assignments.models import Assignment, AssignmentRule
from lms.certification.models import Certificate, CertificateFile
from lms.core import audit
from lms.core.db import utcnow
from lms.core.i18n import gettext as _
from lms.databank.services import erase_person_data as erase_databank
from lms.forums.models import (
    ForumFollow,
    ForumPost,
    ForumProgress,
    ForumReadMarker,
    ForumReport,
    ForumThread,
)
from lms.learning.models import Completion, Enrolment, SectionVisit
from lms.live.models import REGISTERED, LiveRegistration, LiveSession
from lms.lti.models import LtiAccount, LtiGradeLink, LtiScore
from lms.mail.models import OutgoingMail
from lms.plans.models import LearningPlan, PlanGroup, PlanNudge, PlanPromptSkip
from lms.reminders.models import Reminder, ReminderPreference, ReminderSummary
from lms.reporting.models import ReportSnapshot
from lms.xapi.erasure import erase_statements

log = logging.getLogger(__name__)

#: The name kept on the erased person's row (pages show it translated).
ERASED_NAME = "Former participant"
#: What replaces the person's name or address in texts that stay (posts, mails, snapshots).
PSEUDONYM = "[former participant]"


class ErasureError(ValueError):
    """An erasure that cannot be done; the message is shown to the user."""


@dataclass
class ErasureReport:
    user_id: int
    #: Records removed or changed, by kind (for the audit log and the command's output).
    counts: dict[str, int] = field(default_factory=dict)
    #: Outbox messages deleted or rewritten: their copies in the instance folder go too.
    mail_ids: set[int] = field(default_factory=set)
    #: The texts searched for in files (name, e-mail address, username).
    words: list[str] = field(default_factory=list)
    #: Files of the person's databank proposals that were deleted (in <instance>/databank).
    databank_files: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"{kind}: {number}" for kind, number in sorted(self.counts.items()) if number]


def personal_words(person: User) -> list[str]:
    words = [person.full_name, person.email, person.username]
    return [w for w in dict.fromkeys(w.strip() for w in words if w) if len(w) >= 3]


def _pattern(words: Sequence[str]) -> re.Pattern[str]:
    variants = {v for w in words for v in (w, str(escape(w)))}
    alternatives = sorted((re.escape(v) for v in variants), key=len, reverse=True)
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _mentions(column: Any, words: Sequence[str]) -> Any:
    """SQL: the column's text contains one of the words (as written, or in lower case)."""
    tests = []
    for word in words:
        tests.append(column.contains(word, autoescape=True))
        tests.append(func.lower(column).contains(word.lower(), autoescape=True))
    return or_(*tests)


def _scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(PSEUDONYM, value)
    if isinstance(value, list):
        return [_scrub(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, pattern) for k, v in value.items()}
    return value


def _count(session: Session, statement: Any) -> int:
    return session.execute(statement).rowcount or 0


def erase_person(session: Session, person: User, *, actor: User | None = None) -> ErasureReport:
    """Erase ``person`` (see the module docstring). Flushes; the caller commits once and
    then calls ``clean_up_after_erasure``."""
    if person.erased_at is not None:
        raise ErasureError(_("This person has already been erased."))
    if actor is not None and actor.id == person.id:
        raise ErasureError(_("You cannot erase your own account."))
    if session.get_bind().dialect.name == "sqlite":
        # Deleted rows are overwritten with zeros, not left in free pages.
        session.connection().exec_driver_sql("PRAGMA secure_delete = ON")
    uid = person.id
    words = personal_words(person)
    pattern = _pattern(words)
    report = ErasureReport(user_id=uid, words=words)
    counts = report.counts
    session.flush()

    # xAPI first: statements point at enrolments.
    statements = erase_statements(session, uid)
    counts["xapi_statements_deleted"] = statements.deleted
    counts["xapi_statements_voided"] = statements.voided

    enrolments = select(Enrolment.id).where(Enrolment.user_id == uid).scalar_subquery()
    attempts = select(Attempt.id).where(Attempt.user_id == uid).scalar_subquery()
    plans = select(LearningPlan.id).where(LearningPlan.user_id == uid).scalar_subquery()
    counts["test_answers"] = _count(session, delete(Answer).where(Answer.attempt_id.in_(attempts)))
    counts["test_attempts"] = _count(session, delete(Attempt).where(Attempt.user_id == uid))
    counts["accommodations"] = _count(
        session, delete(Accommodation).where(Accommodation.user_id == uid)
    )
    counts["plan_nudges"] = _count(session, delete(PlanNudge).where(PlanNudge.plan_id.in_(plans)))
    counts["learning_plans"] = _count(
        session, delete(LearningPlan).where(LearningPlan.user_id == uid)
    )
    session.execute(delete(PlanPromptSkip).where(PlanPromptSkip.enrolment_id.in_(enrolments)))
    counts["plan_groups"] = _count(
        session, delete(PlanGroup).where(PlanGroup.enrolment_id.in_(enrolments))
    )
    counts["reminders"] = _count(session, delete(Reminder).where(Reminder.user_id == uid))
    counts["reminder_summaries"] = _count(
        session, delete(ReminderSummary).where(ReminderSummary.coordinator_id == uid)
    )
    session.execute(delete(ReminderPreference).where(ReminderPreference.user_id == uid))
    counts["assignments"] = _count(session, delete(Assignment).where(Assignment.user_id == uid))
    counts["assignment_rules"] = _count(
        session, delete(AssignmentRule).where(AssignmentRule.user_id == uid)
    )
    _erase_registrations(session, uid, counts)
    for model, key in (
        (ForumReadMarker, "forum_read_markers"),
        (ForumFollow, "forum_follows"),
        (ForumProgress, "forum_progress"),
        (SectionVisit, "section_visits"),
        (Completion, "completions"),
        (AccountToken, "tokens"),
    ):
        counts[key] = _count(session, delete(model).where(model.user_id == uid))
    counts["forum_reports"] = _count(
        session, delete(ForumReport).where(ForumReport.reporter_id == uid)
    )
    links = select(LtiGradeLink.id).where(LtiGradeLink.user_id == uid).scalar_subquery()
    counts["lti_scores"] = _count(
        session, delete(LtiScore).where(LtiScore.grade_link_id.in_(links))
    )
    counts["lti_grade_links"] = _count(
        session, delete(LtiGradeLink).where(LtiGradeLink.user_id == uid)
    )
    counts["lti_accounts"] = _count(session, delete(LtiAccount).where(LtiAccount.user_id == uid))
    counts["enrolments"] = _count(session, delete(Enrolment).where(Enrolment.user_id == uid))

    databank = erase_databank(session, uid, lambda text: _scrub(text, pattern) if text else text)
    counts.update(databank.counts)
    report.databank_files = databank.files
    _erase_certificates(session, person, pattern, counts)
    _erase_texts(session, words, pattern, counts)
    _erase_mail(session, person, words, pattern, report)
    _erase_snapshots(session, words, pattern, counts)
    counts["audit_entries"] = audit.pseudonymise(session, uid, words)

    now = utcnow()
    person.role_assignments.clear()
    person.full_name = ERASED_NAME
    person.email = None
    person.username = f"erased-{uid}"  # a login is required (a check constraint); unusable
    person.password_hash = None
    person.organisation = None
    person.department = None
    person.last_login_at = None
    person.active = False
    person.deactivated_at = person.deactivated_at or now
    person.session_generation = (person.session_generation or 0) + 1
    person.erased_at = now
    session.flush()
    audit.record(
        session,
        "user.erase",
        "user",
        uid,
        actor_id=actor.id if actor else None,
        **{k: v for k, v in counts.items() if v},
    )
    session.flush()
    return report


def _erase_registrations(session: Session, uid: int, counts: dict[str, int]) -> None:
    """Registrations go; a seat the person held is freed (``seats_taken`` stays equal to the
    number registered)."""
    held = session.execute(
        select(LiveRegistration.session_id, func.count())
        .where(LiveRegistration.user_id == uid, LiveRegistration.status == REGISTERED)
        .group_by(LiveRegistration.session_id)
    ).all()
    for session_id, number in held:
        session.execute(
            update(LiveSession)
            .where(LiveSession.id == session_id)
            .values(seats_taken=func.max(LiveSession.seats_taken - number, 0))
            if session.get_bind().dialect.name == "sqlite"
            else update(LiveSession)
            .where(LiveSession.id == session_id)
            .values(seats_taken=func.greatest(LiveSession.seats_taken - number, 0))
        )
    counts["session_registrations"] = _count(
        session, delete(LiveRegistration).where(LiveRegistration.user_id == uid)
    )


def _erase_certificates(
    session: Session, person: User, pattern: re.Pattern[str], counts: dict[str, int]
) -> None:
    certificates = session.scalars(select(Certificate).where(Certificate.user_id == person.id))
    ids = []
    now = utcnow()
    for certificate in certificates:
        ids.append(certificate.id)
        certificate.holder_name = ""
        certificate.payload = ""
        certificate.signature = ""
        certificate.summary = {}
        if certificate.revocation_reason:
            certificate.revocation_reason = pattern.sub(PSEUDONYM, certificate.revocation_reason)
        certificate.holder_erased_at = now
    session.flush()
    counts["certificates"] = len(ids)
    if ids:
        counts["certificate_files"] = _count(
            session, delete(CertificateFile).where(CertificateFile.certificate_id.in_(ids))
        )


def _erase_texts(
    session: Session, words: Sequence[str], pattern: re.Pattern[str], counts: dict[str, int]
) -> None:
    """The name or address written by anyone in a post, a thread's title, a session's notes."""
    changed = 0
    for model, columns in (
        (ForumPost, ("body_source", "body_html")),
        (ForumThread, ("title",)),
        (ForumReport, ("reason",)),
        (LiveSession, ("notes", "cancel_reason", "place")),
        (Certificate, ("revocation_reason",)),
    ):
        condition = or_(*(_mentions(getattr(model, c), words) for c in columns))
        for row in session.scalars(select(model).where(condition)):
            for column in columns:
                value = getattr(row, column)
                if value:
                    setattr(row, column, pattern.sub(PSEUDONYM, value))
            changed += 1
    session.flush()
    counts["texts_cleared"] = changed


def _erase_mail(
    session: Session,
    person: User,
    words: Sequence[str],
    pattern: re.Pattern[str],
    report: ErasureReport,
) -> None:
    if person.email:
        to_them = select(OutgoingMail.id).where(
            func.lower(OutgoingMail.recipient) == person.email.lower()
        )
        ids = set(session.scalars(to_them))
        report.mail_ids |= ids
        report.counts["mails_deleted"] = (
            _count(session, delete(OutgoingMail).where(OutgoingMail.id.in_(ids))) if ids else 0
        )
    condition = or_(_mentions(OutgoingMail.subject, words), _mentions(OutgoingMail.body, words))
    changed = 0
    for mail in session.scalars(select(OutgoingMail).where(condition)):
        mail.subject = pattern.sub(PSEUDONYM, mail.subject)
        mail.body = pattern.sub(PSEUDONYM, mail.body)
        report.mail_ids.add(mail.id)
        changed += 1
    session.flush()
    report.counts["mails_cleared"] = changed


def _erase_snapshots(
    session: Session, words: Sequence[str], pattern: re.Pattern[str], counts: dict[str, int]
) -> None:
    """Snapshots are immutable for the application (an ORM guard); erasure rewrites the
    people rows that name the person with a plain UPDATE, which is the one exception."""
    table = ReportSnapshot.__table__
    changed = 0
    for snapshot_id, people in session.execute(select(table.c.id, table.c.people)).all():
        new = _scrub(people, pattern)
        if new != people:
            session.execute(table.update().where(table.c.id == snapshot_id).values(people=new))
            changed += 1
    counts["snapshots_cleared"] = changed


# After the commit --------------------------------------------------------------------------


def _mail_mentions(path: Path, words: Iterable[str]) -> bool:
    raw = path.read_bytes()
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        parts = [str(v) for v in message.values()]
        for part in message.walk():
            if not part.is_multipart():
                payload = part.get_content()
                parts.append(payload if isinstance(payload, str) else "")
        text = "\n".join(parts)
    except Exception:  # an unreadable file: look at the raw bytes only
        text = raw.decode("utf-8", "replace")
    text = text.casefold() + "\n" + raw.decode("latin-1").casefold()
    return any(word.casefold() in text for word in words)


def clean_up_after_erasure(
    engine: Any,
    instance_path: str | Path,
    report: ErasureReport,
    *,
    vacuum: bool = True,
    patience: float = 6.0,
) -> list[str]:
    """Remove what the database transaction could not: copies of mails in
    ``<instance>/mail`` that were deleted or name the person, and (SQLite) old pages of the
    database file and its write-ahead log. Returns notes for the operator.

    ``patience`` is how many seconds the log's checkpoint waits, over several tries, for
    readers of other threads or processes to finish before it says the log is still in use
    (the log is then emptied at its next checkpoint, at the latest when the LMS stops)."""
    notes = []
    folder = Path(instance_path) / "mail"
    removed = 0
    if folder.is_dir():
        for path in sorted(folder.glob("*.eml")):
            number = path.stem
            if (number.isdigit() and int(number) in report.mail_ids) or _mail_mentions(
                path, report.words
            ):
                path.unlink(missing_ok=True)
                removed += 1
    notes.append(f"mail copies removed from the instance folder: {removed}")
    for name in report.databank_files:
        (Path(instance_path) / "databank" / name).unlink(missing_ok=True)
    if report.databank_files:
        notes.append(f"databank files removed: {len(report.databank_files)}")
    if engine.dialect.name == "sqlite" and vacuum:
        # Idle pooled connections are closed first: a statement one of them left unfinished
        # would keep a read mark in the write-ahead log and stop it being emptied. A
        # connection whose owner was dropped without closing it (a response never closed)
        # goes back to the pool only when the garbage collector finds it: collect first.
        gc.collect()
        engine.dispose(close=True)
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {int(min(patience, 5.0) * 1000)}")
            cursor.execute("VACUUM")
            deadline = time.monotonic() + patience
            pause = 0.1
            while True:  # a reader of another thread or process may be just finishing
                busy, _log, _done = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if not busy or time.monotonic() + pause > deadline:
                    break
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
            cursor.close()
        except Exception as exc:  # sqlite3.OperationalError: another process holds a lock
            log.warning("VACUUM after an erasure failed: %s", exc)
            notes.append(f"the database is busy ({exc}): run the erasure's clean-up again later")
            return notes
        finally:
            raw.close()
        notes.append(
            "database file rewritten (VACUUM) and write-ahead log emptied"
            if not busy
            else "database file rewritten (VACUUM); the write-ahead log is still in use by "
            "another process: it is emptied at its next checkpoint"
        )
    return notes
