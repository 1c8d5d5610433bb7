"""In a real Chromium, the databank's whole flow in one go (issue 20): search "itsme", filter
on manuals, star one, find it under My favourites; propose a resource, approve it as a
trainer, find it by search. axe-core finds nothing on the databank's pages, in Dutch and in
French, and at 320 px wide."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def axe(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    return [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
    ]


def test_search_star_propose_approve_find(live_server, new_page, live_user):
    base = f"{live_server}/databank"
    learner = live_user(language="nl")
    trainer = live_user(roles=("trainer",), language="fr")
    problems: dict[str, list] = {}

    # Search "itsme", filter on manuals, star one (with JavaScript: no page load).
    page = new_page()
    log_in(page, live_server, learner)
    page.get_by_role("link", name="Databank").first.click()
    page.get_by_label("Zoek op titel of woord").fill("itsme")
    page.get_by_label("Zoek op titel of woord").press("Enter")
    page.wait_for_url(re.compile(r"q=itsme"))
    page.locator("summary", has_text="Filters").click()
    page.get_by_label(re.compile(r"^Handleiding \(\d+\)$")).check()
    page.get_by_role("button", name="Resultaten tonen").click()
    page.wait_for_url(re.compile(r"type=manual"))
    problems["search nl"] = axe(page)
    first = page.locator("table.databank-table tbody tr").first
    title = first.locator("td a").inner_text()
    star = first.locator("button.star-button")
    assert star.get_attribute("aria-pressed") == "false"
    url_before = page.url
    star.click()
    expect(star).to_have_attribute("aria-pressed", "true")
    assert page.url == url_before  # updated in place
    assert first.locator(".star-icon").inner_text() == "★"
    page.get_by_role("link", name="Mijn favorieten").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name=title).count() == 1
    problems["favourites nl"] = axe(page)
    page.get_by_role("link", name=title).click()
    resource_url = page.url
    problems["resource nl"] = axe(page)
    # A list for the digi-café, with this resource.
    page.get_by_role("link", name="Een nieuwe lijst maken").click()
    problems["lists nl"] = axe(page)
    page.get_by_label("Naam van de lijst").fill("Voor het digicafé van woensdag")
    page.get_by_role("button", name="De lijst maken").click()
    page.goto(resource_url)
    page.get_by_role("button", name="Aan de lijst toevoegen").click()
    page.goto(f"{base}/lists")
    page.get_by_role("link", name="Voor het digicafé van woensdag").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name=title).count() == 1
    page.get_by_role("button", name=re.compile("^Delen met mijn collega")).click()
    problems["list nl"] = axe(page)

    # Propose a resource (a link).
    page.goto(f"{base}/propose")
    page.get_by_label("Titel").fill("Oefenblad: mypension.be stap voor stap")
    page.get_by_label("Korte beschrijving").fill("Een oefenblad om je pensioen online te bekijken.")
    page.get_by_label("Link naar het materiaal").fill("https://www.example.be/browser/mypension")
    page.get_by_label("Oefening").check()
    page.get_by_label("Ouderen").check()
    page.get_by_label("Nederlands").check()
    page.get_by_label("mypension.be").check()
    problems["propose nl"] = axe(page)
    page.get_by_role("button", name="Mijn voorstel versturen").click()
    page.wait_for_url(re.compile(r"/databank/my-proposals$"))
    assert "wacht op nazicht" in page.content()
    problems["my proposals nl"] = axe(page)

    # The trainer (in French) approves it.
    reviewer = new_page(language="fr-BE")
    log_in(reviewer, live_server, trainer)
    reviewer.goto(f"{base}/review")
    problems["review fr"] = axe(reviewer)
    reviewer.get_by_role("link", name="Oefenblad: mypension.be stap voor stap").click()
    problems["review item fr"] = axe(reviewer)
    reviewer.get_by_role("button", name="Approuver et publier").click()
    reviewer.wait_for_url(re.compile(r"/databank/review$"))

    # Found by search, by another word form, by a visitor without JavaScript...
    visitor = new_page(javascript=False, language="fr-BE")
    visitor.goto(f"{base}/?q=Oefenblad+pensioenen")
    assert visitor.get_by_role("link", name="Oefenblad: mypension.be stap voor stap").count() == 1
    # ...and on a phone, 320 px wide (axe needs JavaScript to run).
    phone = new_page(width=320, language="fr-BE")
    phone.goto(f"{base}/?q=Oefenblad+pensioenen")
    problems["search fr 320"] = axe(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320
    phone.get_by_role("link", name="Oefenblad: mypension.be stap voor stap").click()
    problems["resource fr 320"] = axe(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320
    assert {key: found for key, found in problems.items() if found} == {}
