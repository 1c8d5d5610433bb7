"""The trainer's guide documents every code and every field of every registered type."""

from __future__ import annotations

import re
from pathlib import Path

from lms.authoring.builtin import default_registries
from lms.authoring.diagnostics import CODES
from lms.authoring.schema import format_models

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "authoring.md"


def test_every_code_has_a_row_with_its_name() -> None:
    rows = dict(re.findall(r"^\| ([EW]\d{3}) \| ([a-z-]+) \|", GUIDE.read_text("utf-8"), re.M))
    assert rows == {code.code: code.name for code in CODES.values()}


def test_every_type_and_field_is_explained() -> None:
    guide = GUIDE.read_text("utf-8")
    registries = default_registries()
    models = format_models(registries)
    for name, model in [*models.activities.items(), *models.questions.items()]:
        assert f"`type: {name}`" in guide, name
        for field in model.model_fields:
            assert f"`{field}`" in guide, (name, field)
