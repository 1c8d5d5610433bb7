"""In a real Chromium: a coordinator adds two people from a CSV file with invitations; the
first opens the link from the mail outbox on another device, chooses a password and lands on
My learning. axe-core finds nothing on the new pages, in Dutch and in French."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from lms.core.db import db
from lms.mail.models import OutgoingMail
from tests.browser.conftest import PRACTICE_ORGANISATIONS, log_in
from tests.browser.test_accessibility import run_axe

pytestmark = pytest.mark.browser

LINK_RE = re.compile(r"https?://[^/\s]+(/invitation/[A-Za-z0-9_-]+)")
PASSWORD = "een zin die ik onthoud"


def axe_problems(page) -> list:
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in run_axe(page)]


def _invitation_path(live_app, email: str) -> str:
    with live_app.app_context():
        mail = db.session.scalars(
            select(OutgoingMail)
            .where(OutgoingMail.recipient == email, OutgoingMail.template == "invitation")
            .order_by(OutgoingMail.id.desc())
        ).first()
        assert mail is not None, f"no invitation for {email}"
        return LINK_RE.search(mail.body).group(1)


def _import(page, base, tmp_path, people, language):
    csv_file = tmp_path / f"people-{uuid.uuid4().hex[:6]}.csv"
    csv_file.write_text(
        "full_name,email,language\n"
        + "".join(f"{name},{email},{language}\n" for name, email in people),
        encoding="utf-8",
    )
    page.goto(f"{base}/organisation/people/import")
    page.locator("select[name=organisation]").select_option(label=PRACTICE_ORGANISATIONS[0])
    page.locator("input[type=file]").set_input_files(str(csv_file))
    assert page.locator("input[name=invite]").is_checked()
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_load_state()
    assert "/import" not in page.url, page.locator("main").inner_text()


def test_imported_person_accepts_the_invitation(
    live_app, live_server, new_page, live_user, tmp_path
):
    coordinator = new_page()
    log_in(coordinator, live_server, live_user(manages=True))
    tag = uuid.uuid4().hex[:6]
    people = [
        (f"Eerste {tag}", f"eerste-{tag}@example.be"),
        (f"Tweede {tag}", f"tweede-{tag}@example.be"),
    ]
    _import(coordinator, live_server, tmp_path, people, "nl")
    coordinator.goto(f"{live_server}/organisation/people?q={tag}")
    row = coordinator.locator("tr", has=coordinator.get_by_role("link", name=people[0][0]))
    assert "Uitgenodigd" in row.inner_text()

    newcomer = new_page()  # another device, no cookies
    newcomer.goto(live_server + _invitation_path(live_app, people[0][1]))
    newcomer.get_by_label("Nieuw wachtwoord", exact=True).fill(PASSWORD)
    newcomer.get_by_label("Typ het nieuwe wachtwoord nog eens").fill(PASSWORD)
    newcomer.get_by_role("button", name="Wachtwoord bewaren en inloggen").click()
    newcomer.wait_for_url(f"{live_server}/")
    assert newcomer.locator("h1").first.is_visible()
    # The coordinator now sees them as active, the second one still invited.
    coordinator.reload()
    first = coordinator.locator("tr", has=coordinator.get_by_role("link", name=people[0][0]))
    second = coordinator.locator("tr", has=coordinator.get_by_role("link", name=people[1][0]))
    assert "Uitgenodigd" not in first.inner_text()
    assert "Uitgenodigd" in second.inner_text()


def test_show_password_toggle_works_with_and_without_javascript(live_server, new_page):
    page = new_page()
    page.goto(f"{live_server}/login")
    field = page.locator("input[name=password]")
    assert field.get_attribute("type") == "password"
    page.get_by_label("Wachtwoord tonen").check()
    assert field.get_attribute("type") == "text"
    plain = new_page(javascript=False)
    plain.goto(f"{live_server}/login")
    assert not plain.locator("#show-password").is_visible()
    assert plain.locator("input[name=password]").get_attribute("type") == "password"


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_no_axe_violations_on_the_new_pages(
    live_app, live_server, new_page, live_user, tmp_path, language
):
    coordinator = new_page(language=language)
    coordinator.goto(f"{live_server}/language/{language}?next=/login")
    log_in(coordinator, live_server, live_user(manages=True, language=language))
    problems = {}
    coordinator.goto(f"{live_server}/organisation/people/import")
    problems["import"] = axe_problems(coordinator)
    tag = uuid.uuid4().hex[:6]
    email = f"axe-{tag}@example.be"
    _import(coordinator, live_server, tmp_path, [(f"Axe {tag}", email)], language)
    coordinator.goto(f"{live_server}/organisation/people?q={tag}")
    problems["people"] = axe_problems(coordinator)

    visitor = new_page(language=language)
    visitor.goto(f"{live_server}/language/{language}?next=/password/forgot")
    assert visitor.evaluate("document.documentElement.lang") == language
    problems["forgot"] = axe_problems(visitor)
    visitor.locator("input[name=login]").fill(f"nobody-{tag}@example.be")
    visitor.locator("form button[type=submit]").click()
    problems["forgot sent"] = axe_problems(visitor)
    path = _invitation_path(live_app, email)
    visitor.goto(live_server + path)
    problems["choose"] = axe_problems(visitor)
    visitor.locator("input[name=new_password]").fill("kort")
    visitor.locator("input[name=confirm_password]").fill("kort")
    visitor.locator("form button[type=submit]").click()
    problems["choose with errors"] = axe_problems(visitor)
    visitor.goto(live_server + path[:-3])
    problems["refused"] = axe_problems(visitor)
    assert {k: v for k, v in problems.items() if v} == {}
