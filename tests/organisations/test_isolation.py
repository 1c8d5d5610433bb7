"""A coordinator of De Panne sees De Panne's people, and nobody else's, by any URL."""

from __future__ import annotations

import pytest

from tests.conftest import login


@pytest.fixture
def two_municipalities(make_organisation, make_user):
    de_panne = make_organisation("De Panne")
    koksijde = make_organisation("Koksijde")
    people = {
        "manager": make_user(name="An Vermeulen", organisation=de_panne, manages=[de_panne]),
        "els": make_user(name="Els Peeters", organisation=de_panne),
        "pieter": make_user(name="Pieter Maes", organisation=koksijde),
        "koksijde_manager": make_user(
            name="Bart Wouters", organisation=koksijde, manages=[koksijde]
        ),
    }
    return de_panne, koksijde, people


def test_manager_cannot_open_admin_pages(app, client, two_municipalities):
    _, koksijde, people = two_municipalities
    login(client, people["manager"])
    admin_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("lms.admin.")]
    assert admin_rules
    for rule in admin_rules:
        values = {
            arg: koksijde.id if arg == "organisation_id" else people["pieter"].id
            for arg in rule.arguments
        }
        url = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method, data={})
            # POSTs without a token stop at the CSRF check (400); everything else is 403.
            assert response.status_code in ({403} if method == "GET" else {400, 403}), url


def test_manager_sees_only_their_organisations_people(client, two_municipalities):
    _, koksijde, people = two_municipalities
    login(client, people["manager"])
    html = client.get("/organisation/people").get_data(as_text=True)
    assert "Els Peeters" in html and "An Vermeulen" in html
    assert "Pieter Maes" not in html and "Bart Wouters" not in html
    # Filtering on the other organisation shows nobody.
    html = client.get(f"/organisation/people?organisation={koksijde.id}").get_data(as_text=True)
    assert "Pieter Maes" not in html
    html = client.get("/organisation/people?q=Pieter").get_data(as_text=True)
    assert "Pieter Maes" not in html
    # A direct link to a Koksijde person is "not found", not "forbidden".
    assert client.get(f"/organisation/people/{people['pieter'].id}").status_code == 404
    assert client.get(f"/organisation/people/{people['els'].id}").status_code == 200


def test_every_person_url_is_scoped(app, client, two_municipalities):
    """Probe every LMS route that takes a person id with a Koksijde person's id."""
    _, _, people = two_municipalities
    login(client, people["manager"])
    probed = 0
    for rule in app.url_map.iter_rules():
        if "user_id" not in rule.arguments or "GET" not in rule.methods:
            continue
        url = rule.build({"user_id": people["pieter"].id}, append_unknown=False)[1]
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert "Pieter Maes" not in response.get_data(as_text=True)
        probed += 1
    assert probed >= 2


def test_learner_cannot_open_coordinator_pages(client, two_municipalities):
    _, _, people = two_municipalities
    login(client, people["els"])
    assert client.get("/organisation/people").status_code == 403


def test_admin_sees_everyone(client, make_user, two_municipalities):
    login(client, make_user(roles=("admin",)))
    html = client.get("/admin/people").get_data(as_text=True)
    assert "Pieter Maes" in html and "Els Peeters" in html
