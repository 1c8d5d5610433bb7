"""Registries of activity types and question types.

Each type is a small class that owns the schema fragment of its own settings (a pydantic
model holding only the fields particular to it) and its own checks. The course and bank
formats are composed from what is registered, so adding a type never edits a central schema.

This module only defines what a type is and what a registry is; it imports no type, so the
imports go one way: the types (``lms.authoring.types``) import this module, and
``lms.authoring.builtin`` imports both to fill the registries of this installation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from lms.authoring.fields import FormatModel

if TYPE_CHECKING:
    from lms.authoring.context import CheckContext
    from lms.authoring.diagnostics import Diagnostic
    from lms.authoring.loader import Path_


class NoSettings(FormatModel):
    """Settings of a type that has no fields of its own."""


class ActivityType:
    """An activity type (``type: elearning`` in a course module)."""

    #: The registry key, written as ``type:`` in the YAML.
    name: ClassVar[str]
    #: One line for the guide and the JSON Schema.
    description: ClassVar[str] = ""
    #: The fields particular to this type (besides id, type, title, description).
    settings: ClassVar[type[FormatModel]] = NoSettings

    def check(self, activity: Any, path: Path_, ctx: CheckContext) -> Iterator[Diagnostic]:
        """Checks beyond the schema. ``activity`` is the validated model; ``path`` its place
        in the course document (for positions)."""
        return iter(())

    def nested_ids(self, raw: dict[str, Any], path: Path_) -> Iterator[tuple[Path_, str, str]]:
        """Ids of the items inside an activity that share the course's id space, read from
        the raw data (so that they are known even when the activity has other errors):
        (path of the id, id, what it is)."""
        return iter(())

    def normalise(self, activity: Any, ctx: CheckContext) -> dict[str, Any]:
        """The type's settings in the stored definition (plain JSON data)."""
        return ctx.plain(activity, exclude={"id", "type", "title", "description"})


class QuestionType:
    """A question type (``type: single_choice`` in a question bank)."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    #: The fields particular to this type (besides id, type, prompt, tags, explanation).
    settings: ClassVar[type[FormatModel]] = NoSettings

    def check(self, question: Any, path: Path_, ctx: CheckContext) -> Iterator[Diagnostic]:
        return iter(())

    def normalise(self, question: Any, ctx: CheckContext) -> dict[str, Any]:
        return ctx.plain(question, exclude={"id", "type", "prompt", "tags", "explanation"})


class DuplicateTypeError(RuntimeError):
    """Two types were registered under one name."""


T = TypeVar("T", ActivityType, QuestionType)


class Registry(Generic[T]):
    """Types by name, in registration order."""

    def __init__(self, kind: str, types: list[T] | None = None) -> None:
        self.kind = kind
        self._types: dict[str, T] = {}
        for type_ in types or []:
            self.register(type_)

    def register(self, type_: T) -> None:
        name = getattr(type_, "name", None)
        if not isinstance(name, str) or not name:
            raise ValueError(f"{self.kind} type {type_!r} has no name")
        if name in self._types:
            existing = type(self._types[name]).__qualname__
            raise DuplicateTypeError(
                f"{self.kind} type {name!r} is registered twice "
                f"({existing} and {type(type_).__qualname__})"
            )
        self._types[name] = type_

    def get(self, name: str) -> T | None:
        return self._types.get(name)

    def __getitem__(self, name: str) -> T:
        return self._types[name]

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __iter__(self) -> Iterator[T]:
        return iter(self._types.values())

    def names(self) -> list[str]:
        return list(self._types)


@dataclass(frozen=True)
class Registries:
    activities: Registry[ActivityType]
    questions: Registry[QuestionType]
