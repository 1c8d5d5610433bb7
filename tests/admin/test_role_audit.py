"""Every change of a person's roles is in the audit trail: who changed whose roles, from what
to what. Saving the person's page without changing roles records no role change."""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import User
from lms.core.audit import AuditEvent
from lms.core.db import db
from tests.conftest import csrf_token, login


def _save(client, person, roles, managed=()):
    return client.post(
        f"/admin/people/{person.id}",
        data={
            "csrf_token": csrf_token(client, f"/admin/people/{person.id}"),
            "full_name": person.full_name,
            "email": person.email,
            "preferred_language": "nl",
            "roles": list(roles),
            "managed_organisations": [str(o) for o in managed],
        },
    )


def _role_events(app, person):
    with app.app_context():
        return [
            (e.actor_id, e.details["old"], e.details["roles"])
            for e in db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "user.roles", AuditEvent.target_id == person.id)
                .order_by(AuditEvent.id)
            )
        ]


def test_role_changes_are_recorded_with_before_and_after(app, client, make_user, make_organisation):
    org = make_organisation("De Panne")
    admin = make_user(roles=("admin",))
    person = make_user(roles=("learner",), organisation=org)
    login(client, admin)

    assert _save(client, person, ["learner", "trainer"], managed=[org.id]).status_code == 302
    assert _save(client, person, ["learner", "trainer"], managed=[org.id]).status_code == 302
    assert _save(client, person, ["learner"]).status_code == 302

    with app.app_context():  # the form had no organisation field: the person stays put
        assert db.session.get(User, person.id).organisation_id == org.id
    assert _role_events(app, person) == [
        (admin.id, ["learner"], sorted(["learner", "trainer", f"manager:{org.id}"])),
        (admin.id, sorted(["learner", "trainer", f"manager:{org.id}"]), ["learner"]),
    ]
