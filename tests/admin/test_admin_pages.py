"""An administrator manages organisations, departments, people and roles in the browser."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.accounts.models import User
from lms.core.db import db
from lms.organisations.models import Organisation
from tests.conftest import csrf_token, login


def test_admin_creates_an_organisation_with_departments(app, client, make_user):
    login(client, make_user(roles=("admin",)))
    token = csrf_token(client, "/admin/organisations/new")
    response = client.post(
        "/admin/organisations/new",
        data={"csrf_token": token, "name": "Veurne", "level": "municipality"},
    )
    assert response.status_code == 302
    with app.app_context():
        org = db.session.scalars(select(Organisation).where(Organisation.name == "Veurne")).one()
        org_id = org.id
        assert org.slug == "veurne"
    client.post(
        f"/admin/organisations/{org_id}/departments",
        data={"csrf_token": token, "department-name": "Burgerzaken"},
    )
    duplicate = client.post(
        f"/admin/organisations/{org_id}/departments",
        data={"csrf_token": token, "department-name": "burgerzaken"},
    )
    assert duplicate.status_code == 422
    assert "already has a department" in duplicate.get_data(
        as_text=True
    ) or "heeft al een dienst" in duplicate.get_data(as_text=True)
    again = client.post(
        "/admin/organisations/new",
        data={"csrf_token": token, "name": "veurne", "level": "municipality"},
    )
    assert again.status_code == 422
    with app.app_context():
        assert [d.name for d in db.session.get(Organisation, org_id).departments] == ["Burgerzaken"]


def test_admin_adds_a_coordinator_and_deactivates_a_leaver(
    app, client, make_user, make_organisation
):
    admin = make_user(roles=("admin",))
    org = make_organisation("De Panne")
    login(client, admin)
    token = csrf_token(client, "/admin/people/new")
    response = client.post(
        "/admin/people/new",
        data={
            "csrf_token": token,
            "full_name": "An Vermeulen",
            "email": "an@depanne.be",
            "username": "",
            "organisation": str(org.id),
            "department": "",
            "preferred_language": "nl",
            "roles": ["learner"],
            "managed_organisations": [str(org.id)],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        an = db.session.scalars(select(User).where(User.email == "an@depanne.be")).one()
        assert an.roles == {"learner", "manager"} and an.managed_organisation_ids == {org.id}
        an_id = an.id
    taken = client.post(
        "/admin/people/new",
        data={
            "csrf_token": token,
            "full_name": "Someone Else",
            "email": "AN@depanne.be",
            "preferred_language": "nl",
            "roles": ["learner"],
        },
    )
    assert taken.status_code == 422
    assert 'href="#email"' in taken.get_data(as_text=True)
    client.post(f"/admin/people/{an_id}/deactivate", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(User, an_id).active is False
    page = client.get(f"/admin/people/{an_id}").get_data(as_text=True)
    assert f"/admin/people/{an_id}/reactivate" in page


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(app, client, make_user):
    admin = make_user(roles=("admin",), name="Alex Admin")
    login(client, admin)
    token = csrf_token(client, f"/admin/people/{admin.id}")
    response = client.post(
        f"/admin/people/{admin.id}",
        data={
            "csrf_token": token,
            "full_name": "Alex Admin",
            "email": admin.email,
            "preferred_language": "nl",
            "roles": ["learner"],
        },
    )
    assert response.status_code == 422
    client.post(f"/admin/people/{admin.id}/deactivate", data={"csrf_token": token})
    with app.app_context():
        me = db.session.get(User, admin.id)
        assert me.is_admin and me.active


def test_people_list_is_paginated_and_searchable(app, client, make_user, make_organisation):
    org = make_organisation("Koksijde")
    login(client, make_user(roles=("admin",), name="Alex Admin"))
    for i in range(55):
        make_user(name=f"Learner {i:02d}", organisation=org)
    first = client.get("/admin/people").get_data(as_text=True)
    assert "56 people found" in first or "56 personen gevonden" in first
    assert "page=2" in first
    found = client.get("/admin/people?q=learner+07").get_data(as_text=True)
    assert "Learner 07" in found and "Learner 08" not in found


def _checked(html: str, name: str) -> str | None:
    """The value of the checked radio button called ``name``."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and re.search(r"\bchecked\b", tag):
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def test_admin_adds_a_volunteer_and_changes_staff_into_volunteer(
    app, client, make_user, make_organisation
):
    org = make_organisation("De Panne")
    login(client, make_user(roles=("admin",)))
    token = csrf_token(client, "/admin/people/new")
    form = client.get("/admin/people/new").get_data(as_text=True)
    assert _checked(form, "kind") == "staff"
    base = {
        "csrf_token": token,
        "organisation": str(org.id),
        "preferred_language": "nl",
        "roles": ["learner"],
    }
    response = client.post(
        "/admin/people/new",
        data={
            **base,
            "full_name": "Vera Vrijwilliger",
            "email": "vera@example.be",
            "kind": "volunteer",
        },
    )
    assert response.status_code == 302
    bad = client.post(
        "/admin/people/new",
        data={**base, "full_name": "X", "email": "x@example.be", "kind": "intern"},
    )
    assert bad.status_code == 422  # not a choice: a clear error, nothing added
    with app.app_context():
        vera = db.session.scalars(select(User).where(User.email == "vera@example.be")).one()
        assert vera.kind == "volunteer"
        assert db.session.scalars(select(User).where(User.email == "x@example.be")).first() is None
        vera_id = vera.id
    # A staff member becomes a volunteer; a POST without the field leaves it as it is.
    staff = make_user(name="Stijn Staff", email="stijn@example.be", organisation=org)
    edit = {**base, "full_name": "Stijn Staff", "email": "stijn@example.be"}
    assert client.post(f"/admin/people/{staff.id}", data=edit).status_code == 302
    with app.app_context():
        assert db.session.get(User, staff.id).kind == "staff"
    client.post(f"/admin/people/{staff.id}", data={**edit, "kind": "volunteer"})
    with app.app_context():
        assert db.session.get(User, staff.id).kind == "volunteer"
        assert db.session.get(User, vera_id).kind == "volunteer"
    page = client.get(f"/admin/people/{staff.id}").get_data(as_text=True)
    assert _checked(page, "kind") == "volunteer"
