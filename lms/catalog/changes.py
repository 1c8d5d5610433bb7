"""What a new version of a course or bank changes, by id (the import's change summary).

Compares two read models item by item: modules, activities, lessons and sections of a course,
questions of a bank. An item is *added* or *removed* when its id appears or disappears,
*changed* when its own content differs (its texts and settings, not its children's), and
*moved* when it sits under another parent (a section in another lesson, a lesson in another
activity, an activity in another module). Reordering within the same parent is neither.
The summary is plain JSON, stored with the version it describes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lms.catalog.readmodel import BankDef, CourseDef

COURSE_LEVELS = ("modules", "activities", "lessons", "sections")
BANK_LEVELS = ("questions",)
#: A course's own settings compared field by field (their names are reported).
COURSE_FIELDS = (
    "title",
    "description",
    "languages",
    "completion",
    "certificate_template",
    "certificate_valid_for_months",
    "enrolment",
)


@dataclass
class LevelChanges:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.moved)

    def to_json(self) -> dict[str, list[str]]:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "moved": self.moved,
        }


@dataclass
class Changes:
    """The changes of one course or bank from version ``before`` (None: new) to the next."""

    kind: str  # "course" or "bank"
    slug: str
    before: int | None
    levels: dict[str, LevelChanges]
    #: Names of the course's (or bank's) own settings that changed.
    settings: list[str] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.before is None

    def __bool__(self) -> bool:
        return self.is_new or bool(self.settings) or any(self.levels.values())

    def removed(self, level: str) -> list[str]:
        return self.levels[level].removed if level in self.levels else []

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "slug": self.slug,
            "before": self.before,
            "settings": self.settings,
            "levels": {name: level.to_json() for name, level in self.levels.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Changes:
        return cls(
            kind=data["kind"],
            slug=data["slug"],
            before=data.get("before"),
            settings=list(data.get("settings") or ()),
            levels={
                name: LevelChanges(**{k: list(v) for k, v in level.items()})
                for name, level in (data.get("levels") or {}).items()
            },
        )

    def lines(self) -> list[str]:
        """The changes as plain lines (the command line and the version history)."""
        if self.is_new:
            counts = ", ".join(f"{len(v.added)} {name}" for name, v in self.levels.items())
            return [f"new {self.kind} ({counts})"]
        lines = []
        if self.settings:
            lines.append(f"{self.kind} settings changed: {', '.join(self.settings)}")
        for name, level in self.levels.items():
            for what in ("added", "removed", "changed", "moved"):
                ids = getattr(level, what)
                if ids:
                    lines.append(f"{name} {what}: {', '.join(ids)}")
        return lines or ["no change"]


def _compare(
    before: Mapping[str, tuple[str | None, Any]],
    after: Mapping[str, tuple[str | None, Any]],
) -> LevelChanges:
    """``before``/``after``: id -> (parent id, own content), in reading order."""
    return LevelChanges(
        added=[i for i in after if i not in before],
        removed=[i for i in before if i not in after],
        changed=[i for i in after if i in before and before[i][1] != after[i][1]],
        moved=[i for i in after if i in before and before[i][0] != after[i][0]],
    )


def _course_items(course: CourseDef) -> dict[str, dict[str, tuple[str | None, Any]]]:
    activities = [a for m in course.modules for a in m.activities]
    return {
        "modules": {m.id: (None, (m.title, m.description, m.completion)) for m in course.modules},
        "activities": {
            a.id: (
                a.module_id,
                (
                    a.type,
                    a.title,
                    a.description,
                    {k: v for k, v in a.settings.items() if k != "lessons"},
                ),
            )
            for a in activities
        },
        "lessons": {
            lesson.id: (lesson.activity_id, lesson.title)
            for a in activities
            for lesson in a.lessons
        },
        "sections": {
            s.id: (s.lesson_id, (s.title, s.body, s.video, s.resources)) for s in course.sections
        },
    }


def _empty_items(levels: Iterable[str]) -> dict[str, dict[str, tuple[str | None, Any]]]:
    return {level: {} for level in levels}


def course_changes(before: CourseDef | None, after: CourseDef) -> Changes:
    """What ``after`` changes compared with ``before`` (None: the course is new)."""
    old = _course_items(before) if before is not None else _empty_items(COURSE_LEVELS)
    new = _course_items(after)
    settings = (
        [f for f in COURSE_FIELDS if getattr(before, f) != getattr(after, f)]
        if before is not None
        else []
    )
    if before is not None and before.assets != after.assets:
        settings.append("images")
    return Changes(
        kind="course",
        slug=after.slug,
        before=before.version_number if before is not None else None,
        levels={level: _compare(old[level], new[level]) for level in COURSE_LEVELS},
        settings=settings,
    )


def _bank_items(bank: BankDef) -> dict[str, dict[str, tuple[str | None, Any]]]:
    return {
        "questions": {
            q.id: (None, (q.type, q.prompt, q.tags, q.explanation, q.settings))
            for q in bank.questions
        }
    }


def bank_changes(before: BankDef | None, after: BankDef) -> Changes:
    """What ``after`` changes compared with ``before`` (None: the bank is new)."""
    old = _bank_items(before) if before is not None else _empty_items(BANK_LEVELS)
    new = _bank_items(after)
    settings = (
        [f for f in ("title", "languages") if getattr(before, f) != getattr(after, f)]
        if before is not None
        else []
    )
    return Changes(
        kind="bank",
        slug=after.slug,
        before=before.version_number if before is not None else None,
        levels={level: _compare(old[level], new[level]) for level in BANK_LEVELS},
        settings=settings,
    )
