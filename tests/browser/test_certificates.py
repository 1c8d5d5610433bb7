"""In a real Chromium: a learner completes a small course, finds the certificate from the
profile, downloads it; someone else checks it on the public page. axe-core on every
certificate page on the way, in Dutch and in French."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lms.catalog.queries import get_course_def
from lms.certification.rendering import extract_document
from lms.core.db import db
from lms.learning import services as learning
from tests.browser.conftest import log_in, skip_plan_prompt
from tests.browser.test_accessibility import run_axe
from tests.certification.conftest import certified_course_yaml

pytestmark = pytest.mark.browser

SLUG = "browser-certificate"
HOLDER = "Γιώργος Οικονόμου-Łącki"


def axe_problems(page) -> list:
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in run_axe(page)]


@pytest.fixture(scope="module")
def small_course(live_app, tmp_path_factory):
    """An e-learning-only course with a certificate, closed to self-enrolment (so that other
    browser tests never see it)."""
    from lms.authoring.importer import import_paths

    folder = tmp_path_factory.mktemp("browser-course")
    text = certified_course_yaml(SLUG, sections=2, title="Veilig online")
    (folder / f"{SLUG}.yaml").write_text(text.replace("enrolment: open", "enrolment: closed"))
    with live_app.app_context():
        import_paths(db.session, [folder / f"{SLUG}.yaml"], certificates_dir=None)
        db.session.commit()
    return SLUG


def test_complete_download_and_verify(
    live_app, live_server, new_page, live_user, small_course, tmp_path
):
    login = live_user(name=HOLDER, language="nl")
    with live_app.app_context():
        from lms.accounts.models import User

        user = db.session.query(User).filter_by(email=login).one()
        learning.enrol(db.session, user, get_course_def(db.session, SLUG), source="admin")
        db.session.commit()

    page = new_page()
    log_in(page, live_server, login)
    # Read the two sections: the course is complete.
    page.goto(f"{live_server}/courses/{SLUG}/continue")
    skip_plan_prompt(page)
    with page.expect_navigation():
        page.locator("a[rel=next]").click()
    page.goto(f"{live_server}/courses/{SLUG}")
    # From the profile to the certificate.
    page.goto(f"{live_server}/profile")
    with page.expect_navigation():
        page.locator(".profile-certificates a").click()
    assert page.url == f"{live_server}/certificates/"
    main = page.inner_text("main")
    assert "Veilig online" in main
    code = re.search(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", main).group(0)
    problems = {"mine": axe_problems(page)}
    with page.expect_navigation():
        page.get_by_role("link", name="Veilig online", exact=True).click()
    assert HOLDER in page.inner_text("main")
    problems["detail"] = axe_problems(page)
    with page.expect_download() as download_info:
        page.locator(f"a[href$='/certificates/{code}.pdf']").click()
    download = download_info.value
    assert download.suggested_filename.endswith(f"{code}.pdf")
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert f'"code":"{code}"' in extract_document(pdf)["payload"]

    # Anyone, without logging in, types the code.
    public = new_page(language="fr-BE")
    public.goto(f"{live_server}/certificates/verify")
    assert public.evaluate("document.documentElement.lang") == "fr"
    problems["verify-form"] = axe_problems(public)
    public.get_by_label(
        re.compile("Verification code|Code de vérification|Controlecode", re.I)
    ).fill(code.lower().replace("-", " "))
    with public.expect_navigation():
        public.keyboard.press("Enter")
    result = public.locator("#result")
    assert result.get_attribute("data-status") == "valid"
    assert HOLDER in result.inner_text() and "Veilig online" in result.inner_text()
    problems["verify-result"] = axe_problems(public)
    public.goto(f"{live_server}/certificates/verify?code=K7QM-2XRD-9TPA")
    assert public.locator("#result").get_attribute("data-status") == "unknown"
    public.goto(f"{live_server}/certificates/verify?code=oops")
    problems["verify-error"] = axe_problems(public)
    # An administrator's view of it (revoke and re-issue forms) and the organisation's list.
    admin = new_page()
    log_in(admin, live_server, live_user(roles=("admin",), language="fr"))
    admin.goto(f"{live_server}/certificates/{code}")
    assert admin.locator("form[action$='/revoke'] textarea").count() == 1
    problems["admin-detail"] = axe_problems(admin)
    admin.goto(f"{live_server}/certificates/organisation")
    assert code in admin.inner_text("main")
    assert admin.evaluate("document.documentElement.lang") == "fr"
    problems["organisation"] = axe_problems(admin)
    # The public page in Dutch too (the learner's own browser).
    page.goto(f"{live_server}/certificates/verify?code={code}")
    assert page.evaluate("document.documentElement.lang") == "nl"
    problems["verify-nl"] = axe_problems(page)
    assert {name: found for name, found in problems.items() if found} == {}
