"""Targets: the configuration is checked, people certified are counted per month from their
first certificate (revoked ones do not count), the target line is a straight line, and the
chart says it all in words and in a table, with no inline style (CSP)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from lms.catalog.queries import get_course_def
from lms.certification.models import Certificate
from lms.core.db import db
from lms.reporting.target_chart import target_chart
from lms.reporting.targets import Target, line_value, parse_targets, target_progress
from tests.conftest import login

TODAY = date(2026, 5, 15)
START = date(2026, 1, 1)
BY = date(2026, 12, 31)
#: Day each learner completed the course; the last one's certificate is revoked.
COMPLETED = [date(2026, 1, 20), date(2026, 3, 2), date(2026, 3, 30), date(2026, 5, 3),
             date(2026, 4, 10)]  # fmt: skip


def test_the_configuration_is_checked_with_a_message_for_each_mistake():
    targets, problems = parse_targets(
        {
            "connectoo": {"certified": 10000, "by": "2027-06-30", "from": "2025-07-01"},
            "plus": {"certified": 0, "by": "2027-06-30"},
            "late": {"certified": 5, "by": "2027-02-30"},
            "backwards": {"certified": 5, "by": "2027-01-01", "from": "2027-06-01"},
            "odd": 12,
        }
    )
    assert targets == [Target("connectoo", 10000, date(2027, 6, 30), date(2025, 7, 1))]
    assert len(problems) == 4
    assert any("plus" in p and "above 0" in p for p in problems)
    assert any("late" in p and "2027-06-30" in p for p in problems)
    assert any("backwards" in p and "before" in p for p in problems)
    assert parse_targets(["connectoo"])[1] == ["LMS_TARGETS must map course ids to targets."]
    assert parse_targets({}) == ([], [])


def test_the_target_line_is_straight_and_rounds_down():
    target = Target("c", 1000, BY, START)
    days = (BY - START).days
    assert line_value(target, START, START) == 0
    assert (
        line_value(target, START, date(2026, 3, 1))
        == 1000 * (date(2026, 3, 1) - START).days // days
    )
    assert line_value(target, START, BY) == 1000
    assert line_value(target, START, date(2027, 3, 1)) == 1000


@pytest.fixture
def certified(app, make_user, report_course, progress):
    people = []
    for n, day in enumerate(COMPLETED):
        person = make_user(name=f"Learner {n}")
        at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
        progress(person, report_course, 8, at=at)
        people.append(person)
    with app.app_context():
        db.session.execute(
            update(Certificate).where(Certificate.user_id == people[-1].id).values(status="revoked")
        )
        db.session.commit()
    return people


def test_people_are_counted_per_month_against_the_line(app, certified, report_course):
    target = Target(report_course.slug, 12, BY, START)
    with app.app_context():
        course = get_course_def(db.session, report_course.slug)
        (result,) = target_progress(db.session, [target], {course.slug: course}, TODAY)
    counted = sorted(COMPLETED[:-1])  # the revoked one does not count
    assert result.earned == len(counted) == 4
    assert result.percent == 4 * 100 // 12
    assert result.expected == 12 * (TODAY - START).days // (BY - START).days
    assert result.difference == result.earned - result.expected
    assert [m.month for m in result.months] == [date(2026, m, 1) for m in range(1, 13)]
    new = [sum(1 for d in counted if d.month == m) for m in range(1, 13)]
    for m, point in enumerate(result.months, start=1):
        if m <= TODAY.month:
            assert point.new == new[m - 1]
            assert point.cumulative == sum(new[:m])
        else:  # months still to come
            assert point.new == 0 and point.cumulative is None
        end = date(2026, m + 1, 1) if m < 12 else date(2027, 1, 1)
        days_in = (date.fromordinal(end.toordinal() - 1) - START).days
        assert point.expected_at_end == min(12, 12 * days_in // (BY - START).days)


#: Moments near the end of a month (UTC) and the Belgian month they fall in: winter is
#: UTC+1, summer (from 29 March 2026) UTC+2.
NEAR_MIDNIGHT = [
    (datetime(2026, 1, 31, 22, 59, tzinfo=UTC), 1),  # 23:59 on 31 January
    (datetime(2026, 1, 31, 23, 0, tzinfo=UTC), 2),  # 00:00 on 1 February
    (datetime(2026, 3, 31, 21, 59, 59, tzinfo=UTC), 3),  # 23:59:59 on 31 March
    (datetime(2026, 3, 31, 22, 0, tzinfo=UTC), 4),  # 00:00 on 1 April
    (datetime(2026, 3, 31, 22, 14, tzinfo=UTC), 4),  # the same quarter of an hour
    (datetime(2026, 4, 30, 21, 45, 30, tzinfo=UTC), 4),  # 23:45:30 on 30 April
]


def test_each_person_counts_in_the_belgian_month_of_their_completion(
    app, make_user, report_course, progress
):
    for n, (moment, _month) in enumerate(NEAR_MIDNIGHT):
        progress(make_user(name=f"Laat {n}"), report_course, 8, at=moment)
    target = Target(report_course.slug, 12, BY, START)
    with app.app_context():
        course = get_course_def(db.session, report_course.slug)
        (result,) = target_progress(db.session, [target], {course.slug: course}, TODAY)
    expected = Counter(month for _moment, month in NEAR_MIDNIGHT)
    assert {p.month.month: p.new for p in result.months if p.new} == dict(expected)
    assert result.earned == len(NEAR_MIDNIGHT)
    # Brussels' own reading of each moment agrees (the test's table is right).
    brussels = ZoneInfo("Europe/Brussels")
    assert [m.astimezone(brussels).month for m, _ in NEAR_MIDNIGHT] == [
        month for _, month in NEAR_MIDNIGHT
    ]


def test_without_a_start_the_line_starts_in_the_month_of_the_first_certificate(
    app, certified, report_course
):
    with app.app_context():
        course = get_course_def(db.session, report_course.slug)
        (result,) = target_progress(
            db.session, [Target(course.slug, 12, BY)], {course.slug: course}, TODAY
        )
    assert result.start == date(2026, 1, 1)
    assert result.months[0].month == date(2026, 1, 1)


def test_the_chart_says_it_in_words_and_uses_no_inline_style(app, certified, report_course):
    target = Target(report_course.slug, 12, BY, START)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        course = get_course_def(db.session, report_course.slug)
        (result,) = target_progress(db.session, [target], {course.slug: course}, TODAY)
        chart = target_chart(result)
    svg = str(chart.svg)
    assert "style=" not in svg and "style=" not in str(chart.legend)
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert chart.summary in svg
    assert "4 of the 12 people" in chart.summary
    expected_line = 12 * (TODAY - START).days // (BY - START).days
    if expected_line > 4:
        assert f"{expected_line - 4} fewer than the target line" in chart.summary
    # One marker per month that has passed, and the dashed target line.
    assert svg.count("<circle") == TODAY.month
    assert 'stroke-dasharray="8 6"' in svg


@pytest.fixture
def app_config():
    return {
        "LMS_TARGETS": {
            "rapport": {"certified": 12, "by": "2030-12-31"},
            "ghost": {"certified": 5, "by": "2030-12-31"},
            "broken": {"certified": "many", "by": "2030-12-31"},
        }
    }


def test_the_page_shows_the_chart_its_table_and_the_target_problems(
    app, client, certified, make_user
):
    login(client, make_user(roles=("admin",), language="en"))
    html = client.get("/progress/national/", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert 'id="chart-target-rapport"' in html
    assert re.search(r'<table class="table" id="target-table-rapport">', html)
    assert "The course ghost of a target does not exist." in html
    assert "The target of broken is left out" in html
    assert " style=" not in html
