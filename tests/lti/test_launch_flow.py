"""The whole LTI 1.3 flow against a real platform on 127.0.0.1: login initiation, the
platform's authentication, the id_token posted back, landing on the module; Deep Linking
chosen by a teacher and verified by the platform with the tool's JWKS; scores arriving in
the platform's grade book."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from lms.accounts.models import User
from lms.assessment.models import Attempt
from lms.core.db import db
from lms.learning.models import Enrolment
from lms.lti import ags
from lms.lti.models import LtiAccount, LtiGradeLink, LtiScore
from tests.lti.helpers import refusals, take_test


def _launch(browser, platform, link_id: str, who: str = "learner-81"):
    """Click the link in the platform: returns the tool's answer to the posted id_token."""
    form_page = browser.get(f"{platform.issuer}/course/{link_id}/open?as={who}")
    assert form_page.status_code == 200, form_page.text
    form = browser.forms(form_page)[0]
    assert form["action"].endswith("/lti/launch")
    return browser.submit(form_page, 0, allow_redirects=False)


def test_launch_lands_on_the_module_and_scores_reach_the_grade_book(
    app, tool_url, platform, registration, organisation, make_test, browser
):
    course = make_test(pass_mark="0.5")
    platform.links["link-1"] = {
        "url": f"{tool_url}/lti/courses/{course.slug}/modules/m1",
        "title": "Connectoo module 1",
    }
    landed = _launch(browser, platform, "link-1")
    assert landed.status_code == 302, landed.text
    assert landed.headers["Location"].endswith(f"/courses/{course.slug}#module-m1")
    page = browser.get(requests_url(tool_url, landed.headers["Location"]))
    assert page.status_code == 200
    assert urlsplit(page.url).path == f"/courses/{course.slug}"
    assert 'id="module-m1"' in page.text
    assert "Lotte Claes" in page.text  # signed in as the platform's person

    with app.app_context():
        account = db.session.scalar(select(LtiAccount).where(LtiAccount.subject == "learner-81"))
        user = db.session.get(User, account.user_id)
        assert user.organisation_id == organisation.id
        assert user.email == "lotte.claes@westhoek.be"
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id))
        assert enrolment.source == "lti"
        link = db.session.scalar(select(LtiGradeLink).where(LtiGradeLink.user_id == user.id))
        assert link.module_id == "m1"
        assert link.lineitem_url == f"{platform.issuer}/lineitems/link-1"
        user_id = user.id

    # The learner finishes the module: the section, then the test.
    assert browser.get(f"{tool_url}/courses/{course.slug}/learn/m1-l1-s1").status_code == 200
    submitted = take_test(app, browser, tool_url, user_id)
    assert submitted.status_code == 302

    with app.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.user_id == user_id))
        expected = round(attempt.scaled_score * 100, 2)
        assert attempt.passed
        assert ags.send_pending(db.session) == (2, 0)  # the test's score, then the completion
        assert db.session.scalar(select(LtiScore.id).where(LtiScore.sent_at.is_(None))) is None
    score = platform.gradebook[f"{platform.issuer}/lineitems/link-1"]["learner-81"]
    assert score["scoreGiven"] == expected
    assert score["scoreMaximum"] == 100
    assert score["activityProgress"] == "Completed"
    assert score["gradingProgress"] == "FullyGraded"
    assert platform.tokens_issued == 1
    assert refusals(app) == []


def requests_url(base: str, location: str) -> str:
    return location if location.startswith("http") else base + location


def test_a_second_launch_finds_the_same_person(
    app, tool_url, platform, registration, make_test, browser
):
    course = make_test()
    platform.links["link-1"] = {"url": f"{tool_url}/lti/courses/{course.slug}", "title": "C"}
    assert _launch(browser, platform, "link-1").status_code == 302
    other_browser = type(browser)()
    assert _launch(other_browser, platform, "link-1").status_code == 302
    assert platform.jwks_requests == 1  # the platform's key set is cached
    with app.app_context():
        accounts = db.session.scalars(select(LtiAccount)).all()
        assert len(accounts) == 1
        assert db.session.scalars(select(User).where(User.email == "lotte.claes@westhoek.be")).all()


def test_deep_linking_choice_is_verified_by_the_platform_and_launches_the_module(
    app, tool_url, platform, registration, make_test, browser
):
    course = make_test()
    form_page = browser.get(f"{platform.issuer}/course/choose-content?as=teacher-12")
    choice = browser.submit(form_page, 0)
    assert choice.status_code == 200, choice.text
    assert f'value="{course.slug}/m1"' in choice.text
    assert f"frame-ancestors {platform.issuer}" in choice.headers["Content-Security-Policy"]
    answer = browser.submit(choice, extra={"resource": f"{course.slug}/m1"})
    assert answer.status_code == 200, answer.text
    return_form = browser.forms(answer)[-1]
    assert return_form["action"] == f"{platform.issuer}/deep-link/return"
    # A browser may post the form there: the page's policy names the platform.
    assert f"form-action 'self' {platform.issuer}" in answer.headers["Content-Security-Policy"]
    saved = browser.submit(answer)
    assert saved.status_code == 200, saved.text  # the platform verified it with our JWKS
    assert len(platform.deep_link_items) == 1
    item = platform.deep_link_items[0]
    assert item["type"] == "ltiResourceLink"
    assert item["custom"] == {"lms_course": course.slug, "lms_module": "m1"}
    assert item["url"] == f"{tool_url}/lti/courses/{course.slug}/modules/m1"

    # A learner opens what the teacher added.
    learner = type(browser)()
    landed = _launch(learner, platform, "link-1")
    assert landed.status_code == 302, landed.text
    assert landed.headers["Location"].endswith(f"/courses/{course.slug}#module-m1")
    assert refusals(app) == []


def test_an_existing_account_is_found_by_e_mail_in_the_organisation(
    app, tool_url, platform, registration, organisation, make_user, make_test, browser
):
    lotte = make_user(name="Lotte C.", email="Lotte.Claes@westhoek.be", organisation=organisation)
    course = make_test()
    platform.links["link-1"] = {"url": f"{tool_url}/lti/courses/{course.slug}"}
    assert _launch(browser, platform, "link-1").status_code == 302
    with app.app_context():
        account = db.session.scalar(select(LtiAccount))
        assert account.user_id == lotte.id
        assert db.session.scalar(select(User.id).where(User.email.like("%westhoek%"))) == lotte.id


def test_an_account_of_another_organisation_is_not_taken_over(
    app, tool_url, platform, registration, make_organisation, make_user, make_test, browser
):
    elsewhere = make_organisation("Diksmuide")
    make_user(email="lotte.claes@westhoek.be", organisation=elsewhere)
    course = make_test()
    platform.links["link-1"] = {"url": f"{tool_url}/lti/courses/{course.slug}"}
    refused = _launch(browser, platform, "link-1")
    assert refused.status_code == 403
    assert [r["reason"] for r in refusals(app)] == ["other_organisation"]
    with app.app_context():
        assert db.session.scalar(select(LtiAccount)) is None
