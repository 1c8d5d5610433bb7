"""`lms plans nudge`: a short e-mail at a planned time, only to people not active in the
course that week, once per occurrence, never after the course is completed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from lms.core.db import db
from lms.learning import services as learning
from lms.learning.models import Enrolment
from lms.mail.models import OutgoingMail
from lms.plans import jobs, services
from lms.plans.models import PlanNudge
from lms.plans.recurrence import When

BRUSSELS = ZoneInfo("Europe/Brussels")
#: A Thursday in summer time; the plan: Mondays and Thursdays at 18:30 Belgian time.
THURSDAY = date(2027, 6, 10)
PLANNED = datetime.combine(THURSDAY, time(18, 30), tzinfo=BRUSSELS).astimezone(UTC)


@pytest.fixture
def planner(app, make_user, towns, report_course):
    de_panne, _ = towns
    user = make_user(name="Nadia Plan", organisation=de_panne, language="fr")
    with app.app_context():
        person = db.session.get(type(user), user.id)
        enrolment, _ = learning.enrol(db.session, person, report_course)
        services.save_plan(
            db.session,
            enrolment,
            services.PlanValues(
                when=When(("MO", "TH"), 1, date(2027, 6, 7), time(18, 30), "Europe/Brussels", 30),
                place="home",
                place_other=None,
                first_step="Lire la première partie",
                if_then="Si je suis fatiguée, je lis cinq minutes.",
            ),
        )
        db.session.commit()
        return user, enrolment.id


def _nudge(app, now: datetime) -> int:
    with app.app_context():
        return jobs.send_nudges(db.session, now=now, before_minutes=60, late_hours=3)


def _mails(app) -> list[OutgoingMail]:
    with app.app_context():
        return list(
            db.session.scalars(select(OutgoingMail).where(OutgoingMail.template == "plan_nudge"))
        )


def test_a_nudge_at_the_planned_time_once(app, planner):
    user, _enrolment_id = planner
    assert _nudge(app, PLANNED - timedelta(hours=2)) == 0  # too early
    assert _nudge(app, PLANNED - timedelta(minutes=40)) == 1
    assert _nudge(app, PLANNED - timedelta(minutes=10)) == 0  # same occurrence: once
    assert _nudge(app, PLANNED + timedelta(hours=1)) == 0
    (mail,) = _mails(app)
    assert mail.recipient == user.email and mail.language == "fr"
    assert "18:30" in mail.subject
    assert "Lire la première partie" in mail.body and "je lis cinq minutes" in mail.body
    assert "http://127.0.0.1/courses/rapport/continue" in mail.body
    with app.app_context():
        (nudge,) = db.session.scalars(select(PlanNudge))
        assert nudge.occurrence_at == PLANNED and nudge.mail_id == mail.id


def test_too_late_is_not_sent(app, planner):
    assert _nudge(app, PLANNED + timedelta(hours=4)) == 0


def test_no_nudge_for_someone_active_that_week(app, planner, report_course):
    user, enrolment_id = planner
    monday_evening = datetime.combine(THURSDAY - timedelta(days=3), time(19, 0), tzinfo=BRUSSELS)
    with app.app_context():
        person = db.session.get(type(user), user.id)
        enrolment = db.session.get(Enrolment, enrolment_id)
        learning.open_section(
            db.session, enrolment, person, report_course, report_course.sections[0].id,
            at=monday_evening.astimezone(UTC),
        )  # fmt: skip
        db.session.commit()
    assert _nudge(app, PLANNED - timedelta(minutes=30)) == 0
    # Active last week does not count: next Monday's occurrence gets a nudge.
    next_monday = datetime.combine(THURSDAY + timedelta(days=4), time(18, 30), tzinfo=BRUSSELS)
    assert _nudge(app, next_monday.astimezone(UTC) - timedelta(minutes=30)) == 1


def test_no_nudge_once_the_course_is_completed(app, planner, report_course, progress):
    user, _ = planner
    progress(user, report_course, 8, at=datetime(2027, 5, 1, tzinfo=UTC))
    assert _nudge(app, PLANNED - timedelta(minutes=30)) == 0


def test_the_command_prints_how_many(app, planner):
    result = app.test_cli_runner().invoke(args=["lms", "plans", "nudge"])
    assert result.exit_code == 0 and result.output.strip().endswith("nudge(s) queued")
