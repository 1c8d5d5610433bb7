"""The forum settings in the course format: ``visibility`` and ``required_posts``."""

from __future__ import annotations

from lms.authoring.validate import validate_paths
from tests.forums.conftest import FORUMS
from tests.learning.conftest import course_yaml


def problems(tmp_path, extra: str) -> list[str]:
    folder = tmp_path / "courses"
    folder.mkdir(exist_ok=True)
    (folder / "c.yaml").write_text(
        course_yaml("c", 1, lessons=1, sections=1, extra_activities=extra), encoding="utf-8"
    )
    return [d.format() for d in validate_paths([folder]).diagnostics]


def test_visibility_course_or_organisation(tmp_path):
    assert problems(tmp_path, FORUMS) == []
    wrong = FORUMS.replace("visibility: organisation", "visibility: town")
    found = problems(tmp_path, wrong)
    assert len(found) == 1 and "E204" in found[0]


def test_the_default_visibility_is_not_stored(import_course):
    course = import_course(course_yaml("c2", 1, lessons=1, sections=1, extra_activities=FORUMS))
    assert "visibility" not in course.activities_by_id["f-course"].settings
    assert course.activities_by_id["f-org"].settings["visibility"] == "organisation"
