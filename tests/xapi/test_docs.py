"""docs/xapi.md shows every statement the LMS sends, and its examples follow our rules."""

from __future__ import annotations

import json
import re
from pathlib import Path

from lms.xapi.validation import problems
from lms.xapi.vocabulary import ACTIVITY_TYPES, VERBS

DOC = Path(__file__).resolve().parents[2] / "docs" / "xapi.md"


def examples() -> list[dict]:
    blocks = re.findall(r"```json\n(.*?)\n```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    return [json.loads(block) for block in blocks]


def test_every_example_follows_our_rules():
    found = examples()
    assert found
    for statement in found:
        assert problems(statement) == [], statement["verb"]["id"]


def test_every_verb_and_activity_type_is_documented():
    text = DOC.read_text(encoding="utf-8")
    shown = {statement["verb"]["id"] for statement in examples()}
    assert shown == set(VERBS.values())
    for activity_type in ACTIVITY_TYPES.values():
        assert activity_type in text


def test_every_configuration_key_is_documented():
    from lms import config

    text = DOC.read_text(encoding="utf-8")
    keys = [k for k in dir(config) if k.startswith(("LMS_XAPI_", "LMS_LRS_"))]
    assert keys
    for key in keys:
        assert key in text, key
