"""The statuses, defined once next to the completion engine (docs/monitoring.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lms.learning import engine
from lms.learning.statuses import (
    CERTIFIED,
    COMPLETED,
    COMPLIANT,
    DUE_SOON,
    IN_PROGRESS,
    NOT_STARTED,
    ON_TRACK,
    OVERDUE,
    CertificateFact,
    Terms,
    due_day,
    end_of_day,
    enrolment_status,
)

TODAY = date(2027, 3, 1)
NOT = engine.State(0.0, engine.NOT_STARTED)
HALF = engine.State(0.5, engine.IN_PROGRESS)
DONE = engine.State(1.0, engine.COMPLETED)


def cert(valid_until=None, status="valid"):
    return CertificateFact("ABCD2345EFGH", datetime(2026, 1, 1, tzinfo=UTC), valid_until, status)


def mandatory(due=None, renews=False):
    return Terms(mandatory=True, due_on=due, renews=renews)


@pytest.mark.parametrize(
    ("state", "certificate", "expected"),
    [
        (NOT, None, NOT_STARTED),
        (HALF, None, IN_PROGRESS),
        (DONE, None, COMPLETED),
        (DONE, cert(), CERTIFIED),
        (DONE, cert(date(2027, 3, 1)), CERTIFIED),  # the last valid day still counts
        (DONE, cert(date(2027, 2, 28)), COMPLETED),  # expired
        (DONE, cert(status="revoked"), COMPLETED),
    ],
)
def test_progress_statuses(state, certificate, expected):
    assert enrolment_status(state, Terms(), certificate, TODAY).progress == expected


def test_voluntary_enrolments_have_no_compliance():
    status = enrolment_status(HALF, Terms(due_on=date(2027, 1, 1)), None, TODAY)
    assert status.compliance is None and not status.at_risk


@pytest.mark.parametrize(
    ("state", "due", "expected"),
    [
        (NOT, None, ON_TRACK),
        (NOT, date(2027, 3, 31), DUE_SOON),  # 30 days: due soon
        (NOT, date(2027, 4, 1), ON_TRACK),  # 31 days
        (HALF, date(2027, 3, 1), DUE_SOON),  # due today: not yet overdue
        (HALF, date(2027, 2, 28), OVERDUE),
        (DONE, date(2027, 2, 28), COMPLIANT),  # finished late is still done
    ],
)
def test_compliance_of_mandatory_enrolments(state, due, expected):
    assert enrolment_status(state, mandatory(due), None, TODAY).compliance == expected


def test_at_risk_is_due_soon_and_far_from_done():
    due = date(2027, 3, 10)
    assert enrolment_status(HALF, mandatory(due), None, TODAY).at_risk
    nearly = engine.State(0.8, engine.IN_PROGRESS)
    assert not enrolment_status(nearly, mandatory(due), None, TODAY).at_risk
    assert not enrolment_status(HALF, mandatory(date(2027, 2, 1)), None, TODAY).at_risk


def test_renewal_makes_an_expired_certificate_due_again():
    expired = cert(date(2027, 2, 1))
    status = enrolment_status(DONE, mandatory(date(2026, 6, 30), renews=True), expired, TODAY)
    assert (status.progress, status.compliance) == (COMPLETED, OVERDUE)
    assert status.due_on == date(2027, 2, 1) and status.renewal
    # Without renewal the same person is compliant: the course was done.
    status = enrolment_status(DONE, mandatory(date(2026, 6, 30)), expired, TODAY)
    assert status.compliance == COMPLIANT and status.due_on == date(2026, 6, 30)
    # Still valid: compliant, and the renewal day is the next due day.
    valid = cert(date(2027, 12, 31))
    status = enrolment_status(DONE, mandatory(date(2026, 6, 30), renews=True), valid, TODAY)
    assert (status.progress, status.compliance, status.due_on) == (
        CERTIFIED,
        COMPLIANT,
        date(2027, 12, 31),
    )


def test_due_day_round_trip():
    assert due_day(end_of_day(date(2027, 6, 30))) == date(2027, 6, 30)
    assert due_day(None) is None
