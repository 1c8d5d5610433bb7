"""The plan-prompt experiment: off by default; a share from 0 to 0.5 set by an administrator;
each new enrolment assigned once at random (balanced within tolerance over 1,000); the
"no prompt" group never prompted; the group exported with the people table; the comparison
equal to this test's own arithmetic."""

from __future__ import annotations

import math
import random
import statistics
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from lms.accounts.models import User
from lms.core.db import db
from lms.learning import services as learning
from lms.learning.models import Enrolment
from lms.learning.statuses import StatusSettings
from lms.plans import experiment
from lms.plans.models import NO_PROMPT, PROMPT, PlanGroup
from lms.reporting.filters import ReportFilters
from lms.reporting.reports import people_report
from tests.conftest import csrf_token, login


@pytest.fixture
def app_config():
    return {"LMS_PLAN_EXPERIMENT_SEED": 20270601}


def _people(app, organisation, n: int, prefix: str = "p") -> list[int]:
    with app.app_context():
        users = [
            User(full_name=f"{prefix} {i}", email=f"{prefix}{i}@exp.be", organisation_id=org)
            for i in range(n)
            for org in [organisation.id]
        ]
        db.session.add_all(users)
        db.session.commit()
        return [u.id for u in users]


def _enrol_all(app, course, user_ids) -> dict[int, int]:
    with app.app_context():
        enrolments = {}
        for user in db.session.scalars(select(User).where(User.id.in_(user_ids))):
            enrolment, _ = learning.enrol(db.session, user, course)
            enrolments[user.id] = enrolment.id
        db.session.commit()
        return enrolments


def _start(app, share: float) -> int:
    with app.app_context():
        run = experiment.start_experiment(db.session, share)
        db.session.commit()
        return run.id


def test_off_by_default_nobody_is_assigned(app, towns, report_course):
    de_panne, _ = towns
    _enrol_all(app, report_course, _people(app, de_panne, 5))
    with app.app_context():
        assert experiment.active_experiment(db.session) is None
        assert db.session.scalar(select(PlanGroup.enrolment_id)) is None


def test_assignment_is_balanced_over_a_thousand_enrolments(app, towns, report_course):
    """Share 0.3 of 1,000: the no-prompt group is within 4 standard deviations of 300
    (sqrt(1000 * 0.3 * 0.7) = 14.5, so 300 +/- 58); a fair draw falls outside with a
    probability below 1 in 15,000, and the draws are seeded (LMS_PLAN_EXPERIMENT_SEED)."""
    de_panne, _ = towns
    run_id = _start(app, 0.3)
    enrolments = _enrol_all(app, report_course, _people(app, de_panne, 1000))
    with app.app_context():
        groups = dict(
            db.session.execute(
                select(PlanGroup.enrolment_id, PlanGroup.grp).where(
                    PlanGroup.experiment_id == run_id
                )
            ).all()
        )
    assert set(groups) == set(enrolments.values())  # everyone assigned, once
    no_prompt = sum(g == NO_PROMPT for g in groups.values())
    sd = math.sqrt(1000 * 0.3 * 0.7)
    assert abs(no_prompt - 300) <= 4 * sd, no_prompt
    # Re-enrolling assigns nothing new and changes no group.
    _enrol_all(app, report_course, list(enrolments))
    with app.app_context():
        again = dict(db.session.execute(select(PlanGroup.enrolment_id, PlanGroup.grp)).all())
    assert again == groups


def test_the_draw_itself_is_unbiased():
    generator = random.Random(7)
    for share in (0.0, 0.1, 0.5):
        n = 100_000
        hits = sum(experiment.draw(share, generator) == NO_PROMPT for _ in range(n))
        assert abs(hits - n * share) <= 4 * math.sqrt(n * share * (1 - share)) + 1


def test_the_no_prompt_group_is_never_prompted(app, client, make_user, towns, report_course):
    de_panne, _ = towns
    _start(app, 0.5)
    app.config["LMS_PLAN_EXPERIMENT_SEED"] = None
    seen = {PROMPT: 0, NO_PROMPT: 0}
    while min(seen.values()) == 0:
        user = make_user(organisation=de_panne)
        browser = app.test_client()
        login(browser, user)
        token = csrf_token(browser, "/courses/rapport")
        location = browser.post("/courses/rapport/enrol", data={"csrf_token": token}).headers[
            "Location"
        ]
        with app.app_context():
            group = db.session.scalar(
                select(PlanGroup.grp)
                .join(Enrolment, Enrolment.id == PlanGroup.enrolment_id)
                .where(Enrolment.user_id == user.id)
            )
        seen[group] += 1
        prompted = "/plan" in location
        assert prompted == (group == PROMPT)
        home = browser.get("/").get_data(as_text=True)
        assert ("/courses/rapport/plan" in home) == (group == PROMPT)
        resume = browser.get("/courses/rapport/continue").headers["Location"]
        assert ("/plan" in resume) == (group == PROMPT)


def test_the_group_is_exported_with_the_people_table(app, make_user, towns, report_course):
    de_panne, _ = towns
    _start(app, 0.5)
    enrolments = _enrol_all(app, report_course, _people(app, de_panne, 20))
    coordinator = make_user(manages=[de_panne], roles=("manager",))
    with app.app_context():
        groups = dict(db.session.execute(select(PlanGroup.enrolment_id, PlanGroup.grp)).all())
        report = people_report(
            db.session,
            db.session.get(User, coordinator.id),
            ReportFilters(),
            StatusSettings.from_config(app.config),
            language="en",
        )
        index = [c.key for c in report.columns].index("plan_group")
        words = {PROMPT: "Saw the plan prompt", NO_PROMPT: "No plan prompt"}
        for row in report.iter_rows():
            assert row.plan_group == groups[enrolments[row.user_id]]
            assert report.values(row)[index] == words[row.plan_group]


# The comparison ---------------------------------------------------------------------------------


def _wilson(x: int, n: int) -> tuple[float, float]:
    """Wilson's interval from the roots of its quadratic (another route than the app's)."""
    z2 = 1.959963984540054**2
    p = x / n
    a = 1 + z2 / n
    b = -(2 * p + z2 / n)
    c = p * p
    root = math.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


def _newcombe(x1, n1, x2, n2):
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = _wilson(x1, n1), _wilson(x2, n2)
    d = p1 - p2
    return d - math.hypot(p1 - l1, u2 - p2), d + math.hypot(u1 - p1, p2 - l2)


def _complete(app, enrolment_ids_days: dict[int, float]) -> None:
    with app.app_context():
        for enrolment_id, days in enrolment_ids_days.items():
            enrolment = db.session.get(Enrolment, enrolment_id)
            db.session.execute(
                update(Enrolment)
                .where(Enrolment.id == enrolment_id)
                .values(completed_at=enrolment.enrolled_at + timedelta(days=days))
            )
        db.session.commit()


def test_the_comparison_equals_our_own_arithmetic(app, towns, report_course):
    de_panne, _ = towns
    _start(app, 0.5)
    enrolments = _enrol_all(app, report_course, _people(app, de_panne, 160))
    with app.app_context():
        groups = dict(db.session.execute(select(PlanGroup.enrolment_id, PlanGroup.grp)).all())
    prompt = sorted(e for e, g in groups.items() if g == PROMPT)
    control = sorted(e for e, g in groups.items() if g == NO_PROMPT)
    # Most of the prompt group finishes, few of the other; durations differ per person.
    done = {e: 3 + (i % 11) * 1.5 for i, e in enumerate(prompt[: int(len(prompt) * 0.7)])}
    done |= {e: 10 + (i % 5) for i, e in enumerate(control[: int(len(control) * 0.3)])}
    _complete(app, done)
    with app.app_context():
        (comparison,) = experiment.compare(db.session, min_group=30)
    assert sorted(enrolments.values()) == sorted(prompt + control)
    for result, members in ((comparison.prompt, prompt), (comparison.no_prompt, control)):
        finished = [e for e in members if e in done]
        assert result.enrolled == len(members)
        assert result.completed == len(finished)
        assert result.rate == pytest.approx(len(finished) / len(members))
        assert result.mean_days == pytest.approx(statistics.fmean(done[e] for e in finished))
        assert result.median_days == pytest.approx(statistics.median(done[e] for e in finished))
    x1, n1 = len([e for e in prompt if e in done]), len(prompt)
    x2, n2 = len([e for e in control if e in done]), len(control)
    assert comparison.difference == pytest.approx(x1 / n1 - x2 / n2)
    low, high = comparison.interval
    expected_low, expected_high = _newcombe(x1, n1, x2, n2)
    assert (low, high) == (pytest.approx(expected_low), pytest.approx(expected_high))
    assert low > 0 and comparison.verdict == experiment.PROMPT_MORE


def test_small_groups_or_an_interval_across_zero_are_too_small_to_tell(app, towns, report_course):
    de_panne, _ = towns
    _start(app, 0.5)
    _enrol_all(app, report_course, _people(app, de_panne, 20))
    with app.app_context():
        (comparison,) = experiment.compare(db.session, min_group=30)
    assert comparison.verdict == experiment.TOO_SMALL
    with app.app_context():
        (comparison,) = experiment.compare(db.session, min_group=1)
    assert comparison.verdict == experiment.UNCLEAR  # nobody finished: a difference of 0


def test_changing_the_share_starts_a_new_run(app, towns, report_course):
    de_panne, _ = towns
    first = _start(app, 0.5)
    _enrol_all(app, report_course, _people(app, de_panne, 4, "a"))
    second = _start(app, 0.2)
    _enrol_all(app, report_course, _people(app, de_panne, 6, "b"))
    with app.app_context():
        comparisons = experiment.compare(db.session)
        runs = [c.experiment.id for c in comparisons]
        sizes = [c.prompt.enrolled + c.no_prompt.enrolled for c in comparisons]
        assert runs == [second, first] and sizes == [6, 4]
        assert comparisons[1].experiment.ended_at is not None


@pytest.mark.parametrize(
    ("raw", "share"), [("20", 0.2), ("12,5", 0.125), ("50 %", 0.5), ("0", 0.0)]
)
def test_shares_typed_as_percentages(raw, share):
    assert experiment.check_share(raw) == share


@pytest.mark.parametrize("raw", ["60", "-1", "abc", "", "nan", "inf", "0.5.1"])
def test_shares_outside_zero_to_fifty_per_cent_are_refused(raw):
    with pytest.raises(experiment.ExperimentError):
        experiment.check_share(raw)


def test_the_service_refuses_a_share_above_half(app):
    with app.app_context(), pytest.raises(experiment.ExperimentError):
        experiment.start_experiment(db.session, 0.6)


def test_the_administrator_runs_and_stops_it_on_a_page(app, client, make_user, towns):
    de_panne, _ = towns
    coordinator = make_user(manages=[de_panne], roles=("manager",), language="en")
    login(client, coordinator)
    assert client.get("/admin/experiment").status_code == 403
    admin = make_user(roles=("admin",), language="en")
    browser = app.test_client()
    login(browser, admin)
    page = browser.get("/admin/experiment").get_data(as_text=True)
    assert "The experiment is off" in page
    token = csrf_token(browser, "/admin/experiment")
    refused = browser.post("/admin/experiment", data={"csrf_token": token, "share": "70"})
    assert refused.status_code == 422
    assert "The share must be from 0 to 50 per cent" in refused.get_data(as_text=True)
    browser.post("/admin/experiment", data={"csrf_token": token, "share": "25"})
    page = browser.get("/admin/experiment").get_data(as_text=True)
    assert "25% of new enrolments see no prompt" in page
    assert "Too small to tell: each group needs at least 30 people." in page
    browser.post("/admin/experiment", data={"csrf_token": token, "action": "stop"})
    assert "The experiment is off" in browser.get("/admin/experiment").get_data(as_text=True)
    with app.app_context():
        assert experiment.active_experiment(db.session) is None


def test_enrolled_at_is_the_start_of_time_to_completion(app, towns, report_course):
    """Durations are measured from enrolment (not from the run's start)."""
    de_panne, _ = towns
    _start(app, 0.0)
    (enrolment_id,) = _enrol_all(app, report_course, _people(app, de_panne, 1)).values()
    _complete(app, {enrolment_id: 2.5})
    with app.app_context():
        (comparison,) = experiment.compare(db.session, min_group=1)
    assert comparison.prompt.days == (pytest.approx(2.5),)
    assert comparison.no_prompt.enrolled == 0 and comparison.difference is None
    assert datetime.now(UTC) >= comparison.generated_at
