"""The registries of this installation: the built-in types, plus those of installed plugins.

Built-in types are listed in ``lms.authoring.types``; other distributions add theirs through
the entry point groups ``lms.activity_types`` and ``lms.question_types`` (each entry point
names a type class). The registries are built once, at start-up, and a name registered twice
is refused there.

Kept apart from ``lms.authoring.registry`` so that imports go one way: the types import the
registry's base classes, and only this module imports the types.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points
from typing import Any

from lms.authoring.registry import ActivityType, QuestionType, Registries, Registry
from lms.authoring.types import BUILTIN_ACTIVITY_TYPES, BUILTIN_QUESTION_TYPES

ACTIVITY_ENTRY_POINTS = "lms.activity_types"
QUESTION_ENTRY_POINTS = "lms.question_types"


def _from_entry_points(group: str) -> list[Any]:
    return [ep.load()() for ep in sorted(entry_points(group=group), key=lambda ep: ep.name)]


def build_registries(*, plugins: bool = True) -> Registries:
    """Registries of the built-in types, plus those of installed plugins when ``plugins``."""
    activities: Registry[ActivityType] = Registry("activity")
    questions: Registry[QuestionType] = Registry("question")
    for cls in BUILTIN_ACTIVITY_TYPES:
        activities.register(cls())
    for cls in BUILTIN_QUESTION_TYPES:
        questions.register(cls())
    if plugins:
        for activity in _from_entry_points(ACTIVITY_ENTRY_POINTS):
            activities.register(activity)
        for question in _from_entry_points(QUESTION_ENTRY_POINTS):
            questions.register(question)
    return Registries(activities, questions)


@cache
def default_registries() -> Registries:
    """The registries of this installation, built once."""
    return build_registries()
