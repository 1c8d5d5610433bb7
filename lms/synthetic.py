"""Synthetic data at scale for benchmarks: ``lms demo --scale N``.

About 600 organisations (a few large cities, many small municipalities; 5 to 2,000 staff),
N learners, both Connectoo courses, assignment rules, progress that drops off module by
module, test attempts with answers, forum posts, webinar registrations, certificates,
delivered and queued xAPI statements, and one 200-person organisation (``Benchpoort``) with
a known coordinator, trainer and administrator for the load tests.

How it stays true to the app: a handful of *archetype* learners (one per progress profile)
go through the real services (the demo's ``_Learner``: sections opened, forum posts, tests
taken, webinars attended, certificates issued). Every other learner is a *clone* of one
archetype: its rows are copied in bulk (SQLAlchemy Core ``insert`` with lists of dicts, ids
given here) with the person's own ids, uuids, organisation, dates shifted back by up to two
months, the enrolment terms its organisation's rules give, a certificate signed for it, and
its forum posts added to its organisation's threads. What the app keeps pre-aggregated is
recomputed at the end (threads' last post, seats taken, PostgreSQL's id sequences).

Commits once per batch of learners (a command, not a request) and prints its progress.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Date, Table, func, insert, select, text, update
from sqlalchemy.orm import Session

from lms.accounts.models import RoleAssignment, User
from lms.accounts.services import RoleSpec, create_user
from lms.assessment.models import Answer, Attempt
from lms.assignments.models import DUE_FIXED, DUE_NONE, DUE_RELATIVE, Assignment
from lms.assignments.services import create_rule, rule_due_at
from lms.catalog.queries import get_course_def
from lms.certification import codes, signing
from lms.certification.models import Certificate
from lms.certification.services import certificate_payload
from lms.core.db import Base, UTCDateTime, utcnow
from lms.demo import _Learner
from lms.forums.models import ForumPost, ForumProgress, ForumThread
from lms.learning import summary as progress_summary
from lms.learning.models import Completion, Enrolment, SectionVisit
from lms.learning.statuses import due_day
from lms.live.access import live_access
from lms.live.models import REGISTERED, LiveRegistration, LiveSession
from lms.live.services import mark_attended, register, schedule
from lms.organisations.models import Department, Organisation
from lms.organisations.services import create_organisation
from lms.xapi import delivery
from lms.xapi.models import XapiEndpoint, XapiStatement

#: The password of every generated account (hashed once, with the app's hash method).
PASSWORD = "bench-password-2026"
BENCH_ORGANISATION = "Benchpoort"
BENCH_SIZE = 200
COORDINATOR_EMAIL = "coordinator@bench.test"
ADMIN_EMAIL = "admin@bench.test"
TRAINER_EMAIL = "trainer@bench.test"
#: The LRS endpoint name whose cursor marks the statements already delivered.
LRS_NAME = "lrs"
MAX_ORGANISATIONS = 600
MIN_SIZE, MAX_SIZE = 5, 2_000
#: Learners per committed batch.
BATCH = 2_000
#: One clone in this many keeps its xAPI statements (all of them would be ~100 per learner).
XAPI_EVERY = 25
#: Posts per forum thread before a new thread is opened in an organisation.
POSTS_PER_THREAD = 25
DEPARTMENTS = ["Onthaal", "Burgerzaken", "Sociaal huis", "Bibliotheek", "Financiën", "Wonen"]
FIRST = ["Els", "An", "Tom", "Jan", "Ine", "Marc", "Nadia", "Lucas", "Fatma", "Sophie", "Hilde"]
LAST = ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Dubois", "Lambert"]


@dataclass(frozen=True)
class Profile:
    """How far an archetype got: ``modules`` Connectoo modules finished, then ``then``
    ("half": half the next e-learning; "failed": all of it, a post and a failed test);
    ``plus``: Connectoo+ modules finished after the certificate (-1: not begun)."""

    name: str
    share: float
    modules: int
    then: str | None = None
    plus: int = -1
    language: str = "nl"


#: Cohorts drop off: about 88% start, 72% finish module 0, ... 27% finish all 7 (certified).
PROFILES = [
    Profile("not-started", 0.12, 0),
    Profile("m0-half", 0.16, 0, "half"),
    *(
        Profile(f"m{k}-{then}", share / 2, k, then, language="fr" if then == "failed" else "nl")
        for k, share in ((1, 0.12), (2, 0.10), (3, 0.08), (4, 0.06), (5, 0.05), (6, 0.04))
        for then in ("half", "failed")
    ),
    Profile("certified", 0.19, 7),
    Profile("certified-plus-begun", 0.05, 7, plus=0),
    Profile("certified-plus-webinar", 0.03, 7, plus=2),
]


@dataclass
class Plan:
    learners: int
    sizes: list[int]  # the other organisations' sizes (the bench organisation aside)
    seed: int = 2026


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def plan(learners: int, seed: int = 2026) -> Plan:
    """Organisation sizes: the bench organisation (200, or half when fewer), then up to 599
    more, drawn from a heavy-tailed law (few large cities, many small municipalities),
    within 5 and 2,000, adding up to the learners left."""
    if learners < 2 * MIN_SIZE:
        raise ValueError(f"--scale needs at least {2 * MIN_SIZE} learners")
    rest = learners - min(BENCH_SIZE, learners // 2)
    count = max(1, min(MAX_ORGANISATIONS - 1, rest // 12))
    rng = random.Random(seed)
    weights = [rng.paretovariate(1.2) for _ in range(count)]
    sizes = [MIN_SIZE] * count
    spare = rest - MIN_SIZE * count
    total = sum(weights)
    for i, weight in enumerate(weights):
        sizes[i] = min(MAX_SIZE, MIN_SIZE + int(spare * weight / total))
    # The largest city is as large as allowed (the exports' target is for 2,000 people).
    largest = max(range(count), key=sizes.__getitem__)
    sizes[largest] = min(MAX_SIZE, max(sizes[largest], rest // 5))
    # Rounding and capping: hand out (or take back) the difference one by one.
    i = 0
    while (diff := rest - sum(sizes)) != 0:
        j = i % count
        if diff > 0 and sizes[j] < MAX_SIZE and j != largest:
            sizes[j] += 1
        elif diff < 0 and sizes[j] > MIN_SIZE and j != largest:
            sizes[j] -= 1
        i += 1
    sizes.sort(reverse=True)
    return Plan(learners, sizes, seed)


# Archetypes: real services ---------------------------------------------------------------------


def _archetypes(session, bench_org, connectoo, plus, trainer, now, password_hash):
    """One learner per profile in the bench organisation, made by the real services."""
    department = bench_org.departments[0]
    past_webinar = future_webinar = None
    webinar = plus.activities_by_id["p1-webinar-1"]
    access = live_access(session, trainer, plus, webinar)
    past_webinar = schedule(
        session, access, starts_at=now - timedelta(days=40), place="Benchpoort, zaal 1",
        ends_at=now - timedelta(days=40, hours=-2),
    )  # fmt: skip
    future_webinar = schedule(
        session, access, starts_at=now + timedelta(days=20), link="https://meet.example/p1",
        ends_at=now + timedelta(days=20, hours=2),
    )  # fmt: skip
    made: dict[str, User] = {}
    for n, profile in enumerate(PROFILES):
        user = create_user(
            session,
            full_name=f"Archetype {profile.name}",
            email=f"archetype.{profile.name}@bench.test",
            organisation=bench_org,
            department=department,
            language=profile.language,
        )
        user.password_hash = password_hash
        start = now - timedelta(days=100) + timedelta(hours=n)
        learner = _Learner(session, user, connectoo, start)
        if profile.modules == 0 and profile.then is None:
            made[profile.name] = user
            continue
        for module in connectoo.modules[: profile.modules]:
            learner.module(module.id)
        if profile.modules < len(connectoo.modules):
            module = connectoo.modules[profile.modules]
            elearning = next(a for a in module.activities if a.type == "elearning")
            if profile.then == "half":
                learner.read(elearning.id, max(1, len(elearning.sections) // 2))
            else:
                learner.read(elearning.id)
                for activity in module.activities:
                    if activity.type == "forum":
                        learner.act(activity)
                    elif activity.type == "test":
                        learner.test(activity.id, right=0)
        if profile.plus >= 0:
            follower = _Learner(session, user, plus, learner.at + timedelta(days=5))
            follower.read(plus.modules[0].activities[0].id)
            for module in plus.modules[1 : profile.plus + 1]:
                for activity in module.activities:
                    if activity.type == "webinar" and activity.id == webinar.id:
                        mine = live_access(session, user, plus, webinar)
                        register(session, mine, past_webinar, at=now - timedelta(days=50))
                        mark_attended(session, access, past_webinar, [user],
                                      at=now - timedelta(days=39))  # fmt: skip
                    elif activity.type != "webinar":
                        follower.act(activity)
            if profile.plus == 0:
                mine = live_access(session, user, plus, webinar)
                register(session, mine, future_webinar, at=now - timedelta(days=1))
        made[profile.name] = user
    session.flush()
    return made


@dataclass
class _Rows:
    """An archetype's rows, by table."""

    user: User
    enrolments: dict[int, dict]  # by course id
    tables: dict[str, list[dict]]
    answers: dict[int, list[dict]]  # by attempt id


def _rows_of(session: Session, user: User) -> _Rows:
    def rows(model, *where) -> list[dict]:
        return [dict(r) for r in session.execute(select(model.__table__).where(*where)).mappings()]

    attempts = rows(Attempt, Attempt.user_id == user.id)
    answers: dict[int, list[dict]] = {a["id"]: [] for a in attempts}
    for answer in rows(Answer, Answer.attempt_id.in_(list(answers))):
        answers[answer["attempt_id"]].append(answer)
    return _Rows(
        user=user,
        enrolments={e["course_id"]: e for e in rows(Enrolment, Enrolment.user_id == user.id)},
        tables={
            "visits": rows(SectionVisit, SectionVisit.user_id == user.id),
            "completions": rows(Completion, Completion.user_id == user.id),
            "attempts": attempts,
            "threads": rows(ForumThread, ForumThread.author_id == user.id),
            "posts": rows(ForumPost, ForumPost.author_id == user.id),
            "forum_progress": rows(ForumProgress, ForumProgress.user_id == user.id),
            "registrations": rows(LiveRegistration, LiveRegistration.user_id == user.id),
            "certificates": rows(Certificate, Certificate.user_id == user.id),
            "statements": rows(XapiStatement, XapiStatement.user_id == user.id),
        },
        answers=answers,
    )


# Clones: bulk rows -----------------------------------------------------------------------------


def _time_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if isinstance(c.type, UTCDateTime | Date)]


class _Ids:
    def __init__(self, session: Session, models) -> None:
        self.next = {m: (session.scalar(select(func.max(m.id))) or 0) + 1 for m in models}

    def take(self, model) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


class Generator:
    def __init__(self, session: Session, learners: int, *, seed: int = 2026, echo=print):
        self.session, self.echo = session, echo
        self.learners, self.seed = learners, seed
        self.plan = plan(learners, seed)
        self.rng = random.Random(seed)
        self.now = utcnow()
        self.report = Report()
        self.shifted: dict[Any, list[str]] = {}

    # The whole run ------------------------------------------------------------------------

    def run(self) -> Report:
        began = time.perf_counter()
        session = self.session
        if session.scalar(select(func.count()).select_from(User)):
            raise ValueError("the database already has people in it; nothing was generated")
        self.connectoo = get_course_def(session, "connectoo")
        self.plus = get_course_def(session, "connectoo-plus")
        if self.connectoo is None or self.plus is None:
            raise ValueError("import the courses first (connectoo and connectoo-plus)")
        self.slugs = {c.course_id: c.slug for c in (self.connectoo, self.plus)}
        probe = User(full_name="-")
        probe.set_password(PASSWORD)
        self.password_hash = probe.password_hash
        self._organisations()
        self.echo(
            f"  {len(self.organisations)} organisations and their rules "
            f"({time.perf_counter() - began:.1f} s)"
        )
        self.archetypes = {
            name: _rows_of(session, user) for name, user in self._accounts_and_archetypes().items()
        }
        session.commit()
        self.echo(
            f"  {len(self.archetypes)} archetypes through the services "
            f"({time.perf_counter() - began:.1f} s)"
        )
        self.key = signing.current_key(current_app.config["LMS_INSTANCE_PATH"])
        self.key_id = session.scalar(
            select(Certificate.key_id).where(Certificate.key_id.is_not(None)).limit(1)
        )
        models = (User, RoleAssignment, Enrolment, Assignment, SectionVisit, Completion, Attempt,
                  Answer, ForumThread, ForumPost, ForumProgress, LiveRegistration, Certificate,
                  XapiStatement)  # fmt: skip
        self.ids = _Ids(session, models)
        self.thread_pool: dict[tuple, list[int]] = {}
        people = [(org, size) for org, size in zip(self.organisations, self.sizes, strict=True)]
        slots = [org for org, size in people for _ in range(size)]
        self.rng.shuffle(slots)
        names = [p.name for p in PROFILES]
        weights = [p.share for p in PROFILES]
        done = 0
        for start in range(0, len(slots), BATCH):
            batch = slots[start : start + BATCH]
            rows = self._batch(batch, self.rng.choices(names, weights, k=len(batch)), start)
            for model, table_rows in rows.items():
                if table_rows:
                    session.execute(insert(model.__table__), table_rows)
                    self.report.counts[model.__tablename__] = self.report.counts.get(
                        model.__tablename__, 0
                    ) + len(table_rows)
            session.commit()
            done += len(batch)
            self.echo(
                f"  {done + len(self.archetypes):>7} / {self.plan.learners} learners "
                f"({time.perf_counter() - began:5.1f} s)"
            )
        self.report.counts["databank resources"] = generate_resources(
            session, min(MAX_RESOURCES, self.learners), seed=self.seed
        )
        self.echo(f"  databank resources ({time.perf_counter() - began:.1f} s)")
        self._finish()
        self.report.seconds = time.perf_counter() - began
        return self.report

    # Organisations, rules, accounts --------------------------------------------------------

    def _organisations(self) -> None:
        session, rng = self.session, self.rng
        bench = create_organisation(
            session, BENCH_ORGANISATION, slug="benchpoort", departments=DEPARTMENTS[:3]
        )
        self.bench = bench
        bench_size = self.plan.learners - sum(self.plan.sizes)
        self.organisations: list[Organisation] = [bench]
        self.sizes = [bench_size - len(PROFILES)]
        for n, size in enumerate(self.plan.sizes):
            count = 1 if size < 15 else 2 if size < 60 else 4 if size < 400 else 6
            level = "municipality" if n >= 10 or n % 3 else ("federal", "region")[n % 2]
            org = create_organisation(
                session,
                f"{'Stad' if size >= 400 else 'Gemeente'} {n + 1:03d}",
                slug=f"org-{n + 1:03d}",
                level=level,
                departments=DEPARTMENTS[:count],
            )
            self.organisations.append(org)
            self.sizes.append(size)
        session.flush()
        # The departments of every organisation, for drawing people's desks.
        self.departments: dict[int, list[int]] = {}
        for org_id, dept_id in session.execute(select(Department.organisation_id, Department.id)):
            self.departments.setdefault(org_id, []).append(dept_id)
        self.rules: dict[int, list] = {}
        for org in self.organisations:
            rules = []
            mandatory = org is bench or rng.random() < 0.7
            terms: dict[str, Any] = {"due_kind": DUE_NONE}
            if mandatory and rng.random() < 0.5:
                terms = {"due_kind": DUE_RELATIVE, "due_days": rng.choice((60, 90, 120))}
            elif mandatory:
                day = due_day(self.now) + timedelta(days=rng.randint(-60, 120))
                terms = {"due_kind": DUE_FIXED, "due_date": day}
            at = self.now - timedelta(days=120)
            rules.append(create_rule(session, organisation=org, course=self.connectoo,
                                     mandatory=mandatory, at=at, **terms)[0])  # fmt: skip
            if org is bench or rng.random() < 0.2:
                rules.append(create_rule(session, organisation=org, course=self.plus,
                                         mandatory=False, at=at)[0])  # fmt: skip
            self.rules[org.id] = rules

    def _accounts_and_archetypes(self) -> dict[str, User]:
        session = self.session

        def account(email, name, roles):
            user = create_user(session, full_name=name, email=email, roles=roles)
            user.password_hash = self.password_hash
            return user

        account(ADMIN_EMAIL, "Bench Admin", [RoleSpec("admin")])
        trainer = account(TRAINER_EMAIL, "Bench Trainer", [RoleSpec("trainer")])
        account(COORDINATOR_EMAIL, "Bench Coordinator", [RoleSpec("manager", self.bench.id)])
        return _archetypes(
            session, self.bench, self.connectoo, self.plus, trainer, self.now, self.password_hash
        )

    # One batch of clones -----------------------------------------------------------------

    def _batch(self, orgs: list[Organisation], profiles: list[str], offset: int):
        out: dict[Any, list[dict]] = {
            m: []
            for m in (User, RoleAssignment, Enrolment, Assignment, SectionVisit, Completion,
                      Attempt, Answer, ForumThread, ForumPost, ForumProgress, LiveRegistration,
                      Certificate, XapiStatement)
        }  # fmt: skip
        for n, (org, profile) in enumerate(zip(orgs, profiles, strict=True)):
            self._clone(out, org, self.archetypes[profile], offset + n)
        return out

    def _clone(self, out, org: Organisation, arch: _Rows, number: int) -> None:
        rng, ids = self.rng, self.ids
        delta = timedelta(days=rng.uniform(0, 60))
        user_id = ids.take(User)
        public_id = uuid.uuid4()
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        departments = self.departments.get(org.id) or [None]
        out[User].append(
            {
                "id": user_id,
                "public_id": public_id,
                "email": f"{first.lower()}.{last.lower()}.{user_id}@{org.slug}.test",
                "full_name": name,
                "password_hash": self.password_hash,
                "preferred_language": arch.user.preferred_language,
                "organisation_id": org.id,
                "department_id": rng.choice(departments) if rng.random() < 0.9 else None,
                "kind": "volunteer" if rng.random() < 0.08 else "staff",
                "active": True,
                "created_at": self.now - timedelta(days=150),
                "session_generation": 0,
            }
        )
        out[RoleAssignment].append(
            {
                "id": ids.take(RoleAssignment),
                "user_id": user_id,
                "role": "learner",
                "organisation_id": None,
            }
        )
        if self._first_of(org):  # each organisation's first person also coordinates it
            out[RoleAssignment].append(
                {"id": ids.take(RoleAssignment), "user_id": user_id, "role": "manager",
                 "organisation_id": org.id}
            )  # fmt: skip
        replace = {str(arch.user.public_id): str(public_id)}
        enrolment_ids: dict[int, int] = {}
        rules = self.rules[org.id]
        followed = set(arch.enrolments) & ({r.course_id for r in rules} | self._progress(arch))
        for course_id in sorted(followed):
            row = self._shift(Enrolment, arch.enrolments[course_id], delta)
            row["id"] = enrolment_ids[course_id] = ids.take(Enrolment)
            row["user_id"] = user_id
            registration = uuid.uuid4()
            replace[str(arch.enrolments[course_id]["registration"])] = str(registration)
            row["registration"] = registration
            covering = [r for r in rules if r.course_id == course_id]
            row.update(source="assignment" if covering else "self", enrolled_by_id=None)
            dues = []
            for rule in covering:
                due = rule_due_at(rule, row["enrolled_at"])
                out[Assignment].append(
                    {"id": ids.take(Assignment), "rule_id": rule.id, "user_id": user_id,
                     "enrolment_id": row["id"], "assigned_at": row["enrolled_at"], "due_at": due}
                )  # fmt: skip
                if rule.mandatory and due is not None:
                    dues.append(due)
            row.update(
                mandatory=any(r.mandatory for r in covering),
                due_at=min(dues) if dues else None,
                due_source="rule" if covering else None,
                renews=False,
            )
            row.update(dict.fromkeys(progress_summary.SUMMARY_COLUMNS))  # filled at the end
            out[Enrolment].append(row)

        course_of = {e["id"]: c for c, e in arch.enrolments.items()}

        def copy(model, key, fix: Callable[[dict, dict], None] | None = None):
            for source in arch.tables[key]:
                course_id = source.get("course_id") or course_of.get(source.get("enrolment_id"))
                if course_id is not None and course_id not in followed:
                    continue
                row = self._shift(model, source, delta)
                if "id" in row:
                    row["id"] = ids.take(model)
                for column in ("user_id", "author_id"):
                    if column in row:
                        row[column] = user_id
                if row.get("enrolment_id") is not None:
                    row["enrolment_id"] = enrolment_ids[course_of[source["enrolment_id"]]]
                if fix:
                    fix(source, row)
                out[model].append(row)

        copy(SectionVisit, "visits")
        copy(Completion, "completions")

        def attempt(source, row):
            for answer in arch.answers[source["id"]]:
                copied = self._shift(Answer, answer, delta)
                copied.update(id=self.ids.take(Answer), attempt_id=row["id"])
                out[Answer].append(copied)

        copy(Attempt, "attempts", attempt)
        threads: dict[int, int] = {}
        for source in arch.tables["threads"]:
            key = (source["course_id"], source["activity_id"], org.id)
            pool = self.thread_pool.get(key)
            if pool is None or pool[1] >= POSTS_PER_THREAD:
                row = self._shift(ForumThread, source, delta)
                row.update(id=ids.take(ForumThread), author_id=user_id, organisation_id=org.id)
                out[ForumThread].append(row)
                pool = self.thread_pool[key] = [row["id"], 0]
            pool[1] += 1
            threads[source["id"]] = pool[0]

        def post(source, row):
            row["thread_id"] = threads.get(source["thread_id"], source["thread_id"])

        copy(ForumPost, "posts", post)
        copy(ForumProgress, "forum_progress")
        copy(LiveRegistration, "registrations")

        def certificate(source, row):
            slug = self.slugs[source["course_id"]]
            row.update(public_id=uuid.uuid4(), code=codes.new_code(), holder_name=name)
            replace[str(source["public_id"])] = str(row["public_id"])
            payload = signing.canonical_json(certificate_payload(Certificate(**row), slug))
            row.update(payload=payload, signature=self.key.sign(payload.encode("utf-8")))

        copy(Certificate, "certificates", certificate)
        if number % XAPI_EVERY == 0:

            def statement(source, row):
                statement_id = uuid.uuid4()
                payload = source["payload"].replace(str(source["statement_id"]), str(statement_id))
                for old, new in replace.items():
                    payload = payload.replace(old, new)
                row.update(statement_id=statement_id, payload=payload, sequence=None)

            copy(XapiStatement, "statements", statement)

    def _first_of(self, org: Organisation) -> bool:
        seen = self.__dict__.setdefault("_coordinated", set())
        if org.id in seen or org is self.bench:
            return False
        seen.add(org.id)
        return True

    @staticmethod
    def _progress(arch: _Rows) -> set[int]:
        return {v["course_id"] for v in arch.tables["visits"]}

    def _shift(self, model, row: dict, delta: timedelta) -> dict:
        copied = dict(row)
        if model not in self.shifted:
            self.shifted[model] = _time_columns(model.__table__)
        for column in self.shifted[model]:
            value = copied.get(column)
            if isinstance(value, datetime):
                copied[column] = value - delta
            elif isinstance(value, date):
                copied[column] = value - timedelta(days=delta.days)
        return copied

    # What the app keeps pre-aggregated, and the delivered statements --------------------------

    def _finish(self) -> None:
        session = self.session
        self.echo("  threads' last post, seats taken, xAPI sequence and delivery cursor")
        last = (
            select(func.max(ForumPost.created_at))
            .where(ForumPost.thread_id == ForumThread.id)
            .scalar_subquery()
        )
        session.execute(update(ForumThread).values(last_post_at=last))
        taken = (
            select(func.count())
            .where(LiveRegistration.session_id == LiveSession.id)
            .where(LiveRegistration.status == REGISTERED)
            .scalar_subquery()
        )
        session.execute(update(LiveSession).values(seats_taken=taken))
        session.commit()
        self.echo("  progress summaries")
        self.report.counts["progress summaries"] = progress_summary.refresh(
            session, size=2000, commit=True
        )
        if session.get_bind().dialect.name == "postgresql":
            for table in _id_tables():
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                    )
                )
            session.commit()
        delivery.stamp(session)
        highest = session.scalar(select(func.max(XapiStatement.sequence))) or 0
        delivered = int(highest * 0.9)
        session.add(XapiEndpoint(name=LRS_NAME, cursor=delivered, delivered=delivered, failures=0))
        session.commit()
        self.report.counts["xapi delivered"] = delivered
        self.report.counts["xapi queued"] = highest - delivered


# The databank ------------------------------------------------------------------------------

#: Resources generated at scale (as many as learners, at most this many).
MAX_RESOURCES = 10_000

_SUBJECTS = [
    ("itsme", "itsme", "itsme"),
    ("csam", "CSAM", "CSAM"),
    ("myebox", "My eBox", "My eBox"),
    ("myminfin", "MyMinfin", "MyMinfin"),
    ("mypension", "mypension.be", "mypension.be"),
    ("mijngezondheid", "Mijn Gezondheid", "Ma Santé"),
    ("email", "e-mail", "e-mail"),
    ("video_calling", "videobellen", "appels vidéo"),
    ("online_safety", "veilig online", "sécurité en ligne"),
    ("smartphone_basics", "je smartphone", "votre smartphone"),
    ("online_banking", "online bankieren", "banque en ligne"),
    ("digital_skills", "digitale vaardigheden", "compétences numériques"),
    ("eid", "de eID-kaart", "la carte eID"),
    ("government_services", "overheidsdiensten", "services publics"),
]
_FORMS = [
    ("manual", "Handleiding", "Manuel"),
    ("video", "Video", "Vidéo"),
    ("exercise", "Oefeningen", "Exercices"),
    ("measuring_tool", "Test", "Test"),
    ("questionnaire", "Vragenlijst", "Questionnaire"),
    ("good_practice", "Goede praktijk", "Bonne pratique"),
    ("presentation", "Presentatie", "Présentation"),
    ("website", "Website", "Site web"),
]
_GROUPS = [
    "everyone",
    "older_people",
    "low_literacy",
    "newcomers",
    "disability",
    "digihelpers",
    "counter_staff",
]


def generate_resources(session: Session, count: int, *, seed: int = 2026) -> int:
    """``count`` published databank resources in bulk (facets and search terms included; the
    full-text index is kept by the database's triggers); commits."""
    from lms.databank.models import Resource, ResourceFacet, ResourceSearch
    from lms.databank.search import index_terms

    if count <= 0:
        return 0
    rng = random.Random(seed + 20)
    start = (session.scalar(select(func.max(Resource.id))) or 0) + 1
    organisations = (
        [f"Digipunt {name}" for name in ("Noord", "Zuid", "Oost", "West")]
        + [f"Gemeente {i}" for i in range(1, 41)]
        + [f"Commune {i}" for i in range(1, 21)]
    )
    today = utcnow().date()
    for first in range(0, count, 2000):
        resources: list[dict[str, Any]] = []
        facets: list[dict[str, Any]] = []
        words: list[dict[str, Any]] = []
        for n in range(first, min(count, first + 2000)):
            theme, subject_nl, subject_fr = rng.choice(_SUBJECTS)
            kind, form_nl, form_fr = rng.choice(_FORMS)
            title = {
                "nl": f"{form_nl} over {subject_nl} ({n + 1})",
                "fr": f"{form_fr} : {subject_fr} ({n + 1})",
            }
            description = {
                "nl": f"{form_nl} voor het loket over {subject_nl}, stap voor stap uitgelegd.",
                "fr": f"{form_fr} pour le guichet sur {subject_fr}, expliqué pas à pas.",
            }
            organisation = rng.choice(organisations)
            groups = sorted(set(rng.sample(_GROUPS, rng.randint(1, 2))))
            languages = rng.choice([["nl"], ["fr"], ["nl", "fr"], ["de"], ["nl", "en"]])
            themes = sorted({theme, rng.choice(_SUBJECTS)[0]})
            ident = start + n
            resources.append(
                {
                    "id": ident,
                    "slug": f"bench-{n + 1}",
                    "source": "curated",
                    "status": "published",
                    "title": title,
                    "description": description,
                    "title_nl": title["nl"],
                    "title_fr": title["fr"],
                    "title_de": title["nl"],
                    "title_en": title["nl"],
                    "organisation_name": organisation,
                    "type": kind,
                    "target_groups": groups,
                    "languages": languages,
                    "themes": themes,
                    "keywords": {},
                    "url": f"https://www.example.be/bench/{n + 1}",
                    "url_key": f"example.be/bench/{n + 1}",
                    "licence": "CC BY 4.0",
                    "added": today - timedelta(days=rng.randint(0, 900)),
                    "created_at": utcnow(),
                }
            )
            words.append(
                {
                    "resource_id": ident,
                    "terms": index_terms([*title.values(), *description.values(), organisation]),
                }
            )
            values = [("type", kind), ("organisation", organisation)]
            values += [("group", g) for g in groups]
            values += [("language", lang) for lang in languages]
            values += [("theme", t) for t in themes]
            facets += [{"resource_id": ident, "facet": f, "value": v} for f, v in values]
        session.execute(insert(Resource.__table__), resources)
        session.execute(insert(ResourceFacet.__table__), facets)
        session.execute(insert(ResourceSearch.__table__), words)
        session.commit()
    return count


def _id_tables() -> list[str]:
    return [
        name
        for name, table in Base.metadata.tables.items()
        if "id" in table.columns and table.columns["id"].primary_key
    ]


def generate(session: Session, learners: int, *, seed: int = 2026, echo=print) -> Report:
    """Fill an empty database (courses imported) with ``learners`` learners; commits."""
    return Generator(session, learners, seed=seed, echo=echo).run()


def summary(report: Report) -> str:
    parts = ", ".join(f"{name} {count:,}" for name, count in sorted(report.counts.items()))
    return f"generated in {report.seconds:.1f} s: {parts}"
