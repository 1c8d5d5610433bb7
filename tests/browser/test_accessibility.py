"""axe-core finds no violation on any page a learner can reach, in Dutch and in French.

The list of pages is generated from the app's URL map, so a new page cannot escape.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import enrol, log_in

pytestmark = pytest.mark.browser

#: Endpoints a learner cannot or need not open as a page (with the reason).
NOT_LEARNER_PAGES = {
    "lms.core.static": "files, not pages",
    "lms.learning.media": "images, not pages",
    "lms.core.set_language": "redirects",
    "lms.core.health": "JSON for monitoring",
    "lms.core.ready": "JSON for monitoring",
    "lms.learning.resume": "redirects to a section",
    "favicon": "redirects",
    "lms.accounts.logout": "POST only",
    "lms.plans.calendar": "a calendar file (.ics), not a page",
    "lms.privacy.my_data_json": "a JSON file (All my data), not a page",
    # Open Badges: downloads and what the issuer publishes for software; the check page
    # (lms.badges.verify) is walked like any other page.
    "lms.badges.download_jwt": "a credential file, not a page",
    "lms.badges.download_json": "a credential file, not a page",
    "lms.badges.download_png": "an image file, not a page",
    "lms.badges.issuer": "JSON for verifiers",
    "lms.badges.jwks": "JSON for verifiers",
    "lms.badges.key": "JSON for verifiers",
    "lms.badges.revocations": "JSON for verifiers",
    "lms.badges.image": "an image, not a page",
    "lms.lti.jwks": "JSON for platforms (the tool's public key)",
}
NOT_LEARNER_PREFIXES = (
    "lms.admin.",
    "lms.organisations.",
    "lms.xapi.",
    # Coordinators' progress reports and assignment rules: axe in test_reports.py.
    "lms.reporting.",
    "lms.assignments.",
)
#: Features whose pages need data of their own (threads, session dates, attempts,
#: certificates, links, snapshots, labels) have their own axe tests in nl and fr next to their
#: browser journeys: test_forums.py, test_live_sessions.py, test_assessment*.py,
#: test_certificates*.py, test_invitations.py, test_overview.py.
OWN_AXE_TESTS = (
    "lms.forums.",
    "lms.live.",
    "lms.assessment.",
    "lms.certification.",
    "lms.passwords.",  # forgot password and the link pages: test_invitations.py
    "lms.national.",
    "lms.snapshots.",
    "lms.labels.",
    # Erasing, inactive accounts, the audit log: test_privacy.py ("All my data" is here).
    "lms.privacy.erase",
    "lms.privacy.retention",
    "lms.auditlog.",
    # The databank's pages (search, resource, favourites, lists, proposals, review):
    # test_databank.py.
    "lms.databank.",
    # Trainers' course versions, their history and their preview as a learner sees them
    # (with a version of its own, not yet published): test_preview.py.
    "lms.versions.",
)


def learner_urls(app) -> list[str]:
    values = {
        "slug": "connectoo",
        "section_id": "m1-l1-drie-kloven",
        "activity_id": "m1-forum",
        "module_id": "m1",  # an LTI link to a module: redirects to the course page
        "registration_id": "1",  # an administrator's page (LTI platforms): the 403 page
        "department_id": "1",  # a coordinator's page: a learner gets the 403 page
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_LEARNER_PAGES or rule.endpoint.startswith(
            NOT_LEARNER_PREFIXES + OWN_AXE_TESTS
        ):
            continue
        if "GET" not in rule.methods or rule.endpoint == "lms.learning.enrol_people":
            continue
        missing = [arg for arg in rule.arguments if arg not in values]
        assert not missing, f"add an example value for {missing} of {rule.endpoint}"
        urls.append(rule.build(values, append_unknown=False)[1])
    # Pages behind an id of another kind, reached from the course page:
    urls += ["/courses/connectoo/activities/m1-test", "/courses/connectoo/activities/m1-elearning"]
    return sorted(set(urls))


def run_axe(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return results.response["violations"]


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_no_axe_violations_on_learner_pages(live_app, live_server, new_page, live_user, language):
    page = new_page(language=language)
    # The login page, as anyone sees it first.
    page.goto(f"{live_server}/language/{language}?next=/login")
    assert page.evaluate("document.documentElement.lang") == language
    problems = {"/login": run_axe(page)}
    log_in(page, live_server, live_user(language=language))
    page.goto(f"{live_server}/courses/connectoo")
    enrol(page)
    urls = learner_urls(live_app)
    assert len(urls) >= 5
    for url in urls:
        page.goto(live_server + url)
        assert page.evaluate("document.documentElement.lang") == language, url
        problems[url] = run_axe(page)
    found = {
        url: [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
        for url, violations in problems.items()
        if violations
    }
    assert found == {}
