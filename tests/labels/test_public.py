"""The public pages of the labels (no login): labelled counters per municipality in plain
words, never a person's name and never a head count; each label's code verifies it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select

from lms.core.db import db
from lms.labels.models import CounterLabel
from tests.labels.test_labels import SECTIONS, run
from tests.reporting.conftest import department

DAY = date(2026, 3, 2)


@pytest.fixture
def places(app, make_organisation, make_user, report_course, progress):
    """Veurne's Onthaal (4 of 5 certified) and the Sociaal huis of its agency (3 of 3) hold
    the label; Koksijde's Onthaal held it and lost it; Nieuwpoort never had it."""
    veurne = make_organisation("Veurne", ("Onthaal",))
    agency = make_organisation("OCMW Veurne", ("Sociaal huis",), level="agency", parent=veurne)
    koksijde = make_organisation("Koksijde", ("Onthaal",))
    nieuwpoort = make_organisation("Nieuwpoort", ("Onthaal",))
    names = []

    def staff(org, dept, total, certified):
        for n in range(total):
            person = make_user(
                name=f"{org.name} Persoon {n}",
                organisation=org,
                department=department(app, org, dept),
            )
            names.append(person.full_name)
            if n < certified:
                progress(person, report_course, SECTIONS)

    staff(veurne, "Onthaal", 5, 4)
    staff(agency, "Sociaal huis", 3, 3)
    staff(koksijde, "Onthaal", 3, 3)
    staff(nieuwpoort, "Onthaal", 4, 1)
    names.append(
        make_user(name="Coordinator Veurne", manages=[veurne], roles=("manager",)).full_name
    )
    run(app, DAY)
    # Koksijde's counter gets a newcomer, is warned and loses the label after 60 days.
    make_user(
        name="Koksijde Nieuw",
        organisation=koksijde,
        department=department(app, koksijde, "Onthaal"),
    )
    names.append("Koksijde Nieuw")
    run(app, DAY + timedelta(days=1))
    run(app, DAY + timedelta(days=61))
    with app.app_context():
        codes = {
            label.department.organisation.name: label
            for label in db.session.scalars(select(CounterLabel))
        }
    return codes, names


def _text(html: str) -> str:
    """The words of the page's main part (or of a piece of a page), without tags."""
    if "<main" in html:
        html = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_list_shows_counters_per_municipality_without_people_or_head_counts(client, places):
    codes, names = places
    response = client.get("/labels/", headers={"Accept-Language": "en"})
    assert response.status_code == 200  # no login
    html = response.get_data(as_text=True)
    listing = html.split('id="label-list"', 1)[1].split("What does the label mean?", 1)[0]
    text = _text(html)
    assert "Veurne" in text and "OCMW Veurne: Sociaal huis" in text
    assert codes["Veurne"].display_code in text and codes["OCMW Veurne"].display_code in text
    # The agency's counter is listed under its municipality; lost and never-held are not.
    assert "Koksijde" not in listing and "Nieuwpoort" not in listing
    assert re.findall(r"<h2>([^<]+)</h2>", listing) == ["Veurne"]
    assert listing.count("<li data-code=") == 2
    # Never a person's name.
    for name in names:
        assert name not in html
    # No head count: once the place names, the dates and the codes are taken out, the list
    # holds no number at all.
    items = _text(listing)
    for label in codes.values():
        items = items.replace(label.display_code, "")
    items = items.replace(format_date(DAY, "long", locale="en"), "")
    assert not re.search(r"\d", items), items


def test_searching_a_municipality(client, places):
    html = client.get("/labels/?q=veur", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "OCMW Veurne" in html
    html = client.get("/labels/?q=Brugge", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "We found no labelled counter in a place called “Brugge”" in html


def test_a_code_verifies_the_label_and_says_when_it_was_withdrawn(client, places):
    codes, names = places
    held = codes["Veurne"]
    page = client.get(f"/labels/verify?code={held.code.lower()}", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-status="held"' in html
    assert "This counter carries the label" in html and "Onthaal" in html and "Veurne" in html
    assert page.headers["X-Robots-Tag"] == "noindex"
    lost = codes["Koksijde"]
    html = client.get(
        f"/labels/verify?code={lost.display_code}", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert 'data-status="withdrawn"' in html and "Withdrawn on" in html
    for name in names:
        assert name not in html
    html = client.get(
        "/labels/verify?code=AAAA-BBBB-CCCC", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert 'data-status="unknown"' in html
    html = client.get("/labels/verify?code=hello", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "A verification code has 12 letters and digits" in html
    assert "data-status" not in html
