"""A course with a webinar and an in-person session, the people around it, and dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lms.core.db import db
from tests.forums.conftest import World, enrol, send  # noqa: F401
from tests.learning.conftest import course_yaml, import_course  # noqa: F401  (fixture)

LIVE = """\
      - id: webinar-1
        type: webinar
        title: {nl: Webinar casussen, fr: Webinaire cas pratiques}
        description: {nl: Breng een eigen situatie mee., fr: Apportez une situation vécue.}
        duration_minutes: 90
        capacity: 2
      - id: terugkom
        type: session
        title: {nl: Terugkommoment, fr: Moment de retour}
        duration_minutes: 120
"""


def live_course_yaml(slug: str = "live") -> str:
    return course_yaml(slug, 1, lessons=1, sections=1, extra_activities=LIVE)


@pytest.fixture
def world(app, make_organisation, make_user, import_course) -> World:  # noqa: F811
    course = import_course(live_course_yaml())
    other = import_course(course_yaml("other", 1, lessons=1, sections=1))
    de_panne = make_organisation("De Panne")
    koksijde = make_organisation("Koksijde")
    people = {
        "els": make_user(name="Els Peeters", organisation=de_panne),
        "nadia": make_user(name="Nadia El Amrani", organisation=de_panne, language="fr"),
        "sophie": make_user(name="Sophie Dubois", organisation=de_panne),
        "pieter": make_user(name="Pieter Maes", organisation=koksijde),
        "tom": make_user(name="Tom Declercq", organisation=de_panne),  # not enrolled
        "outsider": make_user(name="Olga Other", organisation=de_panne),  # another course
        "manager": make_user(
            name="An Vermeulen", organisation=de_panne, roles=(), manages=[de_panne]
        ),
        "koksijde_manager": make_user(
            name="Bart Wouters", organisation=koksijde, roles=(), manages=[koksijde]
        ),
        "trainer": make_user(name="Tina Trainer", roles=("trainer",)),
    }
    for name in ("els", "nadia", "sophie", "pieter"):
        enrol(app, people[name], course)
    enrol(app, people["outsider"], other)
    return World(course, other, de_panne, koksijde, people)


def in_days(days: float, hour: int = 14) -> datetime:
    base = datetime.now(UTC).replace(hour=hour - 1, minute=0, second=0, microsecond=0)
    return base + timedelta(days=days)


@pytest.fixture
def plan(app, world):
    """``plan(activity="webinar-1", days=7, capacity=2, organisation=None)`` -> session id."""
    from lms.accounts.models import User
    from lms.catalog.queries import get_course_def
    from lms.live import services
    from lms.live.access import live_access

    def make(activity="webinar-1", days=7.0, capacity=2, organisation=None, minutes=90):
        with app.app_context():
            course = get_course_def(db.session, world.course.slug)
            trainer = db.session.get(User, world["trainer"].id)
            access = live_access(db.session, trainer, course, course.activities_by_id[activity])
            start = in_days(days)
            live = services.schedule(
                db.session,
                access,
                starts_at=start,
                ends_at=start + timedelta(minutes=minutes),
                place="Gemeentehuis, zaal 2" if activity == "terugkom" else None,
                link="https://meet.example.be/connectoo" if activity == "webinar-1" else None,
                capacity=capacity,
                organisation_id=organisation.id if organisation else None,
            )
            db.session.commit()
            return live.id

    return make


def live_url(world, activity="webinar-1", rest="") -> str:
    return f"/courses/{world.course.slug}/sessions/{activity}{rest}"
