"""Fixtures of the reminder tests: the report tests' course and towns, and a helper that
enrols a person with terms (mandatory or not, due in N days) through the real services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from lms.core.db import db
from lms.learning import services as learning
from lms.learning.models import Enrolment
from lms.learning.statuses import StatusSettings, end_of_day
from lms.mail.models import OutgoingMail
from lms.reminders.models import Reminder
from tests.reporting.conftest import (  # noqa: F401 (fixtures)
    add_rule,
    count_queries,
    import_course,
    progress,
    report_course,
    second_course,
    towns,
)


def today(app: Flask):
    return StatusSettings.from_config(app.config).today


@pytest.fixture
def enrol_due(app: Flask):
    """``enrol_due(user, course, days, mandatory=True, sections=0)``: enrolled with a due
    date ``days`` from today (negative: overdue), ``sections`` sections opened."""

    def enrol(user, course, days: int | None, *, mandatory: bool = True, sections: int = 0):
        with app.app_context():
            session = db.session
            person = session.get(type(user), user.id)
            due_at = None if days is None else end_of_day(today(app) + timedelta(days=days))
            enrolment, _ = learning.enrol(session, person, course, due_at=due_at)
            enrolment.due_at = due_at
            enrolment.mandatory = mandatory
            enrolment.due_source = "manual"
            for section in course.sections[:sections]:
                learning.open_section(session, enrolment, person, course, section.id)
            session.commit()
            return enrolment.id

    return enrol


def reminders(app: Flask) -> list[Reminder]:
    with app.app_context():
        return list(db.session.scalars(select(Reminder).order_by(Reminder.id)))


def reminder_mails(app: Flask) -> list[OutgoingMail]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(OutgoingMail)
                .where(OutgoingMail.template == "reminder")
                .order_by(OutgoingMail.id)
            )
        )


def run_job(app: Flask, *args: str):
    result = app.test_cli_runner().invoke(args=["lms", "reminders", "send", *args])
    assert result.exit_code == 0, result.output
    return result.output


def enrolment_of(app: Flask, enrolment_id: int) -> Enrolment:
    with app.app_context():
        return db.session.get(Enrolment, enrolment_id)
