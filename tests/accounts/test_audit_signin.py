"""Sign-ins, failed sign-ins and role changes are written to the audit trail."""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.services import RoleSpec, set_roles
from lms.core.audit import AuditEvent
from lms.core.db import db
from tests.conftest import PASSWORD, post_form


def _events(app, action):
    with app.app_context():
        return [
            (e.target_id, e.actor_id, e.details.get("address"))
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        ]


def _login(app, name, password):
    return post_form(
        app.test_client(),
        "/login",
        {"login": name, "password": password},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )


def test_sign_ins_and_failures_are_recorded(app, make_user):
    person = make_user()
    assert _login(app, person.email, PASSWORD).status_code == 302
    assert _login(app, person.email, "wrong password").status_code == 422
    assert _login(app, "nobody@example.be", PASSWORD).status_code == 422
    assert _events(app, "user.login") == [(person.id, person.id, "192.0.2.7")]
    assert _events(app, "user.login_failed") == [
        (person.id, None, "192.0.2.7"),
        (None, None, "192.0.2.7"),
    ]


def test_role_changes_are_recorded(app, make_user):
    admin, person = make_user(roles=("admin",)), make_user()
    with app.app_context():
        set_roles(
            db.session,
            db.session.get(User, person.id),
            [RoleSpec("learner"), RoleSpec("trainer")],
            actor=db.session.get(User, admin.id),
        )
        db.session.commit()
    assert _events(app, "user.roles") == [(person.id, admin.id, None)]
