"""The demo shows reminders already sent and two learners with a plan, each visible only to
their own organisation's coordinators."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.commands import prepare_instance
from lms.core.db import db
from lms.demo import DEMO_PASSWORD
from lms.mail.models import OutgoingMail
from lms.plans.models import DepartmentPlanTime, LearningPlan
from lms.reminders.models import MANUAL, OVERDUE, Reminder
from tests.conftest import csrf_token
from tests.core.test_demo import _app


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app = _app(tmp_path_factory.mktemp("demo-reminders"))
    with app.app_context():
        prepare_instance()
    return app


def _id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def _login(app, email: str):
    client = app.test_client()
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"login": email, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return client


def test_reminders_already_sent_and_two_plans(demo):
    sophie = _id(demo, "sophie.dubois@depanne.demo")
    karel = _id(demo, "karel.vandamme@depanne.demo")
    nadia = _id(demo, "nadia.elamrani@depanne.demo")
    an = _id(demo, "an.vermeulen@depanne.demo")
    lucas = _id(demo, "lucas.martin@koksijde.demo")
    with demo.app_context():
        got = {(r.user_id, r.kind, r.sent_by_id) for r in db.session.scalars(select(Reminder))}
        assert got == {(sophie, OVERDUE, None), (karel, OVERDUE, None), (nadia, MANUAL, an)}
        mails = {
            m.recipient: m
            for m in db.session.scalars(
                select(OutgoingMail).where(OutgoingMail.template == "reminder")
            )
        }
        assert mails["sophie.dubois@depanne.demo"].language == "fr"
        planners = set(db.session.scalars(select(LearningPlan.user_id)))
        assert planners == {nadia, lucas}
        assert db.session.scalar(select(DepartmentPlanTime.weekdays)) == "TU,TH"


def test_each_coordinator_sees_only_her_own(demo):
    sophie = _id(demo, "sophie.dubois@depanne.demo")
    lucas = _id(demo, "lucas.martin@koksijde.demo")
    an = _login(demo, "an.vermeulen@depanne.demo")
    page = an.get(f"/progress/people/{sophie}").get_data(as_text=True)
    reminders = " ".join(re.sub(r"<[^>]+>", " ", page.split('id="reminder-list"')[1]).split())
    assert "Automatisch: te laat sinds" in reminders
    assert an.get(f"/progress/people/{lucas}").status_code == 404
    bart = _login(demo, "bart.wouters@koksijde.demo")
    assert bart.get(f"/progress/people/{sophie}").status_code == 404
    lucas_page = bart.get(f"/progress/people/{lucas}").get_data(as_text=True)
    assert 'data-plan="yes"' in lucas_page
    assert "Leerplan" in lucas_page
