"""Field types shared by every part of the format: slugs, languages, texts, completion rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

#: Language codes that content may use.
LANGUAGES = ("nl", "fr", "de", "en")

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MAX_LENGTH = 64
_SLUG_RE = re.compile(SLUG_PATTERN)


class FormatModel(BaseModel):
    """Base of every model of the format: strict types and no unknown keys.

    Strict, because YAML already gives us real types: ``required_posts: "1"`` is a mistake to
    report, not a string to convert.
    """

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=SLUG_MAX_LENGTH)]
Lang = Literal["nl", "fr", "de", "en"]


def is_slug(value: object) -> bool:
    return isinstance(value, str) and len(value) <= SLUG_MAX_LENGTH and bool(_SLUG_RE.match(value))


def suggest_slug(value: str) -> str:
    """The closest slug to ``value``: lower case, words joined by hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
    return slug[:SLUG_MAX_LENGTH].rstrip("-") or "item"


@dataclass(frozen=True)
class LangText:
    """A text field as written: a string in the default language, or {language: string}."""

    raw: str | dict[str, str]

    def languages(self, default: str) -> set[str]:
        return {default} if isinstance(self.raw, str) else set(self.raw)

    def normalised(self, default: str) -> dict[str, str]:
        return {default: self.raw} if isinstance(self.raw, str) else dict(self.raw)

    def items(self, default: str) -> list[tuple[str, str, tuple[str, ...]]]:
        """(language, text, sub-path inside the field) for each language given."""
        if isinstance(self.raw, str):
            return [(default, self.raw, ())]
        return [(lang, text, (lang,)) for lang, text in self.raw.items()]


class LangPaths(LangText):
    """A text field whose values are paths of included files (``body_file``)."""


def _text_error(kind: str, message: str, key: Any = None) -> PydanticCustomError:
    # ``subpath`` lets the diagnostics point inside the field (at the faulty language key).
    context = {"subpath": () if key is None else (key,)}
    return PydanticCustomError(kind, message, context)


def _validate_text(value: Any) -> LangText:
    if isinstance(value, LangText):
        return value
    if isinstance(value, str):
        if not value.strip():
            raise _text_error("text-empty", "the text is empty")
        return LangText(value)
    if isinstance(value, dict) and value:
        for lang, text in value.items():
            if lang not in LANGUAGES:
                raise _text_error("text-language", "unknown language code", lang)
            if not isinstance(text, str):
                raise _text_error("text-type", "a translation must be a string", lang)
            if not text.strip():
                raise _text_error("text-empty", "the text is empty", lang)
        return LangText(dict(value))
    if isinstance(value, dict):
        raise _text_error("text-empty", "the text is empty")
    raise _text_error("text-type", "a text must be a string or a mapping of language to string")


TEXT_JSON_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "minLength": 1},
        {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"enum": list(LANGUAGES)},
            "additionalProperties": {"type": "string", "minLength": 1},
        },
    ],
    "description": "A string in the default language, or a mapping from language to string.",
}

#: A translatable text: a string (default language) or a mapping from language to string.
Text = Annotated[
    LangText,
    PlainValidator(_validate_text),
    PlainSerializer(lambda v: v.raw),
    WithJsonSchema(TEXT_JSON_SCHEMA),
]


def _validate_completion(value: Any) -> str | tuple[str, ...]:
    if value in ("all", "any"):
        return value
    if isinstance(value, list):
        if not value:
            raise PydanticCustomError("too-few", "the list of required items is empty", {})
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise _text_error("completion-type", "an id must be a string", index)
            if not is_slug(item):
                raise _text_error("completion-slug", "not a valid id", index)
        return tuple(value)
    if isinstance(value, str):
        raise PydanticCustomError("completion-value", "must be all, any or a list of ids", {})
    raise _text_error("completion-type", "must be all, any or a list of ids")


COMPLETION_JSON_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"enum": ["all", "any"]},
        {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "pattern": SLUG_PATTERN, "maxLength": SLUG_MAX_LENGTH},
        },
    ],
    "description": "all (default), any, or a list of the ids that must be completed.",
}

#: A completion rule: ``all``, ``any`` or a list of ids.
Completion = Annotated[
    str | tuple[str, ...],
    PlainValidator(_validate_completion),
    PlainSerializer(lambda v: v if isinstance(v, str) else list(v)),
    WithJsonSchema(COMPLETION_JSON_SCHEMA),
]


def _validate_paths(value: Any) -> LangPaths:
    return LangPaths(_validate_text(value).raw)


#: Paths of included files, per language (relative to the folder of the YAML file).
FilePaths = Annotated[
    LangPaths,
    PlainValidator(_validate_paths),
    PlainSerializer(lambda v: v.raw),
    WithJsonSchema({**TEXT_JSON_SCHEMA, "description": "A path, or {language: path}."}),
]
