"""Counter labels are granted, warned and withdrawn at the right thresholds and dates.

A counter (department) earns the label when at least 80% of its active staff (volunteers and
leavers do not count) hold a valid certificate of the label's course, with at least 3 staff.
Below that, its coordinators are warned by e-mail in their language; 60 days after the
warning the label is withdrawn. Every run takes an explicit ``today``.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, update

from lms.accounts.models import User
from lms.certification.models import Certificate
from lms.core.audit import AuditEvent
from lms.core.db import db
from lms.core.i18n import gettext as _
from lms.labels.models import CounterLabel
from lms.labels.services import LabelRules, LabelSettingsError, update_labels
from lms.mail.models import OutgoingMail
from tests.reporting.conftest import department

DAY = date(2026, 3, 2)
SECTIONS = 8  # the report course: all 8 sections make it complete, with a certificate


@pytest.fixture
def counter(app, make_organisation, make_user, report_course, progress):
    """Veurne's Onthaal with 5 staff, 3 of them certified (60%: not enough), a certified
    volunteer and a certified leaver (neither counts); coordinators in nl and fr."""
    veurne = make_organisation("Veurne", ("Onthaal", "Sociaal huis"))
    onthaal = department(app, veurne, "Onthaal")
    staff = [make_user(name=f"Staff {n}", organisation=veurne, department=onthaal)
             for n in range(5)]  # fmt: skip
    for person in staff[:3]:
        progress(person, report_course, SECTIONS)
    volunteer = make_user(name="Volunteer", organisation=veurne, department=onthaal)
    leaver = make_user(name="Leaver", organisation=veurne, department=onthaal)
    for person, change in ((volunteer, {"kind": "volunteer"}), (leaver, {"active": False})):
        progress(person, report_course, SECTIONS)
        with app.app_context():
            user = db.session.get(User, person.id)
            for name, value in change.items():
                setattr(user, name, value)
            db.session.commit()
    coordinators = [
        make_user(name="Hilde", manages=[veurne], roles=("manager",), language="nl"),
        make_user(name="Marc", manages=[veurne], roles=("manager",), language="fr"),
    ]
    return veurne, onthaal, staff, coordinators


def run(app, today: date):
    with app.app_context():
        result = update_labels(
            db.session,
            LabelRules.from_config(app.config),
            today=today,
            people_link=lambda d, c: f"http://lms/progress/people?department={d.id}",
            verify_link=lambda label: f"http://lms/labels/verify?code={label.code}",
        )
        db.session.commit()
        return result


def labels(app, department_id: int) -> list[CounterLabel]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(CounterLabel)
                .where(CounterLabel.department_id == department_id)
                .order_by(CounterLabel.id)
            )
        )


def mails(app, template: str) -> list[OutgoingMail]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(OutgoingMail)
                .where(OutgoingMail.template == template)
                .order_by(OutgoingMail.id)
            )
        )


def test_granted_at_the_threshold_warned_below_it_and_withdrawn_after_the_grace_period(
    app, counter, make_user, report_course, progress
):
    veurne, onthaal, staff, coordinators = counter
    # 3 of 5 staff (60%): no label, although the volunteer and the leaver are certified too.
    assert run(app, DAY).granted == []
    assert labels(app, onthaal.id) == []
    # 4 of 5 (80%, exactly the threshold): granted today.
    progress(staff[3], report_course, SECTIONS)
    assert len(run(app, DAY).granted) == 1
    (label,) = labels(app, onthaal.id)
    assert (label.granted_on, label.warned_on, label.withdrawn_on) == (DAY, None, None)
    # The same day again: nothing changes.
    again = run(app, DAY)
    assert (again.granted, again.warned, again.withdrawn) == ([], [], [])
    assert len(labels(app, onthaal.id)) == 1

    # A newcomer: 4 of 6 (66%): warned, each coordinator mailed once, in their language.
    warned_on = DAY + timedelta(days=10)
    make_user(name="Newcomer", organisation=veurne, department=onthaal)
    assert len(run(app, warned_on).warned) == 1
    assert len(run(app, warned_on).warned) == 0  # the second run sends nothing
    (label,) = labels(app, onthaal.id)
    assert label.warned_on == warned_on and label.withdrawn_on is None
    warnings = mails(app, "label_warning")
    assert sorted(m.recipient for m in warnings) == sorted(c.email for c in coordinators)
    by_language = {m.language: m for m in warnings}
    with app.test_request_context():
        for language in ("nl", "fr"):
            with force_locale(language):
                subject = _(
                    "The label of %(department)s (%(organisation)s) is at risk",
                    department="Onthaal",
                    organisation="Veurne",
                )
            assert by_language[language].subject == subject
    assert by_language["nl"].subject != by_language["fr"].subject
    deadline = warned_on + timedelta(days=60)
    assert "4" in by_language["nl"].body and "6" in by_language["nl"].body
    assert f"department={onthaal.id}" in by_language["nl"].body

    # 59 days after the warning: still held (warned); on the 60th day: withdrawn.
    assert run(app, deadline - timedelta(days=1)).withdrawn == []
    assert labels(app, onthaal.id)[0].withdrawn_on is None
    assert len(run(app, deadline).withdrawn) == 1
    assert run(app, deadline).withdrawn == []
    (label,) = labels(app, onthaal.id)
    assert label.withdrawn_on == deadline
    assert len(mails(app, "label_withdrawn")) == 2

    # Back at 5 of 6 (83%): a new label, with a new code; the old one stays withdrawn.
    progress(staff[4], report_course, SECTIONS)
    later = deadline + timedelta(days=3)
    assert len(run(app, later).granted) == 1
    old, new = labels(app, onthaal.id)
    assert old.withdrawn_on == deadline and new.granted_on == later and new.withdrawn_on is None
    assert new.code != old.code
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.like("label.%"))
            .order_by(AuditEvent.id)
        ).all()
    assert actions == ["label.grant", "label.warn", "label.withdraw", "label.grant"]


def test_a_warned_counter_back_above_the_line_in_time_keeps_its_label(
    app, counter, make_user, report_course, progress
):
    veurne, onthaal, staff, _coordinators = counter
    progress(staff[3], report_course, SECTIONS)
    run(app, DAY)
    newcomer = make_user(name="Newcomer", organisation=veurne, department=onthaal)
    run(app, DAY + timedelta(days=1))
    assert labels(app, onthaal.id)[0].warned_on == DAY + timedelta(days=1)
    progress(newcomer, report_course, SECTIONS)  # 5 of 6
    result = run(app, DAY + timedelta(days=30))
    assert len(result.recovered) == 1 and result.withdrawn == []
    (label,) = labels(app, onthaal.id)
    assert label.warned_on is None and label.withdrawn_on is None
    # Long after the old warning's grace period: still held.
    assert run(app, DAY + timedelta(days=200)).withdrawn == []


def test_a_small_counter_never_gets_the_label(app, make_organisation, make_user, report_course,
                                              progress):  # fmt: skip
    small = make_organisation("Alveringem", ("Onthaal",))
    onthaal = department(app, small, "Onthaal")
    for _n in range(2):  # 2 of 2 certified, but fewer than 3 staff
        progress(make_user(organisation=small, department=onthaal), report_course, SECTIONS)
    assert run(app, DAY).granted == []
    third = make_user(organisation=small, department=onthaal)
    progress(third, report_course, SECTIONS)
    assert len(run(app, DAY).granted) == 1  # 3 of 3


def test_an_expired_certificate_no_longer_counts(app, counter, report_course, progress):
    _veurne, _onthaal, staff, _coordinators = counter
    progress(staff[3], report_course, SECTIONS)
    with app.app_context():
        last_day = db.session.scalar(
            select(func.min(Certificate.valid_until)).where(
                Certificate.user_id.in_([s.id for s in staff])
            )
        )
    assert last_day is not None  # the report course's certificate lasts 12 months
    assert len(run(app, DAY).granted) == 1
    assert run(app, last_day).warned == []  # still valid on its last day
    assert len(run(app, last_day + timedelta(days=1)).warned) == 1


def test_a_revoked_certificate_no_longer_counts(app, counter, report_course, progress):
    _veurne, _onthaal, staff, _coordinators = counter
    progress(staff[3], report_course, SECTIONS)
    assert len(run(app, DAY).granted) == 1
    with app.app_context():
        db.session.execute(
            update(Certificate).where(Certificate.user_id == staff[0].id).values(status="revoked")
        )
        db.session.commit()
    assert len(run(app, DAY).warned) == 1


def test_settings_are_checked_with_clear_messages(app):
    good = {"LMS_LABEL_COURSE": "rapport"}
    for bad, message in (
        ({"LMS_LABEL_COURSE": ""}, "must name a course"),
        ({**good, "LMS_LABEL_THRESHOLD": "most"}, "number like 0.8"),
        ({**good, "LMS_LABEL_THRESHOLD": 1.5}, "at most 1"),
        ({**good, "LMS_LABEL_MINIMUM_STAFF": 0}, "1 or more"),
        ({**good, "LMS_LABEL_GRACE_DAYS": -1}, "0 or more"),
    ):
        with pytest.raises(LabelSettingsError, match=message):
            LabelRules.from_config(bad)
    with app.app_context(), pytest.raises(LabelSettingsError, match="no course 'nope'"):
        update_labels(db.session, LabelRules.from_config({"LMS_LABEL_COURSE": "nope"}), today=DAY)


def test_the_command_runs_the_day_it_is_told_and_says_what_it_did(
    app, counter, report_course, progress
):
    _veurne, onthaal, staff, _coordinators = counter
    progress(staff[3], report_course, SECTIONS)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "labels", "update", "--today", "2026-03-02"])
    assert result.exit_code == 0, result.output
    assert "Labels on 2026-03-02: 1 granted, 0 warned" in result.output
    assert labels(app, onthaal.id)[0].granted_on == DAY
    again = runner.invoke(args=["lms", "labels", "update", "--today", "2026-03-02"])
    assert "0 granted, 0 warned, 0 kept after a warning, 0 withdrawn" in again.output
    app.config["LMS_LABEL_COURSE"] = "nope"
    failed = runner.invoke(args=["lms", "labels", "update"])
    assert failed.exit_code != 0 and "no course 'nope'" in failed.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CounterLabel)) == 1
