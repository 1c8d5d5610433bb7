"""In a real Chromium, with the demo: the administrator opens the national overview from the
menu, sorts it and downloads Excel (read back); it works without JavaScript; a coordinator
finds last month's snapshot and downloads it; anyone finds the labelled counter on the
public page and checks its code; axe-core finds nothing on any of these pages, in Dutch and
in French. Screenshots of the target chart and of the public label page are kept in the
test's folder (``tmp_path``) to look at."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import log_in
from tests.browser.test_reports import axe_problems

pytestmark = pytest.mark.browser

ADMIN = "admin"
COORDINATOR = "an.vermeulen@depanne.demo"


def overview_rows(page) -> list[tuple[str, str]]:
    """(group heading, organisation) in the table's order."""
    rows = []
    for body in page.locator("#overview-table tbody").all():
        group = body.locator("tr.group-row th").inner_text().strip()
        for name in body.locator("tr[data-organisation] th .org-name").all_inner_texts():
            rows.append((group, name.strip()))
    return rows


def certified_of(page, name: str) -> int:
    row = page.locator("#overview-table tr[data-organisation]").filter(
        has=page.locator(".org-name", has_text=re.compile(f"^{re.escape(name)}$"))
    )
    return int(row.locator('td[data-figure="certified"]').inner_text())


def test_the_admin_opens_sorts_and_exports_the_national_overview(live_server, new_page, tmp_path):
    page = new_page()
    log_in(page, live_server, ADMIN)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Voortgang").click()
    page.get_by_role("navigation", name="Voortgang").get_by_role(
        "link", name="Nationaal overzicht"
    ).click()
    assert page.locator("h1").inner_text() == "Nationaal overzicht"
    groups = [g for g, _name in overview_rows(page)]
    assert "Federale instellingen" in groups and "Provincies" in groups
    assert ("Gemeenten en hun agentschappen", "OCMW De Panne") in overview_rows(page)

    # The chart of Connectoo's target, with its summary and its table.
    chart = page.locator("#chart-target-connectoo")
    assert chart.locator("svg[role=img]").is_visible()
    assert "10.000" in chart.locator(".chart-summary").inner_text()
    chart.screenshot(path=str(tmp_path / "overview-chart.png"))
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
    page.get_by_text("De cijfers per maand").first.click()
    page.wait_for_load_state()
    assert page.locator("#target-table-connectoo tbody tr").count() >= 3

    # Sort by certified: the most first, the groups stay, the agency under De Panne.
    page.get_by_role("link", name=re.compile("^Getuigschrift behaald")).click()
    page.wait_for_url(re.compile(r"sort=certified&order=desc"))
    header = page.locator("#overview-table thead th[aria-sort]")
    assert header.get_attribute("aria-sort") == "descending"
    municipalities = [n for g, n in overview_rows(page) if g.startswith("Gemeenten")]
    assert municipalities[0] == "Veurne"
    assert municipalities.index("OCMW De Panne") == municipalities.index("De Panne") + 1
    shown = {n: certified_of(page, n) for _g, n in overview_rows(page)}

    # Excel: the same organisations, in the same order, with the same numbers.
    with page.expect_download() as info:
        page.get_by_role("link", name="Excel downloaden").click()
    download = info.value
    assert re.fullmatch(r"nationaal-overzicht-\d{4}-\d{2}-\d{2}\.xlsx", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    book = load_workbook(path)
    sheet = book["Organisaties"]
    header = [c.value for c in sheet[1]]
    names = header.index("Organisatie")
    certified = header.index("Getuigschrift behaald")
    rows = [(r[names].value, r[certified].value) for r in sheet.iter_rows(min_row=2)]
    assert [name for name, _ in rows] == [n for _g, n in overview_rows(page)]
    assert dict(rows) == shown
    assert "Doelen" in book.sheetnames and "Getuigschriften per maand" in book.sheetnames


def test_the_overview_and_the_label_page_work_without_javascript(live_server, new_page, tmp_path):
    page = new_page(javascript=False)
    log_in(page, live_server, ADMIN)
    page.goto(f"{live_server}/progress/national/")
    page.get_by_label("Niveau", exact=True).select_option(label="Provincie")
    page.get_by_role("button", name="Tonen").click()
    page.wait_for_url(re.compile(r"level=province"))
    assert [n for _g, n in overview_rows(page)] == ["West-Vlaanderen"]
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV downloaden").click()
    data = Path(info.value.path()).read_bytes().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(data, newline="")))
    assert lines[2][lines[1].index("Organisatie")] == "West-Vlaanderen"

    visitor = new_page(javascript=False)
    visitor.goto(f"{live_server}/labels/")
    visitor.get_by_label("Uw gemeente").fill("veurne")
    visitor.get_by_role("button", name="Zoeken").click()
    visitor.wait_for_url(re.compile(r"q=veurne"))
    assert visitor.get_by_role("heading", name="Veurne").is_visible()
    visitor.screenshot(path=str(tmp_path / "labels.png"), full_page=True)
    visitor.get_by_role("link", name=re.compile("^Dit label controleren")).first.click()
    assert visitor.locator("#result").get_attribute("data-status") == "held"
    assert "Veurne" in visitor.locator("#result").inner_text()


def test_a_coordinator_downloads_last_months_snapshot(live_server, new_page, tmp_path):
    page = new_page()
    log_in(page, live_server, COORDINATOR)
    page.goto(f"{live_server}/progress/")
    page.get_by_role("navigation", name="Voortgang").get_by_role(
        "link", name="Momentopnames"
    ).click()
    rows = page.locator("#snapshot-table tbody tr[data-snapshot]")
    assert rows.count() == 1 and "De Panne" in rows.inner_text()
    rows.get_by_role("link").first.click()
    assert page.locator("h1").inner_text().startswith("Momentopname van")
    with page.expect_download() as info:
        page.get_by_role("link", name="Excel downloaden").click()
    path = tmp_path / "snapshot.xlsx"
    info.value.save_as(path)
    book = load_workbook(path)
    people = book["Personen en opleidingen"]
    names = {row[0].value for row in people.iter_rows(min_row=2)}
    assert "Els Peeters" in names and "Pieter Maes" not in names


def new_page_urls(page, base: str) -> dict[str, list[str]]:
    """The new pages, found the way people find them: (who, urls)."""
    page.goto(f"{base}/labels/")
    code = page.locator("[data-code]").first.get_attribute("data-code")
    return {
        "admin": [
            "/progress/national/",
            "/progress/national/?level=galaxy&sort=certified&order=desc",
        ],
        "coordinator": ["/progress/snapshots/"],
        "visitor": [
            "/labels/",
            "/labels/?q=Brugge",
            f"/labels/verify?code={code}",
            "/labels/verify?code=AAAA-BBBB-CCCC",
            "/labels/verify?code=nonsense",
            "/labels/verify",
        ],
    }


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_no_axe_violations_on_the_new_pages(live_server, new_page, live_user, language):
    visitor = new_page(language=language)
    visitor.goto(f"{live_server}/language/{language}?next=/labels/")
    urls = new_page_urls(visitor, live_server)
    problems = {}
    for url in urls["visitor"]:
        visitor.goto(live_server + url)
        assert visitor.evaluate("document.documentElement.lang") == language, url
        problems[url] = axe_problems(visitor)
    # People of their own, in the page's language (the demo's keep theirs for other tests).
    people = {
        "admin": live_user(organisation="FOD Financiën", roles=("admin",), language=language),
        "coordinator": live_user(
            organisation="De Panne", roles=(), manages=True, language=language
        ),
    }
    for who, login in people.items():
        page = new_page(language=language)
        log_in(page, live_server, login)
        for url in urls[who]:
            page.goto(live_server + url)
            assert page.evaluate("document.documentElement.lang") == language, url
            problems[url] = axe_problems(page)
        if who == "coordinator":
            page.goto(f"{live_server}/progress/snapshots/")
            snapshot = page.locator("#snapshot-table tbody th a").first.get_attribute("href")
            page.goto(live_server + snapshot)
            problems[snapshot] = axe_problems(page)
        else:
            page.goto(f"{live_server}/admin/organisations")
            page.locator("main a", has_text="OCMW De Panne").click()
            problems["organisation form"] = axe_problems(page)
    assert {url: found for url, found in problems.items() if found} == {}


def test_the_target_chart_fits_a_narrow_screen(live_server, new_page, tmp_path):
    page = new_page(width=320)
    log_in(page, live_server, ADMIN)
    page.goto(f"{live_server}/progress/national/")
    chart = page.locator("#chart-target-connectoo .chart-svg")
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320, box
    sizes = chart.locator("text").evaluate_all(
        "nodes => nodes.map(n => parseFloat(getComputedStyle(n).fontSize))"
    )
    assert sizes and min(sizes) >= 14
    page.locator("#chart-target-connectoo").screenshot(path=str(tmp_path / "chart-320.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
