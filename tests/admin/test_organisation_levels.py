"""Organisations have a level and may be part of another one (an agency of a municipality, a
municipality in a province); the administrator sets both, and levels that do not fit, or
circles, are refused with a clear message, never a 500."""

from __future__ import annotations

from sqlalchemy import select

from lms.core.audit import AuditEvent
from lms.core.db import db
from lms.organisations.models import Organisation
from tests.conftest import csrf_token, login


def _post(client, url: str, **data):
    token = csrf_token(client, "/admin/organisations/new")
    return client.post(url, data={"csrf_token": token, **data}, headers={"Accept-Language": "en"})


def _org(app, name: str) -> Organisation:
    with app.app_context():
        return db.session.scalars(select(Organisation).where(Organisation.name == name)).one()


def test_an_agency_is_part_of_its_municipality_and_the_municipality_of_its_province(
    app, client, make_user, make_organisation
):
    province = make_organisation("West-Vlaanderen", (), level="province")
    town = make_organisation("De Panne", ())
    login(client, make_user(roles=("admin",), language="en"))
    response = _post(
        client, "/admin/organisations/new", name="OCMW De Panne", level="agency", parent=town.id
    )
    assert response.status_code == 302
    agency = _org(app, "OCMW De Panne")
    assert (agency.level, agency.parent_id) == ("agency", town.id)
    response = _post(
        client,
        f"/admin/organisations/{town.id}",
        name="De Panne",
        level="municipality",
        parent=province.id,
    )
    assert response.status_code == 302
    assert _org(app, "De Panne").parent_id == province.id
    page = client.get(f"/admin/organisations/{town.id}").get_data(as_text=True)
    assert f'<option selected value="{province.id}">' in page or (
        f'value="{province.id}" selected' in page
    )
    listing = client.get("/admin/organisations", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Province" in listing and "Agency" in listing
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "organisation.update")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert event.details["parent_id"] == province.id


def test_levels_that_do_not_fit_and_circles_are_refused(app, client, make_user, make_organisation):
    town = make_organisation("De Panne", ())
    agency = make_organisation("OCMW De Panne", (), level="agency", parent=town)
    login(client, make_user(roles=("admin",), language="en"))
    # A municipality cannot be part of an agency.
    response = _post(
        client, "/admin/organisations/new", name="Veurne", level="municipality", parent=agency.id
    )
    assert response.status_code == 422
    assert "cannot be part of OCMW De Panne" in response.get_data(as_text=True)
    # De Panne inside its own agency: a circle (and a level that does not fit either).
    response = _post(
        client,
        f"/admin/organisations/{town.id}",
        name="De Panne",
        level="other",
        parent=agency.id,
    )
    assert response.status_code == 422
    assert "cannot be part of itself or of one of its own parts" in response.get_data(as_text=True)
    # De Panne as "other": its agency can no longer be part of it.
    response = _post(client, f"/admin/organisations/{town.id}", name="De Panne", level="other")
    assert response.status_code == 422
    assert "OCMW De Panne cannot be part of an organisation of this level" in response.get_data(
        as_text=True
    )
    # Itself, an unknown id, a word: not a choice.
    for parent in (town.id, 999999, "abc"):
        response = _post(
            client, f"/admin/organisations/{town.id}", name="De Panne", level="municipality",
            parent=parent,
        )  # fmt: skip
        assert response.status_code == 422, parent
    # Nothing changed.
    assert (_org(app, "De Panne").level, _org(app, "De Panne").parent_id) == ("municipality", None)
    assert _org(app, "OCMW De Panne").parent_id == town.id
