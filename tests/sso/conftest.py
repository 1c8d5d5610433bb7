"""Fixtures of the single sign-on tests: a real OpenID provider (tests/oidc), an organisation
linked to it, and helpers that play the browser."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from lms.core.db import db
from lms.sso.services import configure
from tests.conftest import post_form

#: The LMS's redirect URI as the provider knows it (LMS_BASE_URL of the test apps + the path).
REDIRECT_URI = "http://127.0.0.1/login/organisation/callback"
LMS_CLIENT = {
    "client_id": "lms",
    "client_secret": "lms-test-secret-0123456789abcdef",
    "redirect_uris": [REDIRECT_URI],
}
#: Another application registered at the same provider: its tokens are not for the LMS.
OTHER_CLIENT = {
    "client_id": "other-app",
    "client_secret": "other-test-secret-0123456789abcdef",
    "redirect_uris": ["http://127.0.0.1/other/callback"],
}


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory) -> Iterator:
    from tests.oidc.provider import OIDCProvider

    provider = OIDCProvider([LMS_CLIENT, OTHER_CLIENT], tmp_path_factory.mktemp("oidc"))
    provider.start()
    yield provider
    provider.stop()


def provider_settings(issuer: str, **extra) -> dict:
    return {
        "label": "Gemeente (test)",
        "issuer": issuer,
        "client_id": LMS_CLIENT["client_id"],
        "client_secret": LMS_CLIENT["client_secret"],
        **extra,
    }


@pytest.fixture
def sso_org(app, make_organisation):
    """``sso_org(create_accounts=False, passwords_off=False, domains=("gemeente.be",))``: an
    organisation linked to the provider "gemeente"."""

    def make(
        name="Gemeente",
        *,
        provider="gemeente",
        domains=("gemeente.be",),
        create_accounts=False,
        passwords_off=False,
    ):
        organisation = make_organisation(name)
        with app.test_request_context():
            configure(
                db.session,
                db.session.merge(organisation),
                provider=provider,
                domains=list(domains),
                create_accounts=create_accounts,
                passwords_off=passwords_off,
            )
            db.session.commit()
        return organisation

    return make


def begin(client, email: str):
    """Type the work e-mail address on the LMS's page; the response sends the browser to the
    provider."""
    return post_form(client, "/login/organisation", {"email": email}, page="/login/organisation")


def local(url: str) -> str:
    """The LMS address a redirect names, for the test client (path and query)."""
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")
