"""Fixtures of the label tests: the report course (certified) as the label's course."""

from __future__ import annotations

import pytest

from tests.learning.conftest import count_queries, import_course  # noqa: F401
from tests.reporting.conftest import progress, report_course  # noqa: F401


@pytest.fixture
def app_config():
    return {
        "LMS_LABEL_COURSE": "rapport",
        "LMS_LABEL_THRESHOLD": 0.8,
        "LMS_LABEL_MINIMUM_STAFF": 3,
        "LMS_LABEL_GRACE_DAYS": 60,
    }
