"""JSON Schema of course and bank files, composed from the registries.

Editors (e.g. VS Code with the YAML extension) use it to autocomplete and check files as
trainers type. It is generated from the same pydantic models as the validator, then made
friendlier: the choice of activity or question type is an if/then per ``type`` (so an editor
reports the fields of the type written, not of every type), and shared fields (texts, ids,
completion rules) are named definitions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lms.authoring.fields import COMPLETION_JSON_SCHEMA, TEXT_JSON_SCHEMA
from lms.authoring.registry import Registries
from lms.authoring.schema import format_models

DRAFT = "https://json-schema.org/draft/2020-12/schema"
FILES = {
    "course": "course.schema.json",
    "bank": "quiz.schema.json",
    "resource": "resource.schema.json",
}

_SHARED = {
    "Text": TEXT_JSON_SCHEMA,
    "Completion": COMPLETION_JSON_SCHEMA,
}


def _auto_title(name: str) -> str:
    return name.replace("_", " ").title()


def _tidy(node: Any, defs: dict[str, Any]) -> Any:
    """Name the shared definitions, drop pydantic's automatic titles, split unions by type."""
    if isinstance(node, list):
        return [_tidy(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    for name, shared in _SHARED.items():
        if node.get("anyOf") == shared["anyOf"]:
            rest = {k: v for k, v in node.items() if k != "anyOf" and shared.get(k) != v}
            return {"$ref": f"#/$defs/{name}", **_tidy(rest, defs)}
    if "oneOf" in node and _is_type_union(node["oneOf"], defs):
        return _if_then(node["oneOf"], defs)
    result = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            tidied = {}
            for prop, schema in value.items():
                schema = _tidy(schema, defs)
                if isinstance(schema, dict) and schema.get("title") == _auto_title(prop):
                    schema = {k: v for k, v in schema.items() if k != "title"}
                tidied[prop] = schema
            result[key] = tidied
        else:
            result[key] = _tidy(value, defs)
    return result


def _ref_name(schema: Any) -> str | None:
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _type_const(name: str | None, defs: dict[str, Any]) -> str | None:
    target = defs.get(name or "", {})
    return target.get("properties", {}).get("type", {}).get("const")


def _is_type_union(options: list[Any], defs: dict[str, Any]) -> bool:
    return bool(options) and all(_type_const(_ref_name(o), defs) for o in options)


def _if_then(options: list[Any], defs: dict[str, Any]) -> dict[str, Any]:
    names = [_type_const(_ref_name(o), defs) for o in options]
    return {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": names, "description": "The registered type."}},
        "allOf": [
            {
                "if": {"properties": {"type": {"const": name}}, "required": ["type"]},
                "then": {"$ref": option["$ref"]},
            }
            for name, option in zip(names, options, strict=True)
        ],
    }


def _finish(raw: dict[str, Any], title: str) -> dict[str, Any]:
    defs = raw.pop("$defs", {})
    tidied_defs = {name: _tidy(schema, defs) for name, schema in sorted(defs.items())}
    body = _tidy(raw, defs)
    body.pop("title", None)
    return {
        "$schema": DRAFT,
        "title": title,
        **body,
        "$defs": {**tidied_defs, **_SHARED},
    }


def course_schema(registries: Registries | None = None) -> dict[str, Any]:
    """JSON Schema of a course file (courses/*.yaml)."""
    raw = format_models(registries).course.model_json_schema()
    return _finish(raw, "Course (courses/*.yaml)")


def bank_schema(registries: Registries | None = None) -> dict[str, Any]:
    """JSON Schema of a question-bank file (quizzes/*.yaml)."""
    raw = format_models(registries).bank.model_json_schema()
    return _finish(raw, "Question bank (quizzes/*.yaml)")


def resource_schema(registries: Registries | None = None) -> dict[str, Any]:
    """JSON Schema of a databank resource file (courses/resources/*.yaml)."""
    from lms.authoring.resources import ResourceFile

    raw = ResourceFile.model_json_schema()
    return _finish(raw, "Databank resource (courses/resources/*.yaml)")


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(output: Path, registries: Registries | None = None) -> list[Path]:
    """Write course.schema.json, quiz.schema.json and resource.schema.json into ``output``;
    return their paths."""
    output.mkdir(parents=True, exist_ok=True)
    written = []
    builders = (("course", course_schema), ("bank", bank_schema), ("resource", resource_schema))
    for kind, build in builders:
        path = output / FILES[kind]
        path.write_text(render(build(registries)), encoding="utf-8")
        written.append(path)
    return written
