"""Which automatic reminder is due, and why a coordinator's reminder is refused: the rules
as plain functions of a status."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lms.learning.statuses import (
    CERTIFIED,
    COMPLETED,
    DUE_SOON,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
    EnrolmentStatus,
)
from lms.reminders import services
from lms.reminders.models import BEFORE_DUE, NONE, NORMAL, ONLY_OVERDUE
from lms.reminders.models import OVERDUE as OVERDUE_KIND

TODAY = date(2027, 6, 1)
RULES = services.ReminderSettings(days_before=(14, 3), overdue_every=7)


def status(days_left, *, mandatory=True, progress=IN_PROGRESS, percent=40, today=TODAY):
    """The status on ``today`` of an enrolment due ``days_left`` days later."""
    due_on = None if days_left is None else today + timedelta(days=days_left)
    compliance = None
    if mandatory:
        compliance = OVERDUE if days_left is not None and days_left < 0 else DUE_SOON
    return EnrolmentStatus(
        progress=progress,
        percent=percent,
        mandatory=mandatory,
        compliance=compliance,
        due_on=due_on,
        renewal=False,
        days_left=days_left,
        at_risk=False,
    )


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (30, None),
        (15, None),
        (14, (BEFORE_DUE, 14)),
        (10, (BEFORE_DUE, 14)),
        (4, (BEFORE_DUE, 14)),
        (3, (BEFORE_DUE, 3)),  # the smallest threshold reached
        (0, (BEFORE_DUE, 3)),  # due today
        (-1, (OVERDUE_KIND, 0)),  # the day after the due day
        (-7, (OVERDUE_KIND, 0)),
        (-8, (OVERDUE_KIND, 1)),  # a week later
        (-15, (OVERDUE_KIND, 2)),
    ],
)
def test_the_reminder_due_for_the_days_left(days_left, expected):
    due = services.automatic_reminder(status(days_left), RULES)
    if expected is None:
        assert due is None
    else:
        kind, number = expected
        due_on = TODAY + timedelta(days=days_left)
        assert due == services.Due(kind, f"{due_on.isoformat()}:{number}", due_on)


def test_a_changed_due_date_gets_its_own_reminders():
    first = services.automatic_reminder(status(3), RULES)
    moved = services.automatic_reminder(status(2), RULES)
    assert first.key != moved.key  # another due day: another key


@pytest.mark.parametrize("progress", [COMPLETED, CERTIFIED])
def test_never_to_someone_who_completed(progress):
    for days_left in (10, 2, -1, -30):
        assert services.automatic_reminder(status(days_left, progress=progress), RULES) is None


def test_no_due_date_no_automatic_reminder():
    assert services.automatic_reminder(status(None), RULES) is None


def test_overdue_every_zero_means_one_overdue_reminder():
    rules = services.ReminderSettings(days_before=(3,), overdue_every=0)
    due_on = TODAY
    keys = {
        services.automatic_reminder(status(-late, today=due_on + timedelta(days=late)), rules).key
        for late in range(1, 40)
    }
    assert keys == {f"{due_on.isoformat()}:0"}
    weekly = {
        services.automatic_reminder(status(-late, today=due_on + timedelta(days=late)), RULES).key
        for late in range(1, 40)
    }
    assert len(weekly) == 6  # days 1, 8, 15, 22, 29 and 36 after the due day


@pytest.mark.parametrize(
    ("frequency", "before", "overdue"),
    [(NORMAL, True, True), (ONLY_OVERDUE, False, True), (NONE, False, False)],
)
def test_voluntary_courses_follow_the_persons_preference(frequency, before, overdue):
    voluntary_before = services.automatic_reminder(status(2, mandatory=False), RULES, frequency)
    voluntary_late = services.automatic_reminder(status(-2, mandatory=False), RULES, frequency)
    assert (voluntary_before is not None) is before
    assert (voluntary_late is not None) is overdue


@pytest.mark.parametrize("frequency", [NORMAL, ONLY_OVERDUE, NONE])
def test_mandatory_courses_ignore_the_preference(frequency):
    assert services.automatic_reminder(status(2), RULES, frequency) is not None
    assert services.automatic_reminder(status(-2), RULES, frequency) is not None


def test_why_a_coordinator_reminder_is_refused():
    refuse = services.manual_refusal
    assert refuse(status(5, progress=CERTIFIED), "a@b.be", NORMAL, False) == services.COMPLETED
    assert refuse(status(5), None, NORMAL, False) == services.NO_EMAIL
    assert refuse(status(5, mandatory=False), "a@b.be", NONE, False) == services.ASKED_NONE
    assert (
        refuse(status(5, mandatory=False), "a@b.be", ONLY_OVERDUE, False)
        == services.ASKED_ONLY_OVERDUE
    )
    assert refuse(status(-5, mandatory=False), "a@b.be", ONLY_OVERDUE, False) is None
    assert refuse(status(5), "a@b.be", NONE, False) is None  # mandatory
    assert refuse(status(None, progress=NOT_STARTED), "a@b.be", NORMAL, True) == (
        services.ALREADY_TODAY
    )


def test_settings_from_the_configuration():
    rules = services.ReminderSettings.from_config(
        {"LMS_REMINDER_DAYS_BEFORE": [3, 14, 3], "LMS_REMINDER_OVERDUE_EVERY_DAYS": 5}
    )
    assert rules.days_before == (14, 3) and rules.overdue_every == 5 and rules.horizon == 14
