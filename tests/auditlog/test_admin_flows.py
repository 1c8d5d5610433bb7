"""Done when: the audit log records each administrative action. The test performs the
administrators', coordinators' and trainers' flows (through the pages where there is one,
else through the service the page calls) and lists the audit actions it expects, in order.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.assessment.services import set_accommodation
from lms.assignments.models import AssignmentRule
from lms.catalog.queries import get_course_def
from lms.certification.models import Certificate
from lms.core.audit import AuditEvent
from lms.core.db import db, utcnow
from lms.forums.access import forum_access
from lms.forums.models import ForumPost, ForumReport, ForumThread
from lms.forums.services import resolve_report, set_hidden, set_thread_flag
from lms.live.access import live_access
from lms.live.services import SessionLinks, cancel, edit, mark_attended, schedule
from lms.organisations.models import Department, Organisation
from lms.plans.experiment import start_experiment, stop_experiment
from lms.plans.services import set_department_time
from tests.conftest import post_form

EXPECTED = [
    # Administration > Organisations
    "organisation.create",
    "organisation.update",
    "department.create",
    "department.rename",
    # Administration > People: add (with an invitation), change, deactivate, reactivate
    "user.create",
    "user.invite",
    "user.update",
    "user.department",
    "user.roles",
    "user.deactivate",
    "user.reactivate",
    # Assignment rules (coordinators and administrators)
    "assignment_rule.create",
    "assignment_rule.update",
    "assignment_rule.end",
    # Certificates
    "certificate.revoked",
    "certificate.reissued",
    # Tests: extra time
    "test_accommodation_set",
    # Learning plans: a department's time, the experiment
    "department.plan_time",
    "plan_experiment.start",
    "plan_experiment.stop",
    # Sessions: plan, change, mark attendance, cancel
    "live_session.create",
    "live_session.edit",
    "live_session.attendance",
    "live_session.cancel",
    # Forum moderation
    "forum_post.hide",
    "forum_post.restore",
    "forum_thread.pin",
    "forum_thread.lock",
    "forum_report.resolve",
    # xAPI dead letters sent again
    "xapi.retry",
    # Exports of personal data, of the audit log itself
    "report.export",
    "report.export",
    # Erasing a person
    "user.erase",
]


@pytest.fixture
def app_config() -> dict:
    return {"LMS_ERASURE_VACUUM": False}  # the suite's shared database (see test_erasure.py)


def _admin_client(app):
    from lms.demo import DEMO_PASSWORD
    from tests.conftest import csrf_token

    client = app.test_client()
    token = csrf_token(client)
    sent = client.post("/login", data={"login": "admin", "password": DEMO_PASSWORD,
                                       "csrf_token": token})  # fmt: skip
    assert sent.status_code == 302
    return client


def _one(model, *where):
    return db.session.scalars(select(model).where(*where)).first()


def test_every_administrative_action_is_in_the_audit_log(app, rich_person):
    with app.app_context():
        admin_id = _one(User, User.username == "admin").id
        start = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
    client = _admin_client(app)

    def post(url, data, page=None):
        response = post_form(client, url, data, page=page or url)
        assert response.status_code == 302, (url, response.get_data(as_text=True)[:3000])
        return response

    # Organisations and departments.
    post("/admin/organisations/new", {"name": "Alveringem", "level": "municipality"})
    with app.app_context():
        org = _one(Organisation, Organisation.name == "Alveringem")
        org_id = org.id
    post(f"/admin/organisations/{org_id}", {"name": "Alveringem", "level": "municipality"})
    post(f"/admin/organisations/{org_id}/departments", {"department-name": "Onthaal"},
         page=f"/admin/organisations/{org_id}")  # fmt: skip
    with app.app_context():
        department_id = _one(Department, Department.organisation_id == org_id).id
    post(f"/admin/departments/{department_id}", {"name": "Burgerzaken"})
    # People.
    person = {"full_name": "Kim Claes", "email": "kim@alveringem.be", "username": "",
              "organisation": str(org_id), "department": "", "preferred_language": "nl",
              "roles": ["learner"], "send_invitation": "y"}  # fmt: skip
    post("/admin/people/new", person)
    with app.app_context():
        kim_id = _one(User, User.email == "kim@alveringem.be").id
    post(f"/admin/people/{kim_id}", {**person, "full_name": "Kim Claes-Smet",
         "department": str(department_id), "roles": ["learner", "trainer"]})  # fmt: skip
    post(f"/admin/people/{kim_id}/deactivate", {}, page=f"/admin/people/{kim_id}")
    post(f"/admin/people/{kim_id}/reactivate", {}, page=f"/admin/people/{kim_id}")
    # An assignment rule for Alveringem.
    post("/progress/rules/new", {"course": "connectoo", "organisation": str(org_id),
         "target": "organisation", "mandatory": "mandatory", "due_kind": "none"})  # fmt: skip
    with app.app_context():
        rule_id = _one(AssignmentRule, AssignmentRule.organisation_id == org_id).id
    post(f"/progress/rules/{rule_id}", {"mandatory": "voluntary", "due_kind": "none"})
    post(f"/progress/rules/{rule_id}/end", {})
    # Certificates: revoke one, re-issue another.
    with app.app_context():
        codes = list(db.session.scalars(select(Certificate.code).order_by(Certificate.id)))
    post(f"/certificates/{codes[0]}/revoke", {"reason": "Fraude bij de test"},
         page=f"/certificates/{codes[0]}")  # fmt: skip
    post(f"/certificates/{codes[1]}/reissue", {}, page=f"/certificates/{codes[1]}")
    # The rest through the services the pages call.
    with app.app_context():
        session = db.session
        admin = session.get(User, admin_id)
        zoe = session.get(User, rich_person.user_id)
        set_accommodation(session, zoe, actor=admin, extra_time_percent=25)
        from datetime import time

        set_department_time(session, zoe.department, weekdays=("MO",), start_time=time(9),
                            duration_minutes=30, actor=admin)  # fmt: skip
        start_experiment(session, 0.5, actor=admin)
        stop_experiment(session, actor=admin)
        plus = get_course_def(session, "connectoo-plus")
        access = live_access(session, admin, plus, plus.activities_by_id["p1-webinar-1"])
        links = SessionLinks(activity_url="http://x/a", ics_url="http://x/i")
        begin = utcnow() + timedelta(days=20)
        live = schedule(session, access, starts_at=begin, ends_at=begin + timedelta(hours=1))
        edit(session, access, live, starts_at=begin, ends_at=begin + timedelta(hours=2),
             place="Zaal 1", link=None, capacity=None, links=links)  # fmt: skip
        mark_attended(session, access, live, [zoe], at=begin + timedelta(minutes=5))
        cancel(session, access, live, reason="Ziek", links=links)
        connectoo = get_course_def(session, "connectoo")
        forum = forum_access(session, admin, connectoo, connectoo.activities_by_id["m1-forum"])
        post_ = session.scalars(select(ForumPost).where(ForumPost.author_id == zoe.id)).first()
        set_hidden(session, forum, post_, True)
        set_hidden(session, forum, post_, False)
        thread = session.get(ForumThread, post_.thread_id)
        set_thread_flag(session, forum, thread, "pinned", True)
        set_thread_flag(session, forum, thread, "locked", True)
        resolve_report(session, admin, session.scalars(select(ForumReport)).first())
        session.commit()
    post("/admin/xapi/retry", {"all": "1"}, page="/admin/xapi/")
    # Exports, and the erasure of a person.
    assert client.get("/progress/people", query_string={"format": "csv"}).status_code == 200
    assert client.get("/admin/audit/", query_string={"format": "xlsx"}).status_code == 200
    post(f"/admin/people/{kim_id}/erase", {"confirm": "y"})

    with app.app_context():
        entries = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > start).order_by(AuditEvent.id)
        ).all()
    recorded = [e.action for e in entries if e.action not in ("user.login",)]
    assert recorded == EXPECTED
    # Each names who did it.
    assert all(e.actor_id == admin_id for e in entries if e.action != "user.login")
