"""The plan tests use the report tests' course, towns and helpers."""

from tests.reporting.conftest import (  # noqa: F401 (fixtures)
    add_rule,
    count_queries,
    import_course,
    progress,
    report_course,
    towns,
)
