"""All my data: the page and the JSON file hold every kind of record the register in
docs/privacy.md lists, for the person asking and nobody else."""

from __future__ import annotations

import json
import re
from datetime import time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.tokens import issue_token
from lms.assessment.models import Accommodation
from lms.catalog.queries import get_course_def
from lms.core.db import db, utcnow
from lms.labels.models import CounterLabel
from lms.learning.models import Enrolment
from lms.lti.models import LtiAccount, LtiGradeLink, LtiScore
from lms.lti.services import save_registration
from lms.plans.models import LearningPlan, PlanExperiment, PlanGroup
from lms.privacy.export import collect
from lms.reminders.models import ReminderPreference
from tests.conftest import PASSWORD, login

REGISTER = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"


def documented_keys() -> list[str]:
    """The keys of the register's table (its first column)."""
    text = REGISTER.read_text(encoding="utf-8")
    register = text.split("## The register", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", register, re.MULTILINE)


@pytest.fixture
def everything(app, rich_person):
    """The rich person, plus the kinds of record the demo does not give them."""
    with app.app_context():
        session = db.session
        zoe = session.get(User, rich_person.user_id)
        zoe.set_password(PASSWORD)
        session.add(Accommodation(user_id=zoe.id, extra_time_percent=25))
        session.add(ReminderPreference(user_id=zoe.id, voluntary="none"))
        experiment = PlanExperiment(share=0.5)
        session.add(experiment)
        session.flush()
        enrolment = session.scalars(select(Enrolment).where(Enrolment.user_id == zoe.id)).first()
        group = PlanGroup(enrolment_id=enrolment.id, experiment_id=experiment.id, grp="prompt")
        session.add(group)
        session.add(LearningPlan(
            enrolment_id=enrolment.id, user_id=zoe.id, course_id=enrolment.course_id,
            rrule="FREQ=WEEKLY;BYDAY=TU", start_date=utcnow().date(), start_time=time(9, 0),
            timezone="Europe/Brussels", duration_minutes=30, place="desk",
            first_step="Module 2 openen", if_then="Als het druk is, dan na de middag.",
        ))  # fmt: skip
        issue_token(session, zoe, "reset", timedelta(hours=1))
        platform = save_registration(
            session, None, name="Moodle", issuer="https://moodle.example.be", client_id="c1",
            auth_login_url="https://moodle.example.be/auth", key_set_url="https://moodle.example.be/k",
            auth_token_url="https://moodle.example.be/token", deployment_ids=["1"],
            organisation=zoe.organisation,
        )  # fmt: skip
        session.add(LtiAccount(issuer=platform.issuer, subject="u-17", user_id=zoe.id))
        link = LtiGradeLink(
            registration_id=platform.id, user_id=zoe.id, course_id=enrolment.course_id,
            resource_link_id="r1", subject="u-17", lineitem_url="https://moodle.example.be/li/1",
        )  # fmt: skip
        session.add(link)
        session.flush()
        session.add(LtiScore(grade_link_id=link.id, payload={"scoreGiven": 80}))
        course = get_course_def(session, "connectoo")
        label = CounterLabel(
            code="LBLTEST00001",
            department_id=zoe.department_id,
            course_id=course.course_id,
            granted_on=utcnow().date(),
        )
        session.add(label)
        session.commit()
    return rich_person


def test_the_register_and_the_download_list_the_same_kinds_of_record(app, make_user):
    keys = documented_keys()
    assert len(keys) == len(set(keys)) >= 20
    person = make_user()
    with app.app_context():
        export = collect(db.session, db.session.get(User, person.id))
    assert [s.key for s in export.sections] == keys


def test_the_download_holds_every_kind_of_record_listed(app, everything):
    client = app.test_client()
    with app.app_context():
        zoe = db.session.get(User, everything.user_id)
    login(client, zoe)
    response = client.get("/profile/data.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    sections = data["sections"]
    assert list(sections) == documented_keys()
    empty = [key for key, rows in sections.items() if not rows]
    assert empty == []
    assert sections["profile"][0]["full_name"] == everything.name
    assert sections["profile"][0]["email"] == everything.email
    # Test attempts come with the answers given; never the answer keys or the password.
    attempt = sections["test_attempts"][0]
    assert attempt["answers"] and "response" in attempt["answers"][0]
    text = response.get_data(as_text=True)
    for secret in ("password_hash", "token_hash", '"questions"', "fingerprint"):
        assert secret not in text
    # Only their own records: another learner's reply in their thread is not theirs.
    assert all(p["author_id"] == zoe.id for p in sections["forum_posts"])
    assert all(s["user_id"] == zoe.id for s in sections["xapi_statements"])
    assert {r["action"] for r in sections["sign_ins"]} <= {
        "user.login", "user.login_failed", "user.password", "user.reset"
    }  # fmt: skip
    assert any(r["action"] == "user.login" for r in sections["sign_ins"])
    # The readable page has every section, linked from the profile.
    assert "/profile/data" in client.get("/profile").get_data(as_text=True)
    page = client.get("/profile/data")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for key in documented_keys():
        assert f'id="data-{key}"' in html


def test_the_download_needs_a_sign_in(client):
    assert client.get("/profile/data.json").status_code in (302, 401)
    assert client.get("/profile/data").status_code in (302, 401)
