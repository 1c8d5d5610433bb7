"""Single sign-on settings and the password rules around them (no provider needed, so these
run on SQLite and PostgreSQL): the administrator links an organisation to a provider with
its e-mail domains; local passwords can be switched off for its people, and then the login
and "forgot password" pages point to the organisation's sign-in, decided by the address typed
alone (no account enumeration)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms.core.audit import AuditEvent
from lms.core.db import db
from lms.mail.models import OutgoingMail
from lms.organisations.models import Organisation
from lms.sso.models import OrganisationSSO
from lms.sso.services import clean_domains
from tests.conftest import PASSWORD, csrf_token, login, post_form
from tests.sso.conftest import provider_settings

HINT = "Je organisatie meldt je aan"
CSRF_VALUE = re.compile(r'name="csrf_token"\s+value="[^"]*"')
GENERIC = "Er is een probleem"


@pytest.fixture
def app_config():
    return {"LMS_SSO_PROVIDERS": {"gemeente": provider_settings("http://127.0.0.1:9")}}


def _organisation_form(client, organisation_id, **sso):
    page = f"/admin/organisations/{organisation_id}"
    data = {
        "csrf_token": csrf_token(client, page),
        "name": "Gemeente",
        "level": "municipality",
        "parent": "",
        **sso,
    }
    return client.post(page, data=data)


def test_the_admin_links_an_organisation_to_a_provider(app, client, make_user, make_organisation):
    org = make_organisation("Gemeente")
    login(client, make_user(roles=("admin",)))
    page = client.get(f"/admin/organisations/{org.id}").get_data(as_text=True)
    assert "Gemeente (test)" in page and 'name="sso_domains"' in page
    response = _organisation_form(
        client,
        org.id,
        sso_provider="gemeente",
        sso_domains="Gemeente.be, @ocmw-gemeente.be gemeente.be",
        sso_create_accounts="y",
        sso_passwords_off="y",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        sso = db.session.scalars(select(OrganisationSSO)).one()
        assert (sso.organisation_id, sso.provider) == (org.id, "gemeente")
        assert sso.domain_names == ["gemeente.be", "ocmw-gemeente.be"]
        assert sso.create_accounts and sso.passwords_off
        assert db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "organisation.sso")
        )
    again = client.get(f"/admin/organisations/{org.id}").get_data(as_text=True)
    assert 'value="gemeente.be, ocmw-gemeente.be"' in again
    # "None" switches single sign-on off again.
    assert _organisation_form(client, org.id, sso_provider="").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OrganisationSSO)) == 0


@pytest.mark.parametrize(
    ("sso", "message"),
    [
        ({"sso_provider": "gemeente", "sso_domains": ""}, "minstens één e-maildomein"),
        ({"sso_provider": "gemeente", "sso_domains": "gemeente"}, "is geen domein"),
        ({"sso_provider": "gemeente", "sso_domains": "gem eente.be;x"}, "is geen domein"),
        ({"sso_provider": "unknown", "sso_domains": "gemeente.be"}, "Ongeldige keuze"),
    ],
)
def test_settings_that_cannot_work_are_refused(
    app, client, make_user, make_organisation, sso, message
):
    org = make_organisation("Gemeente")
    login(client, make_user(roles=("admin",)))
    response = _organisation_form(client, org.id, **sso)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OrganisationSSO)) == 0


def test_a_domain_belongs_to_one_organisation(app, client, make_user, make_organisation, sso_org):
    sso_org("Eerste", domains=("gemeente.be",))
    other = make_organisation("Tweede")
    login(client, make_user(roles=("admin",)))
    response = _organisation_form(
        client, other.id, sso_provider="gemeente", sso_domains="gemeente.be"
    )
    assert response.status_code == 422
    assert "gemeente.be hoort al bij een andere organisatie" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Organisation, other.id).name == "Tweede"  # nothing saved


def test_clean_domains():
    assert clean_domains("A.be,\n@b.be  a.be") == ["a.be", "b.be"]


def _log_in(client, login_name, password=PASSWORD):
    return post_form(client, "/login", {"login": login_name, "password": password})


def test_passwords_switched_off_refuse_even_the_right_password(app, client, make_user, sso_org):
    org = sso_org(passwords_off=True)
    person = make_user(email="an@gemeente.be", organisation=org)
    response = _log_in(client, person.login_name)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert HINT in html and "/login/organisation" in html
    assert client.get("/profile").status_code == 302  # not signed in
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "user.login_failed")
        ).one()
        assert (event.target_id, event.details["reason"]) == (person.id, "sso_only")


def test_the_hint_depends_on_the_address_typed_not_on_the_account(app, make_user, sso_org):
    """Known and unknown names at the domain get the same page; a wrong password of such an
    account too. No account is revealed."""
    org = sso_org(passwords_off=True)
    person = make_user(email="an@gemeente.be", organisation=org)
    pages = []
    for name, password in (
        (person.login_name, PASSWORD),
        (person.login_name, "wrong password"),
        ("nobody@gemeente.be", "wrong password"),
    ):
        response = _log_in(app.test_client(), name, password)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        main = html[html.index("<main") :].replace(name, "NAME")
        pages.append(CSRF_VALUE.sub("", main))
    assert pages[0] == pages[1] == pages[2]
    assert HINT in pages[0]


def test_passwords_stay_when_the_organisation_keeps_them(app, client, make_user, sso_org):
    org = sso_org(passwords_off=False)
    person = make_user(email="an@gemeente.be", organisation=org)
    assert _log_in(client, person.login_name).status_code == 302


def test_forgot_password_sends_no_mail_and_points_to_the_organisations_sign_in(
    app, make_user, sso_org
):
    org = sso_org(passwords_off=True)
    person = make_user(email="an@gemeente.be", organisation=org)
    pages = []
    for name in (person.login_name, "nobody@gemeente.be"):
        client = app.test_client()
        response = post_form(client, "/password/forgot", {"login": name}, page="/password/forgot")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        pages.append(html[html.index("<main") :])
    assert pages[0] == pages[1] and HINT in pages[0] and "/login/organisation" in pages[0]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 0


def test_an_address_no_organisation_signs_in_gets_a_clear_message(app, client, sso_org):
    sso_org()
    response = post_form(
        client, "/login/organisation", {"email": "an@elders.be"}, page="/login/organisation"
    )
    assert response.status_code == 422
    assert "@elders.be" in response.get_data(as_text=True)
    bad = post_form(client, "/login/organisation", {"email": "geen adres"}, page="/login")
    assert bad.status_code == 422


def test_the_login_page_offers_the_organisations_sign_in(client):
    html = client.get("/login").get_data(as_text=True)
    assert "/login/organisation" in html


def test_the_start_page_lets_its_form_lead_to_the_providers(client):
    """Browsers block a form whose answer redirects to another site unless the page's
    Content-Security-Policy names it in form-action."""
    policy = client.get("/login/organisation").headers["Content-Security-Policy"]
    assert "form-action 'self' http://127.0.0.1:9;" in policy
    assert client.get("/login").headers["Content-Security-Policy"].count("form-action 'self';")


def test_a_provider_entry_that_cannot_work_gets_a_clear_page(app, client, sso_org):
    sso_org()
    app.config["LMS_SSO_PROVIDERS"] = {"gemeente": {"issuer": "http://127.0.0.1:9"}}
    response = post_form(
        client, "/login/organisation", {"email": "an@gemeente.be"}, page="/login/organisation"
    )
    assert response.status_code == 400
    assert "is niet ingesteld" in response.get_data(as_text=True)
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "user.login_failed")
        ).one()
        assert event.details["reason"] == "not_configured"
        assert "client_secret" in event.details["detail"]


def test_people_whose_organisation_signs_them_in_get_no_invitation(app, client, make_user, sso_org):
    """They need no password: the administrator's "send an invitation" and the import's
    invitations leave them out, with a message, instead of mailing a useless link."""
    from lms.organisations.invitations import InvitationError, invitable, invite
    from lms.organisations.people_import import import_users

    org = sso_org(passwords_off=True)
    login(client, make_user(roles=("admin",)))
    response = client.post(
        "/admin/people/new",
        data={
            "csrf_token": csrf_token(client, "/admin/people/new"),
            "full_name": "Sam Sso",
            "email": "sam@gemeente.be",
            "organisation": str(org.id),
            "preferred_language": "nl",
            "roles": ["learner"],
            "send_invitation": "y",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "heeft geen wachtwoord nodig" in response.get_data(as_text=True)
    with app.test_request_context():
        people = import_users(
            db.session,
            b"full_name,email,organisation\nKim,kim@gemeente.be,Gemeente\n",
        )
        assert not invitable(db.session, people[0])
        with pytest.raises(InvitationError):
            invite(db.session, people[0])
        db.session.commit()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 0
