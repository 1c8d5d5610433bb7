"""Activity and question types come from registries; a new type needs no central edit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import jsonschema
import pytest
import yaml
from pydantic import Field

from lms.authoring.builtin import build_registries, default_registries
from lms.authoring.context import CheckContext
from lms.authoring.diagnostics import Diagnostic
from lms.authoring.fields import FormatModel, Text
from lms.authoring.jsonschema import course_schema
from lms.authoring.registry import ActivityType, DuplicateTypeError, Registry
from lms.authoring.types.forum import ForumType
from lms.authoring.validate import validate_paths


class SurveySettings(FormatModel):
    statements: list[Text] = Field(min_length=1)
    scale: int = Field(5, ge=2, le=10)


class SurveyType(ActivityType):
    """A type that a later issue (or a plugin) could add."""

    name = "survey"
    description = "Statements rated on a scale."
    settings: ClassVar = SurveySettings

    def check(self, activity: Any, path: Any, ctx: CheckContext) -> Iterator[Diagnostic]:
        if len(activity.statements) > activity.scale:
            yield ctx.diagnostic("E205", (*path, "statements"), "more statements than points")


SURVEY_COURSE = """\
id: with-survey
title: Cursus
languages: [nl]
modules:
  - id: m1
    title: Module 1
    activities:
      - id: s1
        type: survey
        title: Bevraging
        statements: [Een, Twee, Drie]
        scale: 2
      - id: s2
        type: survey
        title: Bevraging
        statments: [Een]
"""


def test_built_in_types() -> None:
    registries = default_registries()
    assert registries.activities.names() == ["elearning", "test", "forum", "webinar", "session"]
    assert registries.questions.names() == [
        "single_choice",
        "multiple_choice",
        "true_false",
        "matching",
        "ordering",
        "short_answer",
    ]


def test_a_name_registered_twice_is_refused() -> None:
    registry: Registry[ActivityType] = Registry("activity", [ForumType()])
    with pytest.raises(DuplicateTypeError, match="'forum' is registered twice"):
        registry.register(ForumType())


def test_a_new_type_brings_its_schema_and_checks(tmp_path: Path) -> None:
    registries = build_registries(plugins=False)
    registries.activities.register(SurveyType())
    course = tmp_path / "survey.yaml"
    course.write_text(SURVEY_COURSE, encoding="utf-8")

    result = validate_paths([course], registries=registries)
    assert [(d.code, d.line, d.col, d.hint) for d in result.diagnostics] == [
        ("E205", 11, 21, ""),
        ("E202", 13, 9, "add `statements:`"),
        ("E201", 16, 9, "did you mean `statements`?"),
    ]
    schema = course_schema(registries)
    survey = schema["$defs"]["SurveyActivity"]
    assert survey["properties"]["scale"]["maximum"] == 10
    data = yaml.safe_load(SURVEY_COURSE)
    messages = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]
    assert any("statments" in m for m in messages)
    # Without the type, the same file names an unknown type.
    plain = validate_paths([course])
    assert {d.code for d in plain.diagnostics} == {"E210"}
