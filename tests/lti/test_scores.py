"""Scores go back through the outbox: a platform that is down never fails the learner's
request; the score waits, is retried with back-off, and arrives when the platform is back."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from lms.assessment.models import Attempt
from lms.core.db import db, utcnow
from lms.lti import ags
from lms.lti.models import LtiAccount, LtiScore
from tests.assessment.conftest import WRONG
from tests.lti.helpers import take_test
from tests.lti.test_launch_flow import _launch


def _learner_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(LtiAccount.user_id))


def _best_score(app) -> float:
    with app.app_context():
        best = db.session.scalar(select(func.max(Attempt.scaled_score)))
        return round(best * 100, 2)


def test_a_platform_that_is_down_delays_the_score(
    app, tool_url, platform, registration, make_test, browser
):
    course = make_test(pass_mark="0.5")
    platform.links["link-1"] = {"url": f"{tool_url}/lti/courses/{course.slug}/modules/m1"}
    assert _launch(browser, platform, "link-1").status_code == 302
    platform.down = True
    submitted = take_test(app, browser, tool_url, _learner_id(app), answers=WRONG)
    assert submitted.status_code == 302  # the learner's request is not affected

    with app.app_context():
        assert ags.send_pending(db.session) == (0, 1)
        score = db.session.scalar(select(LtiScore))
        assert score.sent_at is None and score.attempts == 1
        assert "503" in score.last_error
        assert score.next_attempt_at > utcnow()
        # Not again before its time.
        assert ags.send_pending(db.session) == (0, 0)
    assert platform.gradebook == {}

    platform.down = False
    with app.app_context():
        db.session.execute(update(LtiScore).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        assert ags.send_pending(db.session) == (1, 0)
        score = db.session.scalar(select(LtiScore))
        assert score.sent_at is not None and score.attempts == 2
    sent = platform.gradebook[f"{platform.issuer}/lineitems/link-1"]["learner-81"]
    assert sent["activityProgress"] == "Submitted"  # failed test: the module is not done
    assert sent["scoreGiven"] == _best_score(app)


def test_a_score_is_given_up_after_the_last_attempt(
    app, tool_url, platform, registration, make_test, browser
):
    course = make_test(pass_mark="0.5")
    platform.links["link-1"] = {"url": f"{tool_url}/lti/courses/{course.slug}/modules/m1"}
    assert _launch(browser, platform, "link-1").status_code == 302
    platform.down = True
    take_test(app, browser, tool_url, _learner_id(app), answers=WRONG)
    app.config["LMS_LTI_MAX_ATTEMPTS"] = 2
    with app.app_context():
        for _ in range(2):
            db.session.execute(update(LtiScore).values(next_attempt_at=None))
            db.session.commit()
            assert ags.send_pending(db.session) == (0, 1)
        db.session.execute(update(LtiScore).values(next_attempt_at=None))
        db.session.commit()
        assert ags.send_pending(db.session) == (0, 0)


def test_the_whole_course_gets_its_completion(
    app, tool_url, platform, registration, make_test, browser
):
    """A link to the course (not a module): the completion comes with the course's."""
    course = make_test(pass_mark="0.5")
    platform.links["link-1"] = {"url": f"{tool_url}/lti/courses/{course.slug}"}
    assert _launch(browser, platform, "link-1").status_code == 302
    user_id = _learner_id(app)
    for section in course.sections_by_id:
        assert browser.get(f"{tool_url}/courses/{course.slug}/learn/{section}").status_code == 200
    take_test(app, browser, tool_url, user_id)
    with app.app_context():
        sent, failed = ags.send_pending(db.session)
        assert failed == 0 and sent >= 2
    score = platform.gradebook[f"{platform.issuer}/lineitems/link-1"]["learner-81"]
    assert score["activityProgress"] == "Completed"
    assert score["scoreGiven"] == _best_score(app)


def test_the_command_sends_the_scores(app, tool_url, platform, registration, make_test, browser):
    course = make_test(pass_mark="0.5")
    platform.links["link-1"] = {"url": f"{tool_url}/lti/courses/{course.slug}/modules/m1"}
    assert _launch(browser, platform, "link-1").status_code == 302
    take_test(app, browser, tool_url, _learner_id(app), answers=WRONG)
    result = app.test_cli_runner().invoke(args=["lms", "lti", "send-scores", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent 1, failed 0" in result.output
    assert "learner-81" in platform.gradebook[f"{platform.issuer}/lineitems/link-1"]


def test_erasing_a_launched_learner_removes_their_platform_links(
    app, tool_url, platform, registration, make_test, browser
):
    from lms.accounts.models import User
    from lms.lti.models import LtiGradeLink
    from lms.privacy.erasure import erase_person

    course = make_test(pass_mark="0.5")
    platform.links["link-1"] = {"url": f"{tool_url}/lti/courses/{course.slug}/modules/m1"}
    assert _launch(browser, platform, "link-1").status_code == 302
    take_test(app, browser, tool_url, _learner_id(app), answers=WRONG)
    with app.app_context():
        person = db.session.get(User, _learner_id(app))
        report = erase_person(db.session, person)
        db.session.commit()
        assert report.counts["lti_accounts"] == 1
        assert report.counts["lti_grade_links"] == 1
        assert report.counts["lti_scores"] == 1
        for model in (LtiAccount, LtiGradeLink, LtiScore):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
