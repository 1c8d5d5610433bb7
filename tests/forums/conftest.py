"""A course with two forums (course-wide and per organisation) and the people around it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from lms.core.db import db
from tests.learning.conftest import (  # noqa: F401  (fixtures)
    count_queries,
    course_yaml,
    import_course,
)

FORUMS = """\
      - id: f-course
        type: forum
        title: {nl: Forum voor iedereen, fr: Forum pour tous}
        prompt: {nl: Deel een ervaring., fr: Partagez une expérience.}
        required_posts: 2
      - id: f-org
        type: forum
        title: {nl: Forum van je gemeente, fr: Forum de votre commune}
        prompt: {nl: Deel iets met je collega's., fr: Partagez avec vos collègues.}
        visibility: organisation
"""


def forum_course_yaml(slug: str = "forums") -> str:
    return course_yaml(slug, 1, lessons=1, sections=1, extra_activities=FORUMS)


@dataclass
class World:
    course: Any
    other_course: Any
    de_panne: Any
    koksijde: Any
    people: dict[str, Any]

    def __getitem__(self, name: str):
        return self.people[name]


def enrol(app, user, course) -> None:
    from lms.accounts.models import User
    from lms.learning.services import enrol as do_enrol

    with app.app_context():
        do_enrol(db.session, db.session.get(User, user.id), course)
        db.session.commit()


@pytest.fixture
def world(app, make_organisation, make_user, import_course) -> World:  # noqa: F811
    course = import_course(forum_course_yaml())
    other = import_course(course_yaml("other", 1, lessons=1, sections=1))
    de_panne = make_organisation("De Panne")
    koksijde = make_organisation("Koksijde")
    people = {
        "els": make_user(name="Els Peeters", organisation=de_panne),
        "nadia": make_user(name="Nadia El Amrani", organisation=de_panne, language="fr"),
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
    for name in ("els", "nadia", "pieter"):
        enrol(app, people[name], course)
    enrol(app, people["outsider"], other)
    return World(course, other, de_panne, koksijde, people)


def forum_url(world: World, activity: str = "f-course", rest: str = "") -> str:
    return f"/courses/{world.course.slug}/forums/{activity}{rest}"


def send(client, url: str, data: dict | None = None, **kw):
    """POST like a browser of a logged-in person (the token from the page's header form)."""
    from tests.conftest import post_form

    return post_form(client, url, data or {}, page="/", **kw)
