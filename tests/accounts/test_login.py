"""Logging in and out, deactivation, the profile and passwords."""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.services import deactivate_user, move_user, reactivate_user
from lms.core.audit import AuditEvent
from lms.core.db import db
from tests.conftest import PASSWORD, csrf_token, login, post_form


def _login(client, identifier, password=PASSWORD):
    return post_form(client, "/login", {"login": identifier, "password": password})


def test_login_by_email_or_username_case_insensitively(app, client):
    from lms.accounts.services import create_user

    with app.app_context():
        create_user(
            db.session,
            full_name="Lucas Martin",
            email="Lucas.Martin@Koksijde.be",
            username="LMartin",
            password=PASSWORD,
        )
        db.session.commit()
    assert _login(client, "lucas.martin@koksijde.BE").status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert _login(client, "lmartin").status_code == 302


def test_wrong_password_and_unknown_account_get_the_same_answer(client, make_user):
    user = make_user()
    wrong_password = _login(client, user.login_name, "not-the-password")
    unknown = _login(client, "nobody@example.be", "not-the-password")
    assert wrong_password.status_code == unknown.status_code == 422

    def message(response):
        html = response.get_data(as_text=True)
        return html.split('role="alert"')[1].split("</div>")[0]

    assert message(wrong_password) == message(unknown)
    assert "nobody@example.be" in unknown.get_data(as_text=True)  # the field keeps its value
    assert "not-the-password" not in unknown.get_data(as_text=True)  # the password does not


def test_empty_login_form_lists_each_problem(client):
    response = post_form(client, "/login", {"login": "", "password": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#login"' in html and 'href="#password"' in html  # error summary links
    assert 'aria-invalid="true"' in html


def test_deactivated_person_cannot_log_in_and_keeps_history(app, client, make_user):
    user = make_user()
    with app.app_context():
        deactivate_user(db.session, db.session.get(User, user.id))
        db.session.commit()
    assert _login(client, user.login_name).status_code == 422
    with app.app_context():
        person = db.session.get(User, user.id)
        assert person is not None and person.active is False and person.deactivated_at
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.target_id == user.id)
        ).all()
        assert "user.deactivate" in actions
        reactivate_user(db.session, person)
        db.session.commit()
    assert _login(client, user.login_name).status_code == 302


def test_deactivation_logs_out_a_logged_in_person(app, client, make_user):
    user = make_user()
    login(client, user)
    assert client.get("/").status_code == 200
    with app.app_context():
        deactivate_user(db.session, db.session.get(User, user.id))
        db.session.commit()
    assert client.get("/").status_code == 302


def test_mover_changes_organisation_and_keeps_records(app, make_user, make_organisation):
    de_panne = make_organisation("De Panne")
    koksijde = make_organisation("Koksijde")
    user = make_user(organisation=de_panne)
    with app.app_context():
        person = db.session.get(User, user.id)
        public_id = person.public_id
        dept = next(d for d in db.session.merge(koksijde).departments if d.name == "Onthaal")
        move_user(db.session, person, db.session.merge(koksijde), dept)
        db.session.commit()
    with app.app_context():
        person = db.session.get(User, user.id)
        assert person.organisation.name == "Koksijde" and person.department.name == "Onthaal"
        assert person.public_id == public_id  # the same person, records keyed by them stay
        move = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.move")).one()
        assert move.details == {
            "old_organisation_id": de_panne.id,
            "new_organisation_id": koksijde.id,
        }


def test_profile_change_and_password_rules(app, client, make_user):
    user = make_user(name="Tom Declercq", email="tom@example.be")
    login(client, user)
    token = csrf_token(client, "/profile")
    response = client.post(
        "/profile",
        data={
            "csrf_token": token,
            "profile-full_name": "Tom De Clercq",
            "profile-email": "tom@example.be",
            "profile-preferred_language": "fr",
        },
    )
    assert response.status_code == 302
    page = client.get("/profile").get_data(as_text=True)
    assert '<html lang="fr">' in page and "Tom De Clercq" in page

    too_short = client.post(
        "/profile/password",
        data={
            "csrf_token": token,
            "password-current_password": PASSWORD,
            "password-new_password": "kort",
            "password-confirm_password": "kort",
        },
    )
    assert too_short.status_code == 422
    assert "10" in too_short.get_data(as_text=True)
    wrong_current = client.post(
        "/profile/password",
        data={
            "csrf_token": token,
            "password-current_password": "nope-nope-nope",
            "password-new_password": "een lange zin als wachtwoord",
            "password-confirm_password": "een lange zin als wachtwoord",
        },
    )
    assert wrong_current.status_code == 422
    ok = client.post(
        "/profile/password",
        data={
            "csrf_token": token,
            "password-current_password": PASSWORD,
            "password-new_password": "een lange zin als wachtwoord",
            "password-confirm_password": "een lange zin als wachtwoord",
        },
    )
    assert ok.status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).check_password("een lange zin als wachtwoord")


def test_passwords_are_hashed_with_scrypt(app, make_user):
    user = make_user()
    with app.app_context():
        stored = db.session.get(User, user.id).password_hash
    assert stored.startswith("scrypt:") and PASSWORD not in stored
