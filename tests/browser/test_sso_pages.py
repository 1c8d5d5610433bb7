"""In a real Chromium: signing in with the organisation's account through a real OpenID
provider (tests/oidc) with JavaScript off, and axe-core on every new sign-in page (the login
page with "keep me signed in" and the SSO choice, the work-address page with and without an
error, a refused sign-in, the back-off's wait page, the "forgot password" answer for an
organisation that signs its people in, the administrator's SSO settings), in Dutch and in
French."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest

from lms.core.db import db
from lms.organisations.queries import find_organisation
from lms.sso.services import configure
from tests.browser.conftest import PRACTICE_ORGANISATIONS, log_in
from tests.browser.test_invitations import axe_problems

pytestmark = [pytest.mark.browser, pytest.mark.oidc]

CLIENT = {"client_id": "lms-browser", "client_secret": "browser-test-secret-0123456789"}


@pytest.fixture(scope="module")
def sso_server(live_app, live_server, tmp_path_factory) -> Iterator[dict]:
    """A real provider for the live server; the practice organisation signs in through it.
    The live app's settings are put back afterwards."""
    from tests.oidc.provider import OIDCProvider

    domain = f"{uuid.uuid4().hex[:8]}.example.be"
    client = {**CLIENT, "redirect_uris": [f"{live_server}/login/organisation/callback"]}
    provider = OIDCProvider([client], tmp_path_factory.mktemp("oidc-browser")).start()
    saved = {key: live_app.config[key] for key in ("LMS_SSO_PROVIDERS", "LMS_BASE_URL")}
    live_app.config["LMS_SSO_PROVIDERS"] = {
        "oefen": {
            "label": "Oefenstad (test)",
            "issuer": provider.issuer,
            "client_id": CLIENT["client_id"],
            "client_secret": CLIENT["client_secret"],
        }
    }
    live_app.config["LMS_BASE_URL"] = live_server
    with live_app.test_request_context():
        organisation = find_organisation(db.session, PRACTICE_ORGANISATIONS[1])
        configure(
            db.session,
            organisation,
            provider="oefen",
            domains=[domain],
            create_accounts=True,
            passwords_off=True,
        )
        db.session.commit()
    yield {"provider": provider, "domain": domain}
    with live_app.test_request_context():
        configure(
            db.session,
            find_organisation(db.session, PRACTICE_ORGANISATIONS[1]),
            provider=None,
            domains=[],
            create_accounts=False,
            passwords_off=False,
        )
        db.session.commit()
    live_app.config.update(saved)
    provider.stop()


def test_signing_in_with_the_organisations_account_without_javascript(
    live_server, new_page, sso_server
):
    page = new_page(javascript=False)
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="Aanmelden met het account van je organisatie").click()
    email = f"nieuw-{uuid.uuid4().hex[:6]}@{sso_server['domain']}"
    page.get_by_label("Je e-mailadres van het werk").fill(email)
    page.get_by_role("button", name="Naar de aanmeldpagina").click()
    # The provider's (test) sign-in page: say who the person is.
    page.wait_for_url(re.compile(re.escape(sso_server["provider"].issuer) + "/interaction/"))
    page.locator("input[name=sub]").fill(email)
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=name]").fill("Nele Nieuw")
    page.locator("input[name=locale]").fill("nl-BE")
    page.locator("button").click()
    page.wait_for_url(f"{live_server}/")
    assert "Nele Nieuw" in page.locator("body").inner_text()


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_no_axe_violations_on_the_sign_in_pages(
    live_app, live_server, new_page, live_user, sso_server, language
):
    problems = {}
    visitor = new_page(language=language)
    visitor.goto(f"{live_server}/language/{language}?next=/login")
    assert visitor.evaluate("document.documentElement.lang") == language
    assert visitor.locator("input[name=remember]").count() == 1
    problems["login"] = axe_problems(visitor)

    visitor.goto(f"{live_server}/login/organisation")
    problems["work address"] = axe_problems(visitor)
    visitor.locator("input[name=email]").fill("someone@nowhere.example")
    visitor.locator("main form button[type=submit]").click()
    assert visitor.locator(".error-summary").is_visible()
    problems["work address, unknown domain"] = axe_problems(visitor)

    visitor.goto(f"{live_server}/login/organisation/callback?code=x&state=y")
    problems["refused"] = axe_problems(visitor)

    domain_address = f"iemand@{sso_server['domain']}"
    visitor.goto(f"{live_server}/login")
    visitor.locator("input[name=login]").fill(domain_address)
    visitor.locator("input[name=password]").fill("niet het wachtwoord")
    visitor.locator("main form button[type=submit]").click()
    problems["login, organisation signs in"] = axe_problems(visitor)

    visitor.goto(f"{live_server}/password/forgot")
    visitor.locator("input[name=login]").fill(domain_address)
    visitor.locator("main form button[type=submit]").click()
    problems["forgot, organisation signs in"] = axe_problems(visitor)

    saved = live_app.config["LMS_LOGIN_BACKOFF_AFTER"]
    live_app.config["LMS_LOGIN_BACKOFF_AFTER"] = 1
    try:
        name = f"wacht-{uuid.uuid4().hex[:6]}@example.be"
        for _ in range(2):
            visitor.goto(f"{live_server}/login")
            visitor.locator("input[name=login]").fill(name)
            visitor.locator("input[name=password]").fill("fout wachtwoord")
            visitor.locator("main form button[type=submit]").click()
            visitor.wait_for_load_state()
        assert visitor.locator("main h1").count() == 1
        problems["wait"] = axe_problems(visitor)
    finally:
        live_app.config["LMS_LOGIN_BACKOFF_AFTER"] = saved

    admin = new_page(language=language)
    admin.goto(f"{live_server}/language/{language}?next=/login")
    log_in(admin, live_server, live_user(roles=("admin",), language=language))
    with live_app.app_context():
        organisation_id = find_organisation(db.session, PRACTICE_ORGANISATIONS[1]).id
    admin.goto(f"{live_server}/admin/organisations/{organisation_id}")
    assert admin.locator("select[name=sso_provider]").input_value() == "oefen"
    problems["admin: organisation"] = axe_problems(admin)
    assert {k: v for k, v in problems.items() if v} == {}
