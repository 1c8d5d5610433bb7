"""``certificate: {template, valid_for_months}`` in a course file: checked, documented, and
read into the catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.authoring.validate import validate_paths
from tests.certification.conftest import certified_course_yaml
from tests.conftest import REPO


def problems(tmp_path: Path, certificate_line: str) -> list[tuple[str, int]]:
    text = certified_course_yaml("checked").replace(
        "certificate: {template: connectoo, valid_for_months: 36}", certificate_line
    )
    path = tmp_path / "checked.yaml"
    path.write_text(text, encoding="utf-8")
    result = validate_paths([path], certificates_dir=REPO / "certificates")
    return [(d.code, d.line) for d in result.diagnostics]


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("certificate: {template: connectoo, valid_for_months: 0}", "E205"),
        ("certificate: {template: connectoo, valid_for_months: 121}", "E205"),
        ("certificate: {template: connectoo, valid_for_months: '36'}", "E203"),
        ("certificate: {template: connectoo, valid_for: 36}", "E201"),
        ("certificate: {template: connecto}", "E403"),
    ],
)
def test_wrong_certificate_settings_are_reported(tmp_path, line, code):
    assert problems(tmp_path, line) == [(code, 5)]  # the line of `certificate:`


def test_valid_settings_pass_and_reach_the_catalog(tmp_path, import_course):
    assert problems(tmp_path, "certificate: {template: connectoo, valid_for_months: 36}") == []
    assert problems(tmp_path, "certificate: {template: connectoo}") == []
    assert import_course(certified_course_yaml("months")).certificate_valid_for_months == 36
    course = import_course(certified_course_yaml("forever", valid_for_months=None))
    assert course.certificate_template == "connectoo"
    assert course.certificate_valid_for_months is None


def test_the_guide_documents_the_fields():
    guide = (REPO / "docs" / "authoring.md").read_text(encoding="utf-8")
    assert "`valid_for_months`" in guide and "certificates/<template>.html" in guide
    schema = (REPO / "schema" / "course.schema.json").read_text(encoding="utf-8")
    assert "valid_for_months" in schema
