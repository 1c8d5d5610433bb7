"""Fixtures of the report tests: a certified course of four modules, coordinators of two
municipalities, and helpers that make progress through the real learning services."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from lms.assignments.services import create_rule
from lms.catalog.readmodel import CourseDef
from lms.core.db import db
from lms.learning import services as learning
from lms.organisations.models import Organisation
from tests.learning.conftest import count_queries, course_yaml, import_course  # noqa: F401

#: The report course: 4 modules of one lesson of 2 sections (8 sections), certified.
MODULES = 4
SECTIONS_PER_MODULE = 2


def report_course_yaml(slug: str = "rapport", valid_for_months: int | None = 12) -> str:
    text = course_yaml(slug, MODULES, lessons=1, sections=SECTIONS_PER_MODULE, title="Rapport")
    months = f", valid_for_months: {valid_for_months}" if valid_for_months else ""
    line = f"certificate: {{template: connectoo{months}}}"
    return text.replace("enrolment: open\n", f"enrolment: open\n{line}\n", 1)


@pytest.fixture
def request_context(app: Flask):
    """A request in English (for code that reads the request's language)."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def report_course(import_course) -> CourseDef:  # noqa: F811
    return import_course(report_course_yaml())


@pytest.fixture
def second_course(import_course) -> CourseDef:  # noqa: F811
    return import_course(course_yaml("tweede", 2, lessons=1, sections=1, title="Tweede"))


@pytest.fixture
def towns(make_organisation):
    """Two municipalities with the same three departments."""
    departments = ("Onthaal", "Sociaal huis", "Burgerzaken")
    return make_organisation("De Panne", departments), make_organisation("Koksijde", departments)


def department(app: Flask, organisation: Organisation, name: str):
    with app.app_context():
        org = db.session.get(Organisation, organisation.id)
        return next(d for d in org.departments if d.name == name)


@pytest.fixture
def add_rule(app: Flask):
    """``add_rule(org, course, department=None, person=None, **terms)`` through the service."""

    def add(organisation, course, *, department=None, person=None, **terms):
        with app.app_context():
            from lms.accounts.models import User
            from lms.organisations.models import Department

            rule, _applied = create_rule(
                db.session,
                organisation=db.session.get(Organisation, organisation.id),
                course=course,
                department=db.session.get(Department, department.id) if department else None,
                person=db.session.get(User, person.id) if person else None,
                **terms,
            )
            db.session.commit()
            return rule.id

    return add


@pytest.fixture
def progress(app: Flask):
    """``progress(user, course, sections)`` opens the first ``sections`` sections in order,
    as the lesson player does (enrolling first when needed)."""

    def run(user, course: CourseDef, sections: int, at=None) -> None:
        with app.app_context():
            session = db.session
            person = session.get(type(user), user.id)
            enrolment, _ = learning.enrol(session, person, course)
            for section in course.sections[:sections]:
                learning.open_section(session, enrolment, person, course, section.id, at=at)
            session.commit()

    return run


def past(days: int) -> date:
    from datetime import timedelta

    return date.today() - timedelta(days=days)
