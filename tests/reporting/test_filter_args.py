"""Filter values from the URL: each unusable one falls back and is named as a problem (the
page shows it beside the field); good values pass through."""

from __future__ import annotations

from lms.reporting.filters import DEFAULT_SORT, ReportFilters
from lms.reporting.overview import OverviewFilters


def test_people_filters_fall_back_and_name_each_problem():
    filters = ReportFilters.from_args(
        {
            "status": "sleeping",
            "mandatory": "perhaps",
            "kind": "intern",
            "due_within": "-3",
            "due_before": "2027-02-30",
            "sort": "salary",
            "order": "sideways",
            "page": "99999999999",
        }
    )
    assert [p.field for p in filters.problems] == [
        "status",
        "mandatory",
        "kind",
        "due_within",
        "due_before",
        "sort",
        "order",
        "page",
    ]
    assert (filters.status, filters.mandatory, filters.kind) == (None, None, None)
    assert (filters.due_within, filters.due_before) == (None, None)
    assert (filters.sort, filters.descending, filters.page) == (DEFAULT_SORT, False, 1)


def test_people_filters_keep_good_values():
    filters = ReportFilters.from_args(
        {"status": "overdue", "kind": "volunteer", "sort": "percent", "order": "desc", "q": " An "}
    )
    assert filters.problems == ()
    assert (filters.status, filters.kind, filters.sort, filters.descending) == (
        "overdue",
        "volunteer",
        "percent",
        True,
    )
    assert filters.search == "An"


def test_overview_filters_fall_back_and_name_each_problem():
    filters = OverviewFilters.from_args(
        {"level": "galaxy", "kind": "robot", "sort": "salary", "order": "up"}
    )
    assert [p.field for p in filters.problems] == ["level", "kind", "sort", "order"]
    assert (filters.level, filters.kind, filters.descending) == (None, None, False)
    good = OverviewFilters.from_args({"level": "municipality", "order": "desc"})
    assert good.problems == () and good.level == "municipality" and good.descending
