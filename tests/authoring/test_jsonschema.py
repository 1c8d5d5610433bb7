"""The generated JSON Schema agrees with the validator on valid and broken files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from lms.authoring.jsonschema import (
    bank_schema,
    course_schema,
    render,
    resource_schema,
    write_schemas,
)
from lms.authoring.loader import load_document
from tests.authoring.helpers import BROKEN, VALID

REPO = Path(__file__).resolve().parents[2]

#: Broken files whose problem is one of shape, which a JSON Schema can see.
SCHEMA_ERRORS = [
    "unknown-key.yaml",
    "missing-field.yaml",
    "wrong-type.yaml",
    "invalid-value.yaml",
    "pass-mark.yaml",
    "too-few-items.yaml",
    "bank-too-few-items.yaml",
    "invalid-id.yaml",
    "body-conflict.yaml",
    "unknown-activity-type.yaml",
    "bank-unknown-question-type.yaml",
    "five-errors.yaml",
]


def _data(file: Path) -> dict:
    """The file as the validator reads it (same YAML parser), dates as an editor sees them
    (ISO strings: a resource's `added`)."""
    doc, _problems = load_document(file)
    assert doc is not None
    return json.loads(json.dumps(doc.data, default=str))


def _validator(data: dict) -> jsonschema.Draft202012Validator:
    if "resource" in data:
        return jsonschema.Draft202012Validator(resource_schema())
    schema = bank_schema() if "questions" in data else course_schema()
    return jsonschema.Draft202012Validator(schema)


def _shipped() -> list[Path]:
    return sorted([*REPO.glob("courses/**/*.yaml"), *REPO.glob("quizzes/**/*.yaml")])


def test_schemas_are_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(course_schema())
    jsonschema.Draft202012Validator.check_schema(bank_schema())
    jsonschema.Draft202012Validator.check_schema(resource_schema())


def test_schema_accepts_the_valid_fixtures_and_every_shipped_file() -> None:
    files = [*VALID.glob("**/*.yaml"), *_shipped()]
    assert len(files) >= 2
    for file in files:
        data = _data(file)
        errors = [e.message for e in _validator(data).iter_errors(data)]
        assert errors == [], file


@pytest.mark.parametrize("name", SCHEMA_ERRORS)
def test_schema_rejects_broken_files(name: str) -> None:
    data = _data(BROKEN / name)
    assert list(_validator(data).iter_errors(data)), name


def test_schema_names_the_fields_of_each_type() -> None:
    schema = course_schema()
    activity = schema["$defs"]["Module"]["properties"]["activities"]["items"]
    assert activity["properties"]["type"]["enum"] == [
        "elearning",
        "test",
        "forum",
        "webinar",
        "session",
    ]
    test = schema["$defs"]["TestActivity"]
    assert test["properties"]["pass_mark"]["maximum"] == 1
    assert test["additionalProperties"] is False


def test_committed_schema_files_are_up_to_date(tmp_path: Path) -> None:
    written = write_schemas(tmp_path)
    assert [p.name for p in written] == [
        "course.schema.json",
        "quiz.schema.json",
        "resource.schema.json",
    ]
    for path in written:
        committed = REPO / "schema" / path.name
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            "run `lms schema` and commit schema/"
        )
    assert json.loads(render(course_schema()))["$schema"].endswith("2020-12/schema")
