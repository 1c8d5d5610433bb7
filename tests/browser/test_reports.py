"""In a real Chromium, as the demo coordinator of De Panne (An Vermeulen): assign a course to
a department, filter the people table to overdue, download Excel and read it back; the
reports work without JavaScript (filters and downloads); axe-core finds nothing on any
coordinator page, in Dutch and in French; the dashboard's charts at 1280 and 320 px."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import run_axe

pytestmark = pytest.mark.browser

COORDINATOR = "an.vermeulen@depanne.demo"
OVERDUE_LEARNER = "Sophie Dubois"  # the demo's overdue learner (Onthaal, Connectoo)


def axe_problems(page) -> list:
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in run_axe(page)]


def people_row(page, name: str) -> dict[str, str]:
    """The people table's row of ``name``: {column title: cell text}."""
    headers = [h.strip() for h in page.locator("#people-table thead th").all_inner_texts()]
    headers = [re.sub(r"\s*[▲▼].*$", "", h, flags=re.S) for h in headers]
    row = page.locator("#people-table tbody tr", has=page.get_by_role("link", name=name))
    cells = [c.strip() for c in row.locator("th, td").all_inner_texts()]
    return dict(zip(headers, cells, strict=True))


def filter_people_to_overdue(page, base: str) -> None:
    page.goto(f"{base}/progress/people")
    page.get_by_label("Status", exact=True).select_option(label="Te laat")
    page.get_by_role("button", name="Tonen").click()
    page.wait_for_url(re.compile(r"status=overdue"))


@pytest.fixture(scope="module")
def pool(live_app) -> str:
    """A department of De Panne with one person, for the rule this test makes. Its name sorts
    last, so the people other browser tests add (in the first department) never land in it
    and no other test sees the assigned course."""
    from lms.accounts.services import RoleSpec, create_user
    from lms.core.db import db
    from lms.demo import DEMO_PASSWORD
    from lms.organisations.queries import find_organisation
    from lms.organisations.services import add_department

    with live_app.app_context():
        organisation = find_organisation(db.session, "De Panne")
        department = add_department(db.session, organisation, "Zwembad")
        create_user(
            db.session,
            full_name="Noor Claes",
            email="noor.claes@browser.test",
            password=DEMO_PASSWORD,
            organisation=organisation,
            department=department,
            roles=[RoleSpec("learner")],
        )
        db.session.commit()
    return department.name


def test_assign_filter_and_export_excel(live_server, new_page, tmp_path, pool):
    page = new_page()
    log_in(page, live_server, COORDINATOR)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Voortgang").click()
    assert page.locator("h1").inner_text().startswith("Voortgang")

    # Assign Connectoo+ to the department, mandatory, by a date.
    page.get_by_role("link", name="Toegewezen opleidingen").click()
    page.get_by_role("link", name="Een opleiding toewijzen").click()
    page.get_by_label("Connectoo+", exact=True).check()
    page.get_by_label("De diensten die ik kies").check()
    page.get_by_label(pool, exact=True).check()
    page.get_by_label("Verplicht", exact=True).check()
    page.get_by_label("Tegen een datum").check()
    due = date.today() + timedelta(days=200)
    page.get_by_label("De datum", exact=True).fill(due.isoformat())  # a date input
    with page.expect_navigation():
        page.get_by_role("button", name="Bewaren").click()
    errors = page.locator(".error-summary")
    assert errors.count() == 0, errors.inner_text()
    assert page.url == f"{live_server}/progress/rules/"
    assert "Bewaard." in page.locator(".notice").inner_text()
    rule = page.locator("tbody tr", has_text="Connectoo+").filter(has_text=pool)
    assert rule.count() == 1 and "Verplicht" in rule.inner_text()
    # The department's people now have Connectoo+ as a mandatory course, due on that day.
    page.goto(f"{live_server}/progress/people?course=connectoo-plus&q=Noor")
    row = people_row(page, "Noor Claes")
    assert row["Dienst"] == pool and row["Verplicht of vrijwillig"] == "Verplicht"
    assert row["Termijn"] == "Op schema" and row["Status"] == "Niet begonnen"

    # Filter the people table to overdue.
    filter_people_to_overdue(page, live_server)
    deadlines = page.locator("#people-table tbody tr td:nth-child(7)").all_inner_texts()
    assert deadlines and all(d.strip() == "Te laat" for d in deadlines)
    shown = people_row(page, OVERDUE_LEARNER)
    percent = int(shown["Voortgang"].rstrip("%"))
    modules = int(shown["Modules afgerond"].split()[0])

    # Download Excel: the same rows, typed cells, the filters stated.
    with page.expect_download() as info:
        page.get_by_role("link", name="Excel downloaden").click()
    download = info.value
    assert re.fullmatch(r"voortgang-de-panne-\d{4}-\d{2}-\d{2}\.xlsx", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = {r[0].value: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2)}
    assert len(rows) == len(deadlines)
    assert all(r["Termijn"].value == "Te laat" for r in rows.values())
    sophie = rows[OVERDUE_LEARNER]
    assert sophie["E-mailadres of gebruikersnaam"].value == "sophie.dubois@depanne.demo"
    assert sophie["Dienst"].value == "Onthaal"
    assert sophie["Opleiding"].value == "Connectoo"
    assert sophie["Verplicht of vrijwillig"].value == "Verplicht"
    assert sophie["Status"].value == "Bezig"
    assert sophie["Voortgang"].number_format == "0%"
    assert sophie["Voortgang"].value == pytest.approx(percent / 100)
    assert sophie["Modules afgerond"].value == modules
    assert sophie["Uiterste datum"].is_date
    assert sophie["Uiterste datum"].value.date() < date.today()
    assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref.startswith("A1:")
    about = {r[0].value: r[1].value for r in workbook["Over dit bestand"].iter_rows()}
    assert about["Status"] == "Te laat"


def test_reports_work_without_javascript(live_server, new_page):
    page = new_page(javascript=False)
    log_in(page, live_server, COORDINATOR)
    page.goto(f"{live_server}/progress/")
    assert page.locator("#chart-departments svg[role=img]").is_visible()
    filter_people_to_overdue(page, live_server)
    names = page.locator("#people-table tbody th a").all_inner_texts()
    assert OVERDUE_LEARNER in names
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV downloaden").click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    deadline = lines[0].index("Termijn")
    assert sorted(line[0] for line in lines[1:]) == sorted(names)
    assert all(line[deadline] == "Te laat" for line in lines[1:])


def coordinator_urls(page, base: str) -> list[str]:
    """Every coordinator page, found the way a coordinator finds them."""
    page.goto(f"{base}/progress/people?status=overdue")
    person = page.get_by_role("link", name=OVERDUE_LEARNER).get_attribute("href")
    page.goto(f"{base}/progress/rules/")
    links = page.locator("main a").evaluate_all("links => links.map(a => a.pathname)")
    rule = next(link for link in links if re.fullmatch(r"/progress/rules/\d+", link))
    return [
        "/progress/",
        "/progress/?mandatory=mandatory",
        "/progress/people",
        "/progress/people?status=overdue&sort=percent&order=desc",
        "/progress/people?status=lost",  # with the message about a filter it cannot use
        person,
        "/progress/rules/",
        "/progress/rules/?ended=1",
        "/progress/rules/new",
        rule,
        f"{rule}/end",
    ]


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_no_axe_violations_on_coordinator_pages(live_server, new_page, live_user, language):
    page = new_page(language=language)
    if language == "nl":
        login = COORDINATOR
    else:
        login = live_user(roles=(), manages=True, language="fr", name="Claire Lefèvre")
    log_in(page, live_server, login)
    urls = coordinator_urls(page, live_server)
    problems = {}
    for url in urls:
        page.goto(live_server + url)
        assert page.evaluate("document.documentElement.lang") == language, url
        problems[url] = axe_problems(page)
    assert {url: found for url, found in problems.items() if found} == {}


@pytest.mark.parametrize("width", [1280, 320])
def test_the_dashboard_charts_fit_the_screen(live_server, new_page, tmp_path, width):
    page = new_page(width=width)
    log_in(page, live_server, COORDINATOR)
    page.goto(f"{live_server}/progress/")
    page.screenshot(path=str(tmp_path / f"dashboard-{width}.png"), full_page=True)
    # No chart runs off the screen, and its text keeps a readable size.
    for chart in page.locator(".chart-svg").all():
        box = chart.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (width, box)
    sizes = page.locator(".chart-svg text").evaluate_all(
        "nodes => nodes.map(n => parseFloat(getComputedStyle(n).fontSize))"
    )
    assert sizes and min(sizes) >= 14
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width
