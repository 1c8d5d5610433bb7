"""Turn pydantic validation errors into diagnostics with positions and stable codes."""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Hashable
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, Tag, ValidationError

from lms.authoring.context import did_you_mean
from lms.authoring.diagnostics import Diagnostic
from lms.authoring.fields import suggest_slug
from lms.authoring.loader import Document, Path_

_EXPECTED = {
    "string_type": "a string",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
    "text-type": "a text (a string, or a mapping from language to string)",
    "completion-type": "all, any, or a list of ids",
}
_RANGE = {
    "greater_than": "more than {gt}",
    "greater_than_equal": "at least {ge}",
    "less_than": "less than {lt}",
    "less_than_equal": "at most {le}",
}


def describe(value: Any) -> str:
    """How a YAML value reads to a trainer ("a string", "true/false", ...)."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, dt.date):
        return "a date"
    return type(value).__name__


def _unwrap(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return _unwrap(args[0])
    return tp


def _tag_of(tp: Any) -> str | None:
    if get_origin(tp) is Annotated:
        for meta in tp.__metadata__:
            if isinstance(meta, Tag):
                return meta.tag
    return None


def model_at(root: Any, loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model that validated the mapping at pydantic location ``loc`` below ``root``."""
    tp = _unwrap(root)
    for part in loc:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            tp = _unwrap(field.annotation)
        elif get_origin(tp) in (list, tuple) and isinstance(part, int):
            tp = _unwrap(get_args(tp)[0])
        elif get_origin(tp) in (Union, types.UnionType):
            member = next((a for a in get_args(tp) if _tag_of(a) == part), None)
            if member is None:
                return None
            tp = _unwrap(member)
        else:
            return None
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def data_path(data: Any, loc: tuple[Any, ...]) -> tuple[list[Hashable], Any]:
    """Follow ``loc`` through ``data``; parts that do not index it (union tags) are skipped."""
    path: list[Hashable] = []
    node = data
    for part in loc:
        in_mapping = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_mapping or in_list):
            continue
        node = node[part]
        path.append(part)
    return path, node


def _label(path: list[Hashable], loc: tuple[Any, ...]) -> str:
    names = [p for p in path if isinstance(p, str)]
    if path and isinstance(path[-1], int):
        owner = names[-1] if names else "list"
        return f"item {path[-1] + 1} of `{owner}`"
    return f"`{names[-1]}`" if names else "the file"


def _quote_hint(value: Any) -> str:
    if isinstance(value, bool | int | float | dt.date) or value is None:
        return "put the value in quotes to make it a string"
    return ""


def translate(
    exc: ValidationError, doc: Document, prefix: Path_, data: Any, root: Any
) -> list[Diagnostic]:
    """Diagnostics for the errors of validating ``data`` (at ``prefix`` in ``doc``)."""
    result: list[Diagnostic] = []
    for error in exc.errors():
        diagnostic = _one(error, doc, tuple(prefix), data, root)
        if diagnostic is not None and diagnostic not in result:
            result.append(diagnostic)
    return result


def _one(  # one branch per kind of error keeps the mapping readable
    error: Any, doc: Document, prefix: Path_, data: Any, root: Any
) -> Diagnostic | None:
    kind: str = error["type"]
    loc: tuple[Any, ...] = tuple(error["loc"])
    ctx: dict[str, Any] = error.get("ctx") or {}
    rel, value = data_path(data, loc)
    path = (*prefix, *rel)
    label = _label(list(path), loc)

    if kind == "extra_forbidden":
        key = rel[-1] if rel else loc[-1]
        model = model_at(root, loc[:-1])
        allowed = sorted(model.model_fields) if model else []
        hint = did_you_mean(str(key), allowed) or (
            "allowed keys: " + ", ".join(allowed) if allowed else ""
        )
        if key == "<<":
            hint = "merge keys (<<) are not supported: write the fields out"
        return doc.diagnostic("E201", path, f"unknown key `{key}`", hint, at_key=True)
    if kind == "missing":
        name = loc[-1]
        return doc.diagnostic("E202", path, f"missing required field `{name}`", f"add `{name}:`")
    if kind in ("unknown-activity-type", "unknown-question-type"):
        what = "activity" if kind == "unknown-activity-type" else "question"
        if not isinstance(value, dict) or "type" not in value:
            return doc.diagnostic(
                "E202",
                path,
                "missing required field `type`",
                "types: " + ", ".join(ctx.get("expected", [])),
            )
        kind_value = value["type"]
        if not isinstance(kind_value, str):
            return doc.diagnostic(
                "E203", (*path, "type"), f"`type` must be a string, not {describe(kind_value)}"
            )
        expected = list(ctx.get("expected", []))
        hint = did_you_mean(kind_value, expected) or "types: " + ", ".join(expected)
        code = "E210" if what == "activity" else "E211"
        return doc.diagnostic(code, (*path, "type"), f"unknown {what} type `{kind_value}`", hint)
    if kind in _EXPECTED:
        subpath = tuple(ctx.get("subpath", ()))
        where = (*path, *subpath)
        shown = value[subpath[0]] if subpath and isinstance(value, dict | list) else value
        message = f"{label} must be {_EXPECTED[kind]}, not {describe(shown)}"
        hint = _quote_hint(shown) if kind in ("string_type", "text-type") else ""
        if kind == "text-type" and subpath:
            message = f"the `{subpath[0]}` text of {label} must be a string, not {describe(shown)}"
        return doc.diagnostic("E203", where, message, hint)
    if kind in ("string_pattern_mismatch", "string_too_long", "completion-slug"):
        subpath = tuple(ctx.get("subpath", ()))
        shown = value[subpath[0]] if subpath else value
        return doc.diagnostic(
            "E207",
            (*path, *subpath),
            f"{label} `{shown}` is not a valid id",
            f"use lower-case letters, digits and single hyphens, at most 64 characters, "
            f"e.g. `{suggest_slug(str(shown))}`",
        )
    if kind in _RANGE:
        bound = _RANGE[kind].format(**ctx)
        hint = _share_hint(value) if _is_share(root, loc) else ""
        return doc.diagnostic("E205", path, f"{label} must be {bound}, not {value}", hint)
    if kind in ("too_short", "too-few"):
        needed = int(ctx.get("min_length", 1))
        given = len(value) if isinstance(value, list) else 0
        if given:
            more = needed - given
            return doc.diagnostic(
                "E206",
                path,
                f"{label} needs at least {needed} items, not {given}",
                f"add {more} more item{'s' if more > 1 else ''}",
            )
        wanted = "one item" if needed == 1 else f"{needed} items"
        return doc.diagnostic("E206", path, f"{label} must not be empty", f"add at least {wanted}")
    if kind == "literal_error":
        hint = f"use {ctx.get('expected', '')}"
        if isinstance(value, str):
            hint = did_you_mean(value, _literal_options(ctx)) or hint
        return doc.diagnostic("E204", path, f"{label}: `{value}` is not allowed", hint)
    if kind == "text-language":
        lang = ctx["subpath"][0]
        return doc.diagnostic(
            "E204",
            (*path, lang),
            f"{label}: unknown language code `{lang}`",
            "use nl, fr, de or en",
            at_key=True,
        )
    if kind == "text-empty":
        sub = tuple(ctx.get("subpath", ()))
        return doc.diagnostic("E204", (*path, *sub), f"{label} is empty", "write the text")
    if kind == "completion-value":
        return doc.diagnostic(
            "E204",
            path,
            f"{label}: `{value}` is not a completion rule",
            "use all, any, or a list of ids",
        )
    if kind == "body-conflict":
        return doc.diagnostic("E208", path, str(error["msg"]), "give exactly one of them")
    return doc.diagnostic("E204", path, f"{label}: {error['msg']}")


def _is_share(root: Any, loc: tuple[Any, ...]) -> bool:
    """Whether the field at ``loc`` is a share: a number from 0 to 1 (like ``pass_mark``)."""
    model = model_at(root, loc[:-1]) if loc else None
    field = model.model_fields.get(loc[-1]) if model and isinstance(loc[-1], str) else None
    if field is None:
        return False
    bounds = {(name, getattr(meta, name, None)) for meta in field.metadata for name in ("ge", "le")}
    return {("ge", 0), ("le", 1)} <= bounds


def _share_hint(value: Any) -> str:
    """A share written as a percentage (``70``) is the commonest slip: say how to write it."""
    if isinstance(value, int | float) and 1 < value <= 100 and float(value).is_integer():
        return f"it is a share between 0 and 1: write `{value / 100:g}` for {value:g}%"
    return "it is a share between 0 and 1: `0.7` means 70%"


def _literal_options(ctx: dict[str, Any]) -> list[str]:
    expected = str(ctx.get("expected", "")).replace(" or ", ",")
    return [part.strip(" '\"") for part in expected.split(",")]
