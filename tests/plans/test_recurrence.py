"""A plan's "when": occurrences keep their wall-clock time across daylight-saving changes and
agree with an independent RFC 5545 implementation (python-dateutil's rrule); times that do
not exist on a night the clocks go forward are found."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.plans.recurrence import WEEKDAYS, RuleError, When, exists, gaps, parse_rrule

BRUSSELS = "Europe/Brussels"


def test_the_rule_is_written_and_read_back():
    when = When(("MO", "TH"), 2, date(2027, 3, 1), time(9, 30), BRUSSELS, 30)
    assert when.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"
    assert parse_rrule(when.rrule) == (("MO", "TH"), 2)
    assert parse_rrule(None) == ((), 1)
    for bad in ("FREQ=DAILY", "FREQ=WEEKLY;INTERVAL=0;BYDAY=MO", "FREQ=WEEKLY;BYDAY=XX",
                "FREQ=WEEKLY;COUNT=3;BYDAY=MO"):  # fmt: skip
        with pytest.raises(RuleError):
            parse_rrule(bad)


def test_a_weekly_time_stays_at_nine_thirty_across_the_clock_change():
    when = When(("SU",), 1, date(2027, 3, 21), time(9, 30), BRUSSELS, 30)
    start = datetime(2027, 3, 20, tzinfo=UTC)
    moments = list(when.occurrences(start, start + timedelta(days=16)))
    assert [m.astimezone(ZoneInfo(BRUSSELS)).strftime("%d %H:%M") for m in moments] == [
        "21 09:30",
        "28 09:30",
        "04 09:30",
    ]
    # 08:30 UTC in winter time, 07:30 UTC in summer time.
    assert [m.hour for m in moments] == [8, 7, 7]


def test_a_single_moment():
    when = When((), 1, date(2027, 5, 3), time(14, 0), BRUSSELS, 45)
    assert when.rrule is None
    start = datetime(2027, 5, 1, tzinfo=UTC)
    assert list(when.occurrences(start, start + timedelta(days=5))) == [
        datetime(2027, 5, 3, 12, 0, tzinfo=UTC)
    ]
    assert list(when.occurrences(start + timedelta(days=3), start + timedelta(days=9))) == []


def test_times_that_do_not_exist():
    assert not exists(date(2027, 3, 28), time(2, 30), BRUSSELS)
    assert exists(date(2027, 3, 28), time(3, 0), BRUSSELS)
    assert exists(date(2027, 10, 31), time(2, 30), BRUSSELS)  # happens twice: it exists
    sundays = When(("SU",), 1, date(2027, 1, 3), time(2, 15), BRUSSELS, 30)
    assert gaps(sundays)[:2] == [date(2027, 3, 28), date(2028, 3, 26)]
    assert gaps(When(("MO",), 1, date(2027, 1, 4), time(2, 15), BRUSSELS, 30)) == []


@settings(max_examples=60, deadline=None)
@given(
    days=st.sets(st.sampled_from(WEEKDAYS), min_size=1),
    interval=st.integers(min_value=1, max_value=4),
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2029, 12, 31)),
    hour=st.sampled_from([7, 9, 12, 18, 21]),
    minute=st.sampled_from([0, 15, 30, 45]),
    offset=st.integers(min_value=0, max_value=400),
    span=st.integers(min_value=1, max_value=60),
)
def test_occurrences_agree_with_dateutil(days, interval, start, hour, minute, offset, span):
    weekdays = tuple(code for code in WEEKDAYS if code in days)
    first = next(start + timedelta(days=n) for n in range(7)
                 if WEEKDAYS[(start + timedelta(days=n)).weekday()] in weekdays)  # fmt: skip
    when = When(weekdays, interval, first, time(hour, minute), BRUSSELS, 30)
    tz = ZoneInfo(BRUSSELS)
    window_start = datetime.combine(first, time(0), tzinfo=tz) + timedelta(days=offset)
    window_end = window_start + timedelta(days=span)
    dtstart = datetime.combine(first, time(hour, minute), tzinfo=tz)
    rule = rrulestr(when.rrule, dtstart=dtstart)
    expected = [
        m.astimezone(UTC)
        for m in rule.between(window_start - timedelta(days=1), window_end, inc=True)
        if window_start <= m.astimezone(UTC) <= window_end
    ]
    ours = list(when.occurrences(window_start.astimezone(UTC), window_end.astimezone(UTC)))
    assert ours == expected
