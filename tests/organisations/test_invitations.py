"""Invitations: people created without a password get an e-mail in their language with a
link to choose one; coordinators see who has not accepted yet and send it again."""

from __future__ import annotations

import io
import re

import pytest
from flask import url_for
from flask_babel import force_locale
from sqlalchemy import select

from lms.accounts.models import User
from lms.core.audit import AuditEvent
from lms.core.db import db
from lms.mail.models import OutgoingMail
from tests.conftest import csrf_token, login, post_form

NEW_PASSWORD = "mijn eigen lange zin"
LINK_RE = re.compile(r"http://127\.0\.0\.1(/invitation/[A-Za-z0-9_-]+)")

CSV = """full_name,email,organisation,department,roles,language
Els Peeters,els@depanne.be,De Panne,Onthaal,learner,nl
Sophie Dubois,sophie@depanne.be,De Panne,,learner,fr
Jan Zonder,,De Panne,,learner,nl
"""


def _mails(app) -> list[OutgoingMail]:
    with app.app_context():
        return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def _link(mail) -> str:
    match = LINK_RE.search(mail.body)
    assert match, mail.body
    return match.group(1)


def _accept(client, path, password=NEW_PASSWORD):
    return client.post(
        path,
        data={
            "new_password": password,
            "confirm_password": password,
            "csrf_token": csrf_token(client, "/password/forgot"),
        },
    )


def test_an_imported_person_accepts_the_invitation_and_logs_in(app, tmp_path, make_organisation):
    make_organisation("De Panne")
    csv_file = tmp_path / "people.csv"
    text = (
        CSV.replace("full_name,email,", "full_name,email,username,")
        .replace("depanne.be,", "depanne.be,,")
        .replace("Jan Zonder,,", "Jan Zonder,,jan.zonder,")
    )
    csv_file.write_text(text, encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=["lms", "users", "import", "--invite", str(csv_file)]
    )
    assert result.exit_code == 0, result.output
    assert "Invitations queued for 2" in result.output
    assert "jan.zonder" in result.output  # told that Jan has no e-mail address
    els, sophie = _mails(app)
    assert els.recipient == "els@depanne.be" and els.language == "nl"
    assert sophie.recipient == "sophie@depanne.be" and sophie.language == "fr"
    assert "Sophie Dubois" in sophie.body and "De Panne" in sophie.body
    with app.app_context():
        assert (
            db.session.scalars(select(User).where(User.email == "els@depanne.be"))
            .one()
            .password_hash
            is None
        )

    browser = app.test_client()
    path = _link(els)
    page = browser.get(path)
    assert page.status_code == 200 and "Els Peeters" in page.get_data(as_text=True)
    response = _accept(browser, path)
    assert response.status_code == 302
    with app.test_request_context():
        assert response.headers["Location"] == url_for("lms.learning.my_learning")
    assert browser.get("/profile").status_code == 200
    # And the next day, with the password: an ordinary login.
    later = app.test_client()
    assert (
        post_form(
            later, "/login", {"login": "els@depanne.be", "password": NEW_PASSWORD}
        ).status_code
        == 302
    )
    # The invitation works once.
    assert app.test_client().get(path).status_code == 410
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action)))
        assert actions.count("user.invite") == 2 and "user.invitation_accepted" in actions


def test_import_without_invite_sends_nothing(app, tmp_path, make_organisation):
    make_organisation("De Panne")
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(CSV.replace("Jan Zonder,,", "Jan Zonder,jan@depanne.be,"), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["lms", "users", "import", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert _mails(app) == []


def test_users_create_invite_and_users_invite(app, make_user):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "lms",
            "users",
            "create",
            "--name",
            "Ann Fr",
            "--email",
            "ann@example.be",
            "--language",
            "fr",
            "--invite",
        ]
    )
    assert result.exit_code == 0, result.output
    (mail,) = _mails(app)
    assert mail.language == "fr" and mail.recipient == "ann@example.be"
    # Again, by address: a new link, the old one dies.
    result = runner.invoke(args=["lms", "users", "invite", "ann@example.be"])
    assert result.exit_code == 0, result.output
    first, second = _mails(app)
    assert app.test_client().get(_link(first)).status_code == 410
    assert app.test_client().get(_link(second)).status_code == 200
    # --all-pending skips people with an open invitation and people with a password.
    runner.invoke(
        args=["lms", "users", "create", "--name", "Bo", "--email", "bo@example.be", "--invite"]
    )
    with app.app_context():
        from lms.accounts.services import create_user

        create_user(db.session, full_name="Cor", email="cor@example.be")
        db.session.commit()
    make_user(email="has.password@example.be")
    before = len(_mails(app))
    result = runner.invoke(args=["lms", "users", "invite", "--all-pending"])
    assert result.exit_code == 0, result.output
    assert [m.recipient for m in _mails(app)[before:]] == ["cor@example.be"]


def test_inviting_someone_with_a_password_is_refused_and_sends_nothing(app, make_user):
    person = make_user(email="known@example.be")
    result = app.test_cli_runner().invoke(args=["lms", "users", "invite", person.email])
    assert result.exit_code == 1
    assert "already has a password" in result.output
    assert _mails(app) == []


def test_the_admin_form_sends_an_invitation(app, client, make_user):
    admin = make_user(roles=("admin",))
    login(client, admin)
    response = post_form(
        client,
        "/admin/people/new",
        {
            "full_name": "Nieuwe Collega",
            "email": "nieuw@example.be",
            "preferred_language": "de",
            "roles": ["learner"],
            "send_invitation": "y",
        },
        page="/admin/people/new",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    (mail,) = _mails(app)
    assert mail.recipient == "nieuw@example.be" and mail.language == "de"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "nieuw@example.be" in page


def test_the_admin_form_without_the_box_sends_nothing(app, client, make_user):
    login(client, make_user(roles=("admin",)))
    response = post_form(
        client,
        "/admin/people/new",
        {
            "full_name": "Stille Collega",
            "email": "stil@example.be",
            "preferred_language": "nl",
            "roles": ["learner"],
        },
        page="/admin/people/new",
    )
    assert response.status_code == 302
    assert _mails(app) == []


@pytest.fixture
def two_organisations(app, make_organisation, make_user):
    panne, koksijde = make_organisation("De Panne"), make_organisation("Koksijde")
    coordinator = make_user(roles=("learner", "manager"), organisation=panne, manages=[panne])
    with app.app_context():
        from lms.accounts.services import create_user

        ours = create_user(
            db.session,
            full_name="Ons Lid",
            email="ons@depanne.be",
            organisation=db.session.merge(panne),
        )
        theirs = create_user(
            db.session,
            full_name="Hun Lid",
            email="hun@koksijde.be",
            organisation=db.session.merge(koksijde),
        )
        db.session.commit()
        return coordinator, ours.id, theirs.id


def test_a_coordinator_sees_and_resends_invitations_of_their_people_only(
    app, client, two_organisations
):
    coordinator, ours, theirs = two_organisations
    login(client, coordinator)
    listing = client.get("/organisation/people").get_data(as_text=True)
    assert "Ons Lid" in listing and "Hun Lid" not in listing
    response = post_form(
        client, f"/organisation/people/{ours}/invite", {}, page="/organisation/people"
    )
    assert response.status_code == 302
    (mail,) = _mails(app)
    assert mail.recipient == "ons@depanne.be"
    listing = client.get("/organisation/people").get_data(as_text=True)
    row = listing[listing.index("Ons Lid") :]
    row = row[: row.index("</tr>")]
    with app.test_request_context(), force_locale(coordinator.preferred_language):
        from lms.organisations.invitations import invitation_states

        state = invitation_states(db.session, [db.session.get(User, ours)])[ours]
    assert state.expires in row and not state.expired
    assert client.get(f"/organisation/people/{ours}").status_code == 200
    # Another organisation's person: 404, and nothing sent.
    other = post_form(
        client, f"/organisation/people/{theirs}/invite", {}, page="/organisation/people"
    )
    assert other.status_code == 404
    assert len(_mails(app)) == 1


def test_an_expired_invitation_is_shown_and_refused(app, client, two_organisations):
    app.config["LMS_INVITATION_DAYS"] = -1
    coordinator, ours, _ = two_organisations
    login(client, coordinator)
    post_form(client, f"/organisation/people/{ours}/invite", {}, page="/organisation/people")
    path = _link(_mails(app)[0])
    assert "Uitnodiging verlopen" in client.get("/organisation/people").get_data(as_text=True) or (
        "Invitation expired" in client.get("/organisation/people").get_data(as_text=True)
    )
    refused = _accept(app.test_client(), path)
    assert refused.status_code == 410
    with app.app_context():
        assert db.session.get(User, ours).password_hash is None


def _upload(client, organisation_id, text, invite=True):
    data = {
        "organisation": str(organisation_id),
        "file": (io.BytesIO(text.encode()), "people.csv"),
        "csrf_token": csrf_token(client, "/organisation/people/import"),
    }
    if invite:
        data["invite"] = "y"
    return client.post("/organisation/people/import", data=data, content_type="multipart/form-data")


TWO = """full_name,email,language
Lotte Claes,lotte@depanne.be,nl
Marie Leroy,marie@depanne.be,fr
"""


def test_a_coordinator_imports_people_with_invitations(app, client, two_organisations):
    coordinator, _, _ = two_organisations
    login(client, coordinator)
    with app.app_context():
        panne = db.session.get(User, coordinator.id).managed_organisation_ids.pop()
    response = _upload(client, panne, TWO)
    assert response.status_code == 302, response.get_data(as_text=True)
    mails = _mails(app)
    assert [(m.recipient, m.language) for m in mails] == [
        ("lotte@depanne.be", "nl"),
        ("marie@depanne.be", "fr"),
    ]
    with app.app_context():
        lotte = db.session.scalars(select(User).where(User.email == "lotte@depanne.be")).one()
        assert lotte.organisation_id == panne and lotte.roles == {"learner"}
    assert _accept(app.test_client(), _link(mails[0])).status_code == 302


def test_a_coordinator_cannot_import_into_another_organisation_or_give_roles(
    app, client, two_organisations
):
    coordinator, _, theirs = two_organisations
    login(client, coordinator)
    with app.app_context():
        panne = db.session.get(User, coordinator.id).managed_organisation_ids.pop()
        koksijde = db.session.get(User, theirs).organisation_id
    # Not one of theirs: the choice is refused.
    assert _upload(client, koksijde, TWO).status_code == 422
    # A row naming another organisation, and a row asking for a role: nobody is added.
    bad = "full_name,email,organisation,roles\nA B,ab@x.be,Koksijde,learner\nC D,cd@x.be,,admin\n"
    response = _upload(client, panne, bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "rij 2" in html or "row 2" in html
    assert "rij 3" in html or "row 3" in html
    assert _mails(app) == []
    with app.app_context():
        assert db.session.scalars(select(User).where(User.email == "ab@x.be")).first() is None
