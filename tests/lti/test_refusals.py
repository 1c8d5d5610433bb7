"""Bad launches, each from the real platform (its own keys) with one thing wrong: refused
with a plain-language page (400/403, never a 500), written to the audit log, and nobody
signed in or created."""

from __future__ import annotations

import base64
import json
import time

import jwt as pyjwt
import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.core.db import db
from lms.lti.blueprint import refusal_text
from lms.lti.models import LtiAccount, LtiNonce, LtiRegistration
from tests.lti.helpers import refusals
from tests.lti.platform import new_rsa_pem

DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"


def resign(platform, token: str, change, key: str | None = None) -> str:
    """The platform's id_token with ``change`` applied to its claims, signed again with the
    platform's key (or ``key``), with the same ``kid``."""
    header = pyjwt.get_unverified_header(token)
    claims = pyjwt.decode(token, options={"verify_signature": False})
    change(claims)
    return pyjwt.encode(
        claims, key or platform.private_pem, algorithm="RS256", headers={"kid": header["kid"]}
    )


@pytest.fixture
def course(tool_url, platform, make_test):
    course = make_test()
    platform.links["link-1"] = {"url": f"{tool_url}/lti/courses/{course.slug}/modules/m1"}
    return course


@pytest.fixture
def english(browser):
    browser.session.headers["Accept-Language"] = "en"
    return browser


def launch_form(browser, platform, who: str = "learner-81"):
    page = browser.get(f"{platform.issuer}/course/link-1/open?as={who}")
    return page


def assert_refused(app, response, reason: str, status: int) -> None:
    assert response.status_code == status, response.text
    with app.test_request_context(headers={"Accept-Language": "en"}):
        title, message = (str(text) for text in refusal_text(reason))
    assert f"<h1>{title}</h1>" in response.text
    assert message.replace("'", "&#39;") in response.text
    assert [r["reason"] for r in refusals(app)] == [reason]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LtiAccount)) == 0
        assert db.session.scalar(select(User.id).where(User.email.like("lotte%"))) is None


def _flip_signature(token: str) -> str:
    head, body, signature = token.split(".")
    flipped = ("A" if signature[10] != "A" else "B") + signature[11:]
    return f"{head}.{body}.{signature[:10]}{flipped}"


def test_a_forged_signature_is_refused(app, platform, registration, course, english):
    platform.tamper_token = _flip_signature
    response = english.submit(launch_form(english, platform), 0)
    assert_refused(app, response, "signature", 400)


def test_a_token_signed_by_another_key_is_refused(app, platform, registration, course, english):
    other_key = new_rsa_pem()[0]
    platform.tamper_token = lambda t: resign(platform, t, lambda c: None, key=other_key)
    response = english.submit(launch_form(english, platform), 0)
    assert_refused(app, response, "signature", 400)


def test_changed_claims_without_a_new_signature_are_refused(
    app, platform, registration, course, english
):
    """The payload of a real token swapped for another (a forged e-mail address)."""

    def swap_payload(token: str) -> str:
        head, _, signature = token.split(".")
        claims = pyjwt.decode(token, options={"verify_signature": False})
        claims["email"] = "mayor@westhoek.be"
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"{head}.{body}.{signature}"

    platform.tamper_token = swap_payload
    response = english.submit(launch_form(english, platform), 0)
    assert_refused(app, response, "signature", 400)


@pytest.mark.parametrize(
    ("issued", "expires"),
    [(-180, -120), (-4000, 300)],
    ids=["exp-passed", "issued-too-long-ago"],
)
def test_an_expired_token_is_refused(app, platform, registration, course, english, issued, expires):
    def expire(claims):
        claims["iat"], claims["exp"] = int(time.time()) + issued, int(time.time()) + expires

    platform.tamper_token = lambda t: resign(platform, t, expire)
    response = english.submit(launch_form(english, platform), 0)
    assert_refused(app, response, "expired", 400)


def test_a_replayed_launch_is_refused(app, platform, registration, course, english):
    """Someone who copied the posted form and the state cookie sends them again."""
    page = launch_form(english, platform)
    cookies = english.session.cookies.copy()
    first = english.submit(page, 0, allow_redirects=False)
    assert first.status_code == 302
    attacker = type(english)()
    attacker.session.headers["Accept-Language"] = "en"
    attacker.session.cookies.update(cookies)
    again = attacker.submit(page, 0)
    assert again.status_code == 403, again.text
    assert [r["reason"] for r in refusals(app)] == ["replayed"]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert str(refusal_text("replayed")[0]) in again.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LtiNonce)) == 1


def test_a_wrong_nonce_is_refused(app, platform, registration, course, english):
    platform.tamper_token = lambda t: resign(platform, t, lambda c: c.update(nonce="mine"))
    response = english.submit(launch_form(english, platform), 0)
    assert_refused(app, response, "nonce", 400)


def _aud_only(claims):
    claims["aud"] = "another-tool"
    claims.pop("azp", None)


def _azp_other(claims):
    claims["aud"] = [claims["aud"], "another-tool"]
    claims["azp"] = "another-tool"


@pytest.mark.parametrize("change", [_aud_only, _azp_other], ids=["aud", "azp"])
def test_a_token_for_another_tool_is_refused(app, platform, registration, course, english, change):
    platform.tamper_token = lambda t: resign(platform, t, change)
    response = english.submit(launch_form(english, platform), 0)
    assert_refused(app, response, "audience", 400)


def test_an_unregistered_deployment_in_the_token_is_refused(
    app, platform, registration, course, english
):
    platform.tamper_token = lambda t: resign(
        platform, t, lambda c: c.update({DEPLOYMENT_CLAIM: "deployment-elsewhere"})
    )
    response = english.submit(launch_form(english, platform), 0)
    assert_refused(app, response, "unknown_deployment", 403)


def test_a_login_from_an_unregistered_deployment_is_refused(
    app, platform, registration, course, english
):
    platform.deployment_id = "deployment-elsewhere"
    response = launch_form(english, platform)
    assert_refused(app, response, "unknown_deployment", 403)


def test_a_login_from_an_unregistered_platform_is_refused(
    app, platform, registration, course, english
):
    with app.app_context():
        db.session.get(LtiRegistration, registration).active = False
        db.session.commit()
    response = launch_form(english, platform)
    assert_refused(app, response, "unknown_platform", 403)


def test_a_token_from_an_unregistered_issuer_is_refused(
    app, platform, registration, course, english
):
    platform.tamper_token = lambda t: resign(
        platform, t, lambda c: c.update(iss="https://moodle.elsewhere.example")
    )
    response = english.submit(launch_form(english, platform), 0)
    assert_refused(app, response, "unknown_platform", 403)


def test_a_wrong_state_is_refused(app, platform, registration, course, english):
    response = english.submit(launch_form(english, platform), 0, extra={"state": "guessed"})
    assert_refused(app, response, "state", 400)


def test_a_launch_in_another_browser_is_refused(app, platform, registration, course, english):
    """The form posted without the state cookie of the browser that started the login."""
    page = launch_form(english, platform)
    english.session.cookies.clear()
    response = english.submit(page, 0)
    assert_refused(app, response, "state", 400)


def test_a_learner_cannot_choose_content(app, platform, registration, course, english):
    page = english.get(f"{platform.issuer}/course/choose-content?as=learner-81")
    response = english.submit(page, 0)
    assert response.status_code == 403
    assert [r["reason"] for r in refusals(app)] == ["not_a_teacher"]


def test_a_tampered_deep_linking_context_is_refused(app, platform, registration, course, english):
    page = english.get(f"{platform.issuer}/course/choose-content?as=teacher-12")
    choice = english.submit(page, 0)
    context = english.forms(choice)[-1]["fields"]["context"]
    response = english.submit(choice, extra={"context": context[:-2] + "xx", "resource": "toets"})
    assert_refused(app, response, "state", 400)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "iss=http://127.0.0.1:1/unknown&login_hint=x&target_link_uri=http://127.0.0.1/",
    ],
)
def test_login_initiation_without_a_known_platform(app, tool_url, english, query):
    response = english.get(f"{tool_url}/lti/login?{query}")
    assert response.status_code in (400, 403)
    assert len(refusals(app)) == 1


def _race(url: str, cookies, fields: dict) -> list[int]:
    """Post the same form from two threads released together; their status codes."""
    import threading

    import requests

    barrier = threading.Barrier(2)
    codes: list[int] = []

    def post() -> None:
        session = requests.Session()
        session.cookies.update(cookies)
        barrier.wait()
        answer = session.post(url, data=fields, allow_redirects=False, timeout=30)
        codes.append(answer.status_code)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(codes)


def test_the_same_launch_twice_at_once_is_accepted_once(app, platform, registration, course):
    """Two copies of one launch posted at the same moment to a server with a thread per
    request (as two gunicorn workers would get them): the nonce's unique key lets one in."""
    from tests.lti.conftest import Browser
    from tests.lti.platform import Server, free_port

    port = free_port()
    server = Server(app, port, threaded=True)
    try:
        for _ in range(5):
            browser = Browser()
            page = launch_form(browser, platform)
            fields = browser.forms(page)[0]["fields"]
            url = f"http://127.0.0.1:{port}/lti/launch"
            assert _race(url, browser.session.cookies.copy(), fields) == [302, 403]
    finally:
        server.stop()
    assert {r["reason"] for r in refusals(app)} == {"replayed"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LtiAccount)) == 1


def test_choosing_nothing_asks_again(app, platform, registration, course, english):
    page = english.get(f"{platform.issuer}/course/choose-content?as=teacher-12")
    choice = english.submit(page, 0)
    again = english.submit(choice, extra={"resource": "no-such-course/m9"})
    assert again.status_code == 422
    assert 'class="error-summary"' in again.text
    assert english.forms(again)[-1]["fields"]["context"]  # the teacher can still choose
    assert platform.deep_link_items == []
