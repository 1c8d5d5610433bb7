"""In a real Chromium: All my data, the erase confirmation (with and without an error), the
list of inactive accounts and the audit log viewer (with a filter error) have no axe-core
violations, in Dutch and in French; erasing a person works by keyboard and mouse."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.core.db import db
from tests.browser.conftest import log_in
from tests.browser.test_invitations import axe_problems

pytestmark = pytest.mark.browser


def _user_id(live_app, login: str) -> int:
    with live_app.app_context():
        return db.session.scalars(select(User.id).where(User.email == login)).one()


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_no_axe_violations_on_the_privacy_and_audit_pages(
    live_app, live_server, new_page, live_user, language
):
    problems = {}
    learner_login = live_user(language=language, name=f"Zoë Dupré {language}")
    learner = new_page(language=language)
    learner.goto(f"{live_server}/language/{language}?next=/login")
    log_in(learner, live_server, learner_login)
    learner.goto(f"{live_server}/profile")
    learner.locator("li.profile-data a").click()
    learner.wait_for_url(f"{live_server}/profile/data")
    assert learner.evaluate("document.documentElement.lang") == language
    assert learner.locator("#data-profile").is_visible()
    problems["my data"] = axe_problems(learner)
    with learner.expect_download() as download:
        learner.locator("a[href$='/profile/data.json']").click()
    assert download.value.suggested_filename.startswith("my-data-")

    admin = new_page(language=language)
    admin.goto(f"{live_server}/language/{language}?next=/login")
    log_in(admin, live_server, live_user(roles=("admin",), language=language))
    person = _user_id(live_app, learner_login)
    admin.goto(f"{live_server}/admin/people/{person}/erase")
    problems["erase"] = axe_problems(admin)
    admin.locator("main form button.button-warning").click()  # without ticking the box
    assert admin.locator(".error-summary").is_visible()
    problems["erase with error"] = axe_problems(admin)
    admin.locator("input[name=confirm]").check()
    admin.locator("main form button.button-warning").click()
    admin.wait_for_url(f"{live_server}/admin/people")
    with live_app.app_context():
        assert db.session.get(User, person).erased_at is not None

    live_app.config["LMS_RETENTION_INACTIVE_DAYS"] = 30
    try:
        admin.goto(f"{live_server}/admin/retention")
        problems["retention"] = axe_problems(admin)
    finally:
        live_app.config["LMS_RETENTION_INACTIVE_DAYS"] = 0

    admin.goto(f"{live_server}/admin/audit/")
    assert admin.locator("#audit-table").is_visible()
    problems["audit log"] = axe_problems(admin)
    admin.locator("#filter-action").select_option("user.erase")
    admin.locator("form[role=search] button[type=submit]").click()
    admin.wait_for_load_state()
    assert admin.locator("#audit-table tbody tr").count() >= 1
    problems["audit log filtered"] = axe_problems(admin)
    admin.goto(f"{live_server}/admin/audit/?from=2026-02-30&actor=99999999999")
    assert admin.locator(".error-summary").is_visible()
    problems["audit log with errors"] = axe_problems(admin)
    assert {k: v for k, v in problems.items() if v} == {}
