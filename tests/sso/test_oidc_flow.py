"""Single sign-on against a real OpenID provider started on 127.0.0.1 (the certified npm
package ``oidc-provider``, tests/oidc): authorisation code flow with PKCE, state and nonce,
the ID token's signature checked against the provider's keys, issuer and audience checked.

Forged answers are made with the real provider too:

- *wrong audience*: the provider really issues an ID token to a second registered client
  ("other-app"), for the same person and even the same nonce as the LMS's own sign-in; the
  provider's front door then hands that token to the LMS in place of the LMS's own in the
  next token response. Signature, issuer and nonce are right, only the audience is not.
- *tampered signature*: the front door flips one character in the middle of the signature of
  the ID token in the next token response, after the provider made it.
- *wrong state*: the browser comes back with another state than the one the LMS sent.
- *wrong nonce*: the nonce the LMS keeps for this browser is changed before the provider's
  answer comes back, so the (genuine) token carries a nonce the LMS did not expect.

Each refusal is a readable 4xx page, is written to the audit trail, and changes nothing else:
nobody is signed in, no account is made.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.core.audit import AuditEvent
from lms.core.db import db
from lms.sso.providers import client_name
from tests.sso.conftest import OTHER_CLIENT, REDIRECT_URI, begin, local, provider_settings

pytestmark = pytest.mark.oidc


@pytest.fixture
def app_config(oidc_provider):
    return {"LMS_SSO_PROVIDERS": {"gemeente": provider_settings(oidc_provider.issuer)}}


def _signed_in(client) -> bool:
    return client.get("/profile").status_code == 200


def _people(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def _failures(app) -> list[str]:
    with app.app_context():
        return [
            e.details.get("reason")
            for e in db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "user.login_failed")
                .order_by(AuditEvent.id)
            )
        ]


def _authorize_url(client, email):
    response = begin(client, email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _come_back(client, callback_url):
    assert callback_url.startswith(REDIRECT_URI), callback_url
    return client.get(local(callback_url))


def _refused(response, status, heading) -> bool:
    html = response.get_data(as_text=True)
    return response.status_code == status and f"<h1>{heading}</h1>" in html and "lms.css" in html


def test_full_sign_in_lands_on_my_learning(app, client, oidc_provider, sso_org, make_user):
    organisation = sso_org()
    person = make_user(email="an.peeters@gemeente.be", organisation=organisation)
    url = _authorize_url(client, "An.Peeters@gemeente.be")
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(oidc_provider.issuer + "/auth?")
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["nonce"][0] and query["state"][0]
    assert query["redirect_uri"] == [REDIRECT_URI]
    assert query["login_hint"] == ["An.Peeters@gemeente.be"]

    back = oidc_provider.sign_in(url, sub="an-1", email="an.peeters@gemeente.be")
    response = _come_back(client, back)
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/"
    assert person.full_name in client.get("/").get_data(as_text=True)
    assert _signed_in(client)
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "user.login")
        ).one()
        assert (event.target_id, event.details["method"]) == (person.id, "sso")


def test_first_sign_in_creates_the_account_in_the_organisation(app, client, oidc_provider, sso_org):
    organisation = sso_org(create_accounts=True)
    url = _authorize_url(client, "nieuw@gemeente.be")
    back = oidc_provider.sign_in(
        url, sub="new-1", email="Nieuw@Gemeente.be", name="Nora Nieuw", locale="fr-BE"
    )
    assert _come_back(client, back).status_code == 302
    assert _signed_in(client)
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "nieuw@gemeente.be")).one()
        assert (user.full_name, user.organisation_id) == ("Nora Nieuw", organisation.id)
        assert user.preferred_language == "fr" and user.roles == {"learner"}
        assert user.password_hash is None


def test_without_account_creation_an_unknown_person_is_refused(app, client, oidc_provider, sso_org):
    sso_org(create_accounts=False)
    before = _people(app)
    back = oidc_provider.sign_in(
        _authorize_url(client, "onbekend@gemeente.be"), sub="x-1", email="onbekend@gemeente.be"
    )
    response = _come_back(client, back)
    assert _refused(response, 403, "Je hebt nog geen account")
    assert _people(app) == before and not _signed_in(client)
    assert _failures(app) == ["unknown_account"]


def test_a_deactivated_person_is_refused(app, client, oidc_provider, sso_org, make_user):
    from lms.accounts.services import deactivate_user

    organisation = sso_org()
    person = make_user(email="weg@gemeente.be", organisation=organisation)
    with app.app_context():
        deactivate_user(db.session, db.session.get(User, person.id))
        db.session.commit()
    back = oidc_provider.sign_in(
        _authorize_url(client, "weg@gemeente.be"), sub="weg", email="weg@gemeente.be"
    )
    assert _refused(_come_back(client, back), 403, "Je account staat uit")
    assert not _signed_in(client)


def test_an_address_outside_the_organisations_domains_is_refused(
    app, client, oidc_provider, sso_org, make_user
):
    """The provider vouches for an address at another domain (a personal account, another
    municipality's tenant): refused, even when an account with that address exists."""
    sso_org(create_accounts=True)
    make_user(email="an@elders.be")
    before = _people(app)
    back = oidc_provider.sign_in(
        _authorize_url(client, "an@gemeente.be"), sub="an-2", email="an@elders.be"
    )
    response = _come_back(client, back)
    assert _refused(response, 403, "Dit adres hoort niet bij Gemeente")
    assert "@gemeente.be" in response.get_data(as_text=True)
    assert _people(app) == before and not _signed_in(client)
    assert _failures(app) == ["domain"]


def test_an_unverified_address_is_refused(app, client, oidc_provider, sso_org):
    sso_org(create_accounts=True)
    back = oidc_provider.sign_in(
        _authorize_url(client, "an@gemeente.be"),
        sub="an-3",
        email="an@gemeente.be",
        email_verified=False,
    )
    assert _come_back(client, back).status_code == 403
    assert _failures(app) == ["no_verified_email"] and not _signed_in(client)


def test_a_token_issued_to_another_client_is_refused(app, client, oidc_provider, sso_org):
    """Wrong audience: a genuine ID token of this provider, for the right person and nonce,
    but issued to "other-app" (see the module's docstring)."""
    sso_org(create_accounts=True)
    before = _people(app)
    url = _authorize_url(client, "an@gemeente.be")
    nonce = parse_qs(urlsplit(url).query)["nonce"][0]
    foreign = oidc_provider.id_token_for(
        OTHER_CLIENT,
        nonce=nonce,
        sub="an-4",
        email="an@gemeente.be",
        redirect_uri=OTHER_CLIENT["redirect_uris"][0],
    )
    back = oidc_provider.sign_in(url, sub="an-4", email="an@gemeente.be")
    oidc_provider.tamper_next_token_response(mode="replace", id_token=foreign)
    response = _come_back(client, back)
    assert _refused(response, 400, "We konden niet nagaan wie je bent")
    assert _people(app) == before and not _signed_in(client)
    assert _failures(app) == ["aud"]


def test_a_tampered_signature_is_refused(app, client, oidc_provider, sso_org):
    sso_org(create_accounts=True)
    before = _people(app)
    back = oidc_provider.sign_in(
        _authorize_url(client, "an@gemeente.be"), sub="an-5", email="an@gemeente.be"
    )
    oidc_provider.tamper_next_token_response(mode="signature")
    response = _come_back(client, back)
    assert _refused(response, 400, "We konden niet nagaan wie je bent")
    assert _people(app) == before and not _signed_in(client)
    assert _failures(app) == ["signature"]


def test_a_wrong_state_is_refused(app, client, oidc_provider, sso_org):
    sso_org(create_accounts=True)
    before = _people(app)
    back = oidc_provider.sign_in(
        _authorize_url(client, "an@gemeente.be"), sub="an-6", email="an@gemeente.be"
    )
    parts = urlsplit(back)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = "not-the-state-we-sent"
    response = client.get(parts.path + "?" + urlencode(query))
    assert _refused(response, 400, "Deze aanmelding is verlopen")
    assert _people(app) == before and not _signed_in(client)
    assert _failures(app) == ["state"]


def test_a_wrong_nonce_is_refused(app, client, oidc_provider, sso_org):
    sso_org(create_accounts=True)
    before = _people(app)
    url = _authorize_url(client, "an@gemeente.be")
    state = parse_qs(urlsplit(url).query)["state"][0]
    back = oidc_provider.sign_in(url, sub="an-7", email="an@gemeente.be")
    with client.session_transaction() as session:
        key = f"_state_{client_name_for('gemeente')}_{state}"
        session[key]["data"]["nonce"] = "another-nonce"
        session.modified = True
    response = _come_back(client, back)
    assert _refused(response, 400, "We konden niet nagaan wie je bent")
    assert _people(app) == before and not _signed_in(client)
    assert _failures(app) == ["nonce"]


def client_name_for(key: str) -> str:
    from lms.sso.providers import ProviderConfig

    return client_name(ProviderConfig(key, "", "", "", "", "", "", "", False))


def test_a_callback_without_a_sign_in_started_here_is_refused(app, client, sso_org):
    sso_org()
    response = client.get("/login/organisation/callback?code=abc&state=def")
    assert _refused(response, 400, "Deze aanmelding is verlopen")
    assert _failures(app) == ["no_pending"]


def test_a_provider_that_does_not_answer_gets_a_clear_page(app, client, sso_org):
    from tests.oidc.provider import free_port

    app.config["LMS_SSO_PROVIDERS"] = {
        "gemeente": provider_settings(f"http://127.0.0.1:{free_port()}")
    }
    sso_org()
    response = begin(client, "an@gemeente.be")
    assert _refused(response, 400, "De aanmeldservice van je organisatie antwoordt niet")
    assert _failures(app) == ["provider_unreachable"]


def test_a_discovery_document_for_another_issuer_is_refused(app, client, oidc_provider, sso_org):
    """The operator's issuer and the provider's own must agree (OpenID Connect Discovery)."""
    app.config["LMS_SSO_PROVIDERS"] = {
        "gemeente": provider_settings(
            oidc_provider.issuer + "/elsewhere", discovery_url=oidc_provider.discovery_url
        )
    }
    sso_org()
    response = begin(client, "an@gemeente.be")
    assert response.status_code == 400
    assert _failures(app) == ["not_configured"]


def test_sign_in_pages_in_french(app, client, oidc_provider, sso_org):
    sso_org()
    client.get("/language/fr")
    page = client.get("/login/organisation").get_data(as_text=True)
    assert "<h1>Se connecter avec le compte de votre organisation</h1>" in page
    back = oidc_provider.sign_in(
        _authorize_url(client, "x@gemeente.be"), sub="x-2", email="x@gemeente.be"
    )
    assert _refused(_come_back(client, back), 403, "Vous n\u2019avez pas encore de compte")
