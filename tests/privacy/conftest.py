"""A person with a bit of everything (the demo's certified learner, renamed), for the
privacy tests: progress, test attempts, forum posts, a certificate and its PDF, reminders
and their e-mails (sent into the instance folder), a session registration, a learning
plan, xAPI statements of which some were delivered, sign-ins, a snapshot naming them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lms import demo
from lms.accounts.models import User
from lms.catalog.queries import get_course_def
from lms.certification.documents import certificate_pdf
from lms.certification.models import Certificate
from lms.core.db import utcnow
from lms.forums.access import forum_access
from lms.forums.models import ForumThread
from lms.forums.services import follow, reply, report_post
from lms.learning.queries import my_enrolments
from lms.learning.statuses import StatusSettings, local_today
from lms.live.models import REGISTERED, LiveRegistration, LiveSession
from lms.mail.services import send_pending
from lms.reminders import services as reminders
from lms.reminders.models import MANUAL
from lms.xapi.models import XapiEndpoint, XapiStatement

NAME = "Zoë Dupré-Ñúñez"
EMAIL = "zoe.dupre-nunez.q7x@depanne.demo"


class _Renamed(demo.DemoPerson):
    @property
    def email(self) -> str:
        return EMAIL


@dataclass
class Rich:
    user_id: int
    name: str = NAME
    email: str = EMAIL


def seed_rich_person(session, monkeypatch) -> Rich:
    """Seed the demo with Els Peeters (certified in Connectoo) renamed, and add what the demo
    does not give her. Commits (inside the test's transaction)."""
    people = [
        _Renamed(p.organisation, p.local, NAME, p.department) if p.local == "els.peeters" else p
        for p in demo.DEMO_PEOPLE
    ]
    monkeypatch.setattr(demo, "DEMO_PEOPLE", people)
    from lms.commands import _import_course_folders

    _import_course_folders()
    demo.seed_demo(session)
    session.commit()
    zoe = session.scalars(select(User).where(User.email == EMAIL)).one()
    nadia = session.scalars(select(User).where(User.email == "nadia.elamrani@depanne.demo")).one()
    coordinator = session.scalars(
        select(User).where(User.email == "an.vermeulen@depanne.demo")
    ).one()
    connectoo = get_course_def(session, "connectoo")
    plus = get_course_def(session, "connectoo-plus")
    now = utcnow()
    settings = StatusSettings(today=local_today("Europe/Brussels", now))

    # A reminder from her coordinator (with its e-mail) about Connectoo+.
    view = next(
        v for v in my_enrolments(session, zoe.id, settings) if v.course.course_id == plus.course_id
    )
    reminders.remind(
        session, enrolment_id=view.enrolment.id, person=zoe, course=plus, status=view.status,
        kind=MANUAL, key=reminders.manual_key(settings.today), sender=coordinator, at=now,
    )  # fmt: skip
    # Another learner answers her forum thread by name; she follows it and reports a post.
    activity = connectoo.activities_by_id["m1-forum"]
    thread = session.scalars(
        select(ForumThread).where(
            ForumThread.author_id == zoe.id, ForumThread.activity_id == "m1-forum"
        )
    ).first()
    nadia_access = forum_access(session, nadia, connectoo, activity)
    answer = reply(session, nadia_access, thread, f"Dank je {NAME}! Ik mail je op {EMAIL}.")
    zoe_access = forum_access(session, zoe, connectoo, activity)
    follow(session, zoe, thread)
    report_post(session, zoe_access, answer, "Mijn adres staat erin", reports_url="http://x/r")
    # A registration for a webinar of Connectoo+.
    webinar = LiveSession(
        course_id=plus.course_id, activity_id="p1-webinar-1", starts_at=now + timedelta(days=9),
        ends_at=now + timedelta(days=9, hours=1), capacity=10, seats_taken=1,
        notes=f"Vraag van {NAME}: graag met ondertitels.",
    )  # fmt: skip
    session.add(webinar)
    session.flush()
    session.add(LiveRegistration(session_id=webinar.id, user_id=zoe.id, status=REGISTERED))
    # Her certificate's PDF is rendered (and cached in the database).
    certificate = session.scalars(select(Certificate).where(Certificate.user_id == zoe.id)).one()
    certificate_pdf(session, certificate)
    # Half of her statements reached an LRS.
    table = XapiStatement.__table__
    session.execute(table.update().values(sequence=table.c.id))
    ids = sorted(session.scalars(select(XapiStatement.id).where(XapiStatement.user_id == zoe.id)))
    session.add(XapiEndpoint(name="lrs", cursor=ids[len(ids) // 2], delivered=len(ids) // 2))
    session.execute(update(User).where(User.id == zoe.id).values(last_login_at=now))
    session.commit()
    sent, failed = send_pending(session, limit=10_000)
    assert sent and not failed
    return Rich(user_id=zoe.id)


@pytest.fixture
def rich_person(app, monkeypatch) -> Rich:
    from lms.core.db import db

    with app.app_context():
        return seed_rich_person(db.session, monkeypatch)
