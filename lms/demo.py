"""The demo: four coastal municipalities with their counters, coordinators, learners,
volunteers, assignment rules and real progress; a province, a federal institution and a
municipality's agency for the national overview; a labelled counter; last month's snapshots.

Seeded by ``lms run`` into a new default instance (see ``LMS_DEMO`` in lms/config.py), never
into a database the operator configured unless they ask for it. Everything goes through the
real services (people, rules, sections opened, forum posts, test attempts, certificates), so
a coordinator's reports and each learner's own pages show the same progress. README's demo
table says who is who.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.accounts.services import RoleSpec, create_user
from lms.assessment import services as assessment
from lms.assignments.models import DUE_FIXED, DUE_NONE, DUE_RELATIVE
from lms.assignments.services import create_rule
from lms.catalog.queries import get_course_def
from lms.catalog.readmodel import ActivityDef, CourseDef
from lms.core.db import utcnow
from lms.forums.access import forum_access
from lms.forums.services import start_thread
from lms.labels.services import LabelRules, LabelSettingsError, update_labels
from lms.learning import services as learning
from lms.learning.statuses import StatusSettings, due_day, local_today
from lms.lti.services import save_registration
from lms.organisations.services import create_organisation, update_organisation
from lms.reporting.snapshots import period_of, run_snapshot_job

#: One password for every demo account; it satisfies the password rules.
DEMO_PASSWORD = "connectoo-demo-2026"

DEPARTMENTS = ["Onthaal", "Sociaal huis", "Burgerzaken"]

#: The four coastal municipalities of the regional e-inclusion partnership.
DOMAINS = {
    "De Panne": "depanne.demo",
    "Koksijde": "koksijde.demo",
    "Nieuwpoort": "nieuwpoort.demo",
    "Veurne": "veurne.demo",
}


@dataclass(frozen=True)
class DemoPerson:
    organisation: str
    local: str  # the e-mail address's local part
    name: str
    department: str | None
    language: str = "nl"
    #: "manager": coordinator of their own organisation.
    roles: tuple[str, ...] = ()
    kind: str = "staff"

    @property
    def email(self) -> str:
        return f"{self.local}@{DOMAINS[self.organisation]}"


DEMO_PEOPLE = [
    DemoPerson("De Panne", "els.peeters", "Els Peeters", "Onthaal"),
    DemoPerson("De Panne", "sophie.dubois", "Sophie Dubois", "Onthaal", "fr"),
    DemoPerson("De Panne", "karel.vandamme", "Karel Vandamme", "Onthaal"),
    DemoPerson("De Panne", "nadia.elamrani", "Nadia El Amrani", "Sociaal huis"),
    DemoPerson("De Panne", "an.vermeulen", "An Vermeulen", "Sociaal huis", roles=("manager",)),
    DemoPerson("De Panne", "tom.declercq", "Tom Declercq", "Burgerzaken"),
    DemoPerson("De Panne", "lotte.desmet", "Lotte Desmet", "Burgerzaken"),
    DemoPerson("De Panne", "jan.claeys", "Jan Claeys", None, kind="volunteer"),
    DemoPerson("Koksijde", "pieter.maes", "Pieter Maes", "Burgerzaken"),
    DemoPerson("Koksijde", "lucas.martin", "Lucas Martin", "Onthaal", "fr"),
    DemoPerson("Koksijde", "fatma.yilmaz", "Fatma Yilmaz", "Sociaal huis"),
    DemoPerson("Koksijde", "bart.wouters", "Bart Wouters", "Burgerzaken", roles=("manager",)),
    DemoPerson("Nieuwpoort", "ine.verhaeghe", "Ine Verhaeghe", "Onthaal"),
    DemoPerson("Nieuwpoort", "marc.dumont", "Marc Dumont", "Sociaal huis", "fr"),
    DemoPerson("Veurne", "hilde.mortier", "Hilde Mortier", "Onthaal"),
    DemoPerson("Veurne", "wout.lannoo", "Wout Lannoo", "Sociaal huis"),
]

#: The regional partnership's coordinator follows all four municipalities.
REGIONAL_COORDINATOR = ("Rita Lambrecht", "rita.lambrecht@westkust.demo")

#: Accounts besides DEMO_PEOPLE: the regional coordinator, the trainer and the admin.
OTHER_ACCOUNTS = 3


class DemoError(RuntimeError):
    pass


def should_seed_demo(app: Flask, state, database_was_new: bool) -> bool:
    setting = str(app.config.get("LMS_DEMO", "auto")).lower()
    if setting in {"no", "false", "0", "off"}:
        return False
    if setting in {"yes", "true", "1", "on"}:
        return database_was_new
    return database_was_new and not state.database_configured


def seed_demo(session: Session, *, now: datetime | None = None) -> list[User]:
    """Seed the demo into an empty database; returns the people made. Rules and progress
    are added when the courses are imported (``lms run`` imports them first)."""
    if session.scalar(select(func.count()).select_from(User)):
        raise DemoError("the database already has people in it; the demo was not added")
    now = now or utcnow()
    # One password for every account: hash it once (a strong hash takes a quarter second).
    password_hash = User(full_name="-")
    password_hash.set_password(DEMO_PASSWORD)
    shared = password_hash.password_hash

    def account(**kwargs: Any) -> User:
        user = create_user(session, **kwargs)
        user.password_hash = shared
        return user

    organisations = {
        name: create_organisation(session, name, departments=DEPARTMENTS) for name in DOMAINS
    }
    people: dict[str, User] = {}
    for spec in DEMO_PEOPLE:
        org = organisations[spec.organisation]
        department = next((d for d in org.departments if d.name == spec.department), None)
        roles = [RoleSpec("learner")] + [RoleSpec("manager", org.id) for _ in spec.roles]
        people[spec.local] = account(
            full_name=spec.name,
            email=spec.email,
            organisation=org,
            department=department,
            roles=roles,
            language=spec.language,
            kind=spec.kind,
        )
    name, email = REGIONAL_COORDINATOR
    regional = account(
        full_name=name,
        email=email,
        roles=[RoleSpec("manager", org.id) for org in organisations.values()],
    )
    trainer = account(
        full_name="Tina Trainer",
        email="trainer@connectoo.demo",
        roles=[RoleSpec("trainer"), RoleSpec("learner")],
    )
    admin = account(
        full_name="Alex Admin",
        email="admin@connectoo.demo",
        username="admin",
        roles=[RoleSpec("admin")],
        language="nl",
    )
    connectoo = get_course_def(session, "connectoo")
    plus = get_course_def(session, "connectoo-plus")
    if connectoo is not None and plus is not None:
        _seed_rules(session, organisations, people, connectoo, plus, now)
        _seed_progress(session, people, connectoo, plus, now)
        _seed_reminders_and_plans(session, organisations, people, connectoo, now)
    more = seed_overview_demo(session, organisations, account, connectoo, now)
    seed_databank_demo(session, people, trainer)
    seed_lti_demo(session, organisations["Veurne"])
    return [*people.values(), *more, regional, trainer, admin]


def seed_lti_demo(session: Session, organisation) -> None:
    """A Moodle of the region registered as an LTI platform (docs/lti.md), so that the
    administrator's LTI page shows what a registration looks like. Its addresses are
    examples: no launch can come from it."""
    save_registration(
        session,
        None,
        name="Moodle Regio Westhoek (demo)",
        issuer="https://moodle.westhoek.demo",
        client_id="Kx3mP9connectoo",
        auth_login_url="https://moodle.westhoek.demo/mod/lti/auth.php",
        auth_token_url="https://moodle.westhoek.demo/mod/lti/token.php",
        key_set_url="https://moodle.westhoek.demo/mod/lti/certs.php",
        deployment_ids=["1"],
        organisation=organisation,
    )


# Databank ------------------------------------------------------------------------------------


def seed_databank_demo(session: Session, people: dict[str, User], trainer: User) -> None:
    """Els's favourites and a shared list, and three proposals: one waiting for the trainer,
    one rejected, one approved (Els's: it credits De Panne). The favourites need the curated
    resources (``lms run`` imports them with the courses); the proposals do not."""
    from lms.databank import services as databank
    from lms.databank.models import Resource

    els = people["els.peeters"]
    curated = list(
        session.scalars(
            select(Resource)
            .where(Resource.source == "curated", Resource.status == "published")
            .order_by(Resource.title_nl)
            .limit(3)
        )
    )
    for resource in curated:
        databank.set_favourite(session, els.id, resource.id, True)
    if curated:
        digicafe = databank.create_list(session, els, "Voor het digicafé van woensdag")
        digicafe.shared = True
        for resource in curated[:2]:
            databank.add_to_list(session, digicafe, resource.id)

    def proposal(person: User, title: str, url: str, **extra: Any) -> Resource:
        data = {
            "title": {person.preferred_language: title},
            "description": {person.preferred_language: extra.pop("description")},
            "organisation": person.organisation.name if person.organisation else person.full_name,
            "target_groups": ["everyone"],
            "languages": [person.preferred_language],
            "keywords": {},
            "url": url,
            "licence": "",
            **extra,
        }
        return databank.propose(session, person, data)

    proposal(
        people["sophie.dubois"],
        "Aide-mémoire : se connecter à MyMinfin avec itsme",
        "https://www.example.be/demo/aide-memoire-myminfin",
        description="Une page à imprimer avec les étapes pour se connecter à MyMinfin.",
        type="manual",
        themes=["myminfin", "itsme"],
    )
    rejected = proposal(
        people["karel.vandamme"],
        "Gratis smartphonecursus (reclame)",
        "https://www.example.be/demo/smartphone-aanbieding",
        description="Een winkel biedt een gratis cursus aan bij aankoop van een smartphone.",
        type="website",
        themes=["smartphone_basics"],
    )
    databank.reject(
        session,
        rejected,
        trainer,
        "Dit is een reclame van een winkel. De databank toont alleen materiaal zonder verkoop.",
    )
    approved = proposal(
        els,
        "Onze vragenlijst: wat lukt online aan het onthaal?",
        "https://www.example.be/demo/vragenlijst-onthaal",
        description="De vragenlijst die het onthaal van De Panne aan bezoekers gaf.",
        type="questionnaire",
        themes=["digital_skills", "government_services"],
    )
    databank.approve(session, approved, trainer)


# Rules ---------------------------------------------------------------------------------------


def _seed_rules(session, organisations, people, connectoo, plus, now) -> None:
    """What each municipality decided (made by their coordinators, some weeks ago)."""

    def dept(org: str, name: str):
        return next(d for d in organisations[org].departments if d.name == name)

    def rule(org, course, coordinator, *, at, department=None, **terms):
        create_rule(
            session,
            organisation=organisations[org],
            course=course,
            department=dept(org, department) if department else None,
            actor=coordinator,
            at=at,
            **terms,
        )

    an, bart = people["an.vermeulen"], people["bart.wouters"]
    started = now - timedelta(days=90)
    # De Panne: Connectoo mandatory at the reception desk within 60 days (that was 90 days
    # ago: whoever has not finished is overdue) and at the social-services desk by a date
    # two weeks from now (due soon); voluntary for Burgerzaken; Connectoo+ voluntary for all.
    rule("De Panne", connectoo, an, at=started, department="Onthaal", due_kind=DUE_RELATIVE,
         due_days=60)  # fmt: skip
    rule("De Panne", connectoo, an, at=started, department="Sociaal huis", due_kind=DUE_FIXED,
         due_date=due_day(now) + timedelta(days=14))  # fmt: skip
    rule("De Panne", connectoo, an, at=started, department="Burgerzaken", mandatory=False,
         due_kind=DUE_NONE)  # fmt: skip
    rule("De Panne", plus, an, at=started, mandatory=False, due_kind=DUE_NONE)
    # Koksijde: Connectoo mandatory at both desks by a date, Connectoo+ mandatory at Onthaal.
    deadline = due_day(now) + timedelta(days=75)
    for department in ("Onthaal", "Sociaal huis"):
        rule("Koksijde", connectoo, bart, at=started, department=department,
             due_kind=DUE_FIXED, due_date=deadline)  # fmt: skip
    rule("Koksijde", plus, bart, at=started, department="Onthaal", due_kind=DUE_FIXED,
         due_date=deadline + timedelta(days=180))  # fmt: skip
    # Nieuwpoort and Veurne: Connectoo mandatory at both desks within 120 days.
    for org in ("Nieuwpoort", "Veurne"):
        for department in ("Onthaal", "Sociaal huis"):
            rule(org, connectoo, None, at=now - timedelta(days=20), department=department,
                 due_kind=DUE_RELATIVE, due_days=120)  # fmt: skip


# Progress ------------------------------------------------------------------------------------


class _Learner:
    """Makes progress for one person in one course through the real services."""

    def __init__(self, session: Session, user: User, course: CourseDef, start: datetime):
        self.session, self.user, self.course = session, user, course
        self.at = start
        self.enrolment, _ = learning.enrol(session, user, course, source="self", actor=user)

    def _tick(self, minutes: int = 3) -> datetime:
        self.at += timedelta(minutes=minutes)
        return self.at

    def read(self, activity_id: str, sections: int | None = None) -> None:
        activity = self.course.activities_by_id[activity_id]
        for section in activity.sections[:sections]:
            learning.open_section(
                self.session, self.enrolment, self.user, self.course, section.id, at=self._tick()
            )

    def post(self, activity_id: str, title: str, body: str) -> None:
        activity = self.course.activities_by_id[activity_id]
        access = forum_access(self.session, self.user, self.course, activity)
        assert access is not None
        start_thread(self.session, access, title, body, at=self._tick(10))

    def test(self, activity_id: str, right: int | None = None) -> None:
        """Take the test: every answer right, or only the first ``right`` answers."""
        activity = self.course.activities_by_id[activity_id]
        attempt = assessment.start_attempt(
            self.session,
            user=self.user,
            enrolment=self.enrolment,
            course=self.course,
            activity=activity,
            now=self._tick(),
            seed=self.user.id,
        )
        for position, question in enumerate(attempt.questions):
            good = right is None or position < right
            assessment.save_answer(
                self.session, attempt, position, _answer(question, good), now=self._tick(1)
            )
        assessment.submit_attempt(
            self.session,
            attempt.id,
            user=self.user,
            enrolment=self.enrolment,
            course=self.course,
            activity=activity,
            now=self._tick(2),
        )

    def module(self, module_id: str) -> None:
        """Finish a module: read its e-learnings, post in its forum, pass its test."""
        for activity in self.course.modules_by_id[module_id].activities:
            self.act(activity)
        self._tick(60 * 24 * 3)  # a few days later

    def act(self, activity: ActivityDef) -> None:
        if activity.type == "elearning":
            self.read(activity.id)
        elif activity.type == "forum":
            self.post(activity.id, *FORUM_POSTS[self.user.preferred_language == "fr"])
        elif activity.type == "test":
            self.test(activity.id)


FORUM_POSTS = {
    False: ("Even voorstellen", "Ik werk aan het loket en help vaak mensen met itsme."),
    True: ("Présentation", "Je travaille au guichet et j'aide souvent avec itsme."),
}


def _answer(question: dict[str, Any], right: bool) -> Any:
    """A response the question type accepts: the key, or a wrong answer."""
    settings = question["settings"]
    kind = question["type"]
    if kind == "true_false":
        return bool(settings["answer"]) if right else not settings["answer"]
    if kind == "matching":
        matches = {item["id"]: item["match"] for item in settings["items"]}
        if not right:  # every item matched with its neighbour's answer
            ids = list(matches)
            return {item: matches[ids[(i + 1) % len(ids)]] for i, item in enumerate(ids)}
        return matches
    if kind == "ordering":
        order = [item["id"] for item in settings["items"]]
        return order if right else order[::-1]
    if kind == "short_answer":
        if settings.get("number") is not None:
            return str(settings["number"]) if right else str(settings["number"] + 1000)
        return settings["accepted"][0] if right else "?"
    correct = [c["id"] for c in settings["choices"] if c.get("correct")]
    wrong = [c["id"] for c in settings["choices"] if not c.get("correct")]
    if question["type"] == "single_choice":
        return correct[0] if right else wrong[0]
    return sorted(correct) if right else sorted(wrong[:1])


def _seed_progress(session, people, connectoo, plus, now) -> None:
    begin = now - timedelta(days=80)
    # Els finished Connectoo six weeks ago: certified (the certificate is issued on completion).
    els = _Learner(session, people["els.peeters"], connectoo, begin)
    for module in connectoo.modules:
        els.module(module.id)
    # Sophie (reception desk) started, failed module 1's test and stopped: overdue.
    sophie = _Learner(session, people["sophie.dubois"], connectoo, begin + timedelta(days=5))
    sophie.module("m0")
    sophie.read("m1-elearning")
    sophie.test("m1-test", right=4)
    # Nadia (social-services desk) is halfway, due in two weeks: due soon.
    nadia = _Learner(session, people["nadia.elamrani"], connectoo, begin + timedelta(days=10))
    nadia.module("m0")
    nadia.read("m1-elearning")
    nadia.post("m1-forum", "Vraag over CSAM", "Hoe vraag ik een nieuwe activeringscode aan?")
    nadia.test("m1-test", right=5)
    nadia.test("m1-test")
    nadia.module("m2")
    nadia.read("m3-elearning", 6)
    # Tom (voluntary) read a little; Jan, a volunteer digihelper, enrolled himself.
    _Learner(session, people["tom.declercq"], connectoo, now - timedelta(days=12)).read(
        "m0-elearning", 3
    )
    jan = _Learner(session, people["jan.claeys"], connectoo, now - timedelta(days=30))
    jan.module("m0")
    jan.read("m1-elearning", 5)
    # Els started Connectoo+ as well.
    _Learner(session, people["els.peeters"], plus, now - timedelta(days=9)).read("p0-elearning")
    # Koksijde: Lucas is on his way, Fatma just started.
    lucas = _Learner(session, people["lucas.martin"], connectoo, now - timedelta(days=40))
    lucas.module("m0")
    lucas.module("m1")
    _Learner(session, people["fatma.yilmaz"], connectoo, now - timedelta(days=3)).read(
        "m0-elearning", 4
    )
    # Nieuwpoort: Ine started.
    _Learner(session, people["ine.verhaeghe"], connectoo, now - timedelta(days=6)).read(
        "m0-elearning"
    )


# Reminders and learning plans ------------------------------------------------------------------


def _seed_reminders_and_plans(session, organisations, people, connectoo, now) -> None:
    """Reminders already sent (through the reminder service, as the daily job and a
    coordinator send them), a suggested learning time for De Panne's social-services desk,
    and two learners with a plan."""
    from datetime import date, time

    from lms.learning.queries import my_enrolments
    from lms.learning.statuses import StatusSettings, local_today
    from lms.plans import services as plans
    from lms.plans.recurrence import When
    from lms.reminders import services as reminders
    from lms.reminders.models import MANUAL

    zone = "Europe/Brussels"
    settings = StatusSettings(today=local_today(zone, now))
    rules = reminders.ReminderSettings()

    def view_of(person: User):
        return next(v for v in my_enrolments(session, person.id, settings)
                    if v.course.course_id == connectoo.course_id)  # fmt: skip

    # The daily job reminded the two overdue people at the reception desk.
    for local in ("sophie.dubois", "karel.vandamme"):
        person = people[local]
        view = view_of(person)
        due = reminders.automatic_reminder(view.status, rules)
        if due is not None:
            reminders.remind(
                session, enrolment_id=view.enrolment.id, person=person, course=connectoo,
                status=view.status, kind=due.kind, key=due.key, at=now - timedelta(days=2),
            )  # fmt: skip
    # An, their coordinator, reminded Nadia (due soon) herself.
    nadia = people["nadia.elamrani"]
    view = view_of(nadia)
    yesterday = settings.today - timedelta(days=1)
    reminders.remind(
        session, enrolment_id=view.enrolment.id, person=nadia, course=connectoo,
        status=view.status, kind=MANUAL, key=reminders.manual_key(yesterday),
        sender=people["an.vermeulen"], at=now - timedelta(days=1),
    )  # fmt: skip
    # De Panne's social-services desk agreed on Tuesday and Thursday mornings.
    sociaal = next(d for d in organisations["De Panne"].departments if d.name == "Sociaal huis")
    plans.set_department_time(
        session, sociaal, weekdays=("TU", "TH"), start_time=time(8, 30), duration_minutes=30,
        actor=people["an.vermeulen"],
    )  # fmt: skip
    # Two learners made a plan: Nadia with her team's time, Lucas on Monday afternoons.
    for local, weekdays, at, place, step, if_then in (
        ("nadia.elamrani", ("TU", "TH"), time(8, 30), "desk",
         "Module 3 verder lezen", "Als het loket druk is, dan leer ik na de middag."),
        ("lucas.martin", ("MO",), time(14, 0), "training_room",
         "Ouvrir le module 2", "Si une réunion tombe le lundi, je le fais le mardi matin."),
    ):  # fmt: skip
        person = people[local]
        view = view_of(person)
        start: date = plans.first_day(weekdays, settings.today)
        plans.save_plan(
            session,
            view.enrolment,
            plans.PlanValues(
                when=When(weekdays, 1, start, at, zone, 30),
                place=place,
                place_other=None,
                first_step=step,
                if_then=if_then,
            ),
            at=now,
        )


# The national overview, a labelled counter and last month's snapshot ---------------------------

#: Organisations at other levels: (name, level, part of, department, people as (name, e-mail,
#: language)). The four municipalities become part of the province.
OTHER_ORGANISATIONS = [
    ("West-Vlaanderen", "province", None, "Onthaal provinciehuis",
     [("Griet Vermeersch", "griet.vermeersch@west-vlaanderen.demo", "nl"),
      ("Koen Desmet", "koen.desmet@west-vlaanderen.demo", "nl")]),
    ("FOD Financiën", "federal", None, "Contactcenter",
     [("Julie Lambert", "julie.lambert@minfin.demo", "fr"),
      ("Wim Peeters", "wim.peeters@minfin.demo", "nl")]),
    ("OCMW De Panne", "agency", "De Panne", "Sociale dienst",
     [("Sara Vanhoutte", "sara.vanhoutte@ocmwdepanne.demo", "nl"),
      ("Bram Maes", "bram.maes@ocmwdepanne.demo", "nl")]),
]  # fmt: skip

#: Veurne's reception desk: Hilde Mortier and these two; all three certified (at different
#: months), so the counter holds the label.
VEURNE_DESK = [("Jonas Vandenberghe", "jonas.vandenberghe"), ("Sarah Goethals", "sarah.goethals")]

#: People who left long ago (days since they joined, days since their last sign-in): the
#: list of inactive accounts (retention, two years by default) shows them.
LONG_GONE = {"wim.peeters@minfin.demo": (1100, 1000), "bram.maes@ocmwdepanne.demo": (900, 850)}

#: People the overview's part of the demo adds.
OVERVIEW_PEOPLE = sum(len(o[4]) for o in OTHER_ORGANISATIONS) + len(VEURNE_DESK)


def seed_overview_demo(session: Session, organisations, account, connectoo, now) -> list[User]:
    """A province above the four municipalities, a federal institution and De Panne's OCMW
    with a few people; three certified people at Veurne's reception desk (in different
    months, for the target chart) whose counter gets the label; and last month's snapshot of
    every organisation. Returns the people made."""
    made: list[User] = []
    others = {}
    for name, level, parent, department, members in OTHER_ORGANISATIONS:
        org = create_organisation(
            session,
            name,
            level=level,
            parent=organisations.get(parent) or others.get(parent),
            departments=[department],
        )
        others[name] = org
        for full_name, email, language in members:
            made.append(
                account(
                    full_name=full_name,
                    email=email,
                    organisation=org,
                    department=org.departments[0],
                    roles=[RoleSpec("learner")],
                    language=language,
                )
            )
    for org in organisations.values():
        update_organisation(
            session, org, name=org.name, level="municipality", parent=others["West-Vlaanderen"],
            actor_id=None,
        )  # fmt: skip
    veurne = organisations["Veurne"]
    desk = next(d for d in veurne.departments if d.name == "Onthaal")
    for full_name, local in VEURNE_DESK:
        made.append(
            account(
                full_name=full_name,
                email=f"{local}@{DOMAINS['Veurne']}",
                organisation=veurne,
                department=desk,
                roles=[RoleSpec("learner")],
            )
        )
    for person in made:
        if person.email in LONG_GONE:
            joined, last_seen = LONG_GONE[person.email]
            person.created_at = now - timedelta(days=joined)
            person.last_login_at = now - timedelta(days=last_seen)
    if connectoo is None:
        return made
    hilde = session.scalar(select(User).where(User.email == "hilde.mortier@veurne.demo"))
    desk_people = [hilde, *made[-len(VEURNE_DESK) :]]
    # Certified about four, three and two months ago (each takes some three weeks).
    for person, days_ago in zip(desk_people, (140, 110, 80), strict=True):
        learner = _Learner(session, person, connectoo, now - timedelta(days=days_ago))
        for module in connectoo.modules:
            learner.module(module.id)
    by_email = {person.email: person for person in made}
    _Learner(session, by_email["griet.vermeersch@west-vlaanderen.demo"], connectoo,
             now - timedelta(days=15)).read("m0-elearning")  # fmt: skip
    julie = _Learner(session, by_email["julie.lambert@minfin.demo"], connectoo,
                     now - timedelta(days=25))  # fmt: skip
    julie.module("m0")
    julie.module("m1")
    _Learner(session, by_email["sara.vanhoutte@ocmwdepanne.demo"], connectoo,
             now - timedelta(days=8)).read("m0-elearning", 4)  # fmt: skip
    config = current_app.config
    today = local_today(config["LMS_TIMEZONE"], now)
    # Labels set up for a course the demo does not have: no label in the demo.
    with suppress(LabelSettingsError):
        update_labels(session, LabelRules.from_config(config), today=today)
    # Last month's snapshot of every organisation, as if taken on its last day.
    last_day = today.replace(day=1) - timedelta(days=1)
    run_snapshot_job(
        session,
        StatusSettings.from_config(
            config, now=datetime.combine(last_day, datetime.min.time(), UTC)
        ),
        period=period_of(last_day),
        language=config["LMS_LANGUAGES"][0],
        commit=False,
        generated_at=datetime.combine(last_day, datetime.min.time(), UTC) + timedelta(hours=21),
    )
    return made
