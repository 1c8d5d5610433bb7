"""Typed, read-only views of stored course and bank definitions.

A version never changes, so its view is built once and shared (see ``queries``). Treat
every object here as immutable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

#: A text in several languages: {language: text}.
Texts = Mapping[str, str]


def localise(texts: Texts | None, lang: str, default: str) -> str:
    """``texts`` in ``lang``, else in the default language, else in any language given."""
    if not texts:
        return ""
    return texts.get(lang) or texts.get(default) or next(iter(texts.values()), "")


@dataclass(frozen=True)
class SectionDef:
    id: str
    title: Texts
    body: Texts
    #: The included Markdown file per language (relative to the course folder); images in
    #: the body are relative to that file. Empty when the body was written inline.
    body_path: Texts
    video: Mapping[str, Any] | None
    lesson_id: str
    activity_id: str
    module_id: str
    #: Position of the section in the whole course (0-based), for previous/next.
    index: int
    #: Ids of databank resources shown under the section ("Meer materiaal").
    resources: tuple[str, ...] = ()


@dataclass(frozen=True)
class LessonDef:
    id: str
    title: Texts
    sections: tuple[SectionDef, ...]
    activity_id: str
    module_id: str

    @cached_property
    def section_id_set(self) -> frozenset[str]:
        """For the engine, which intersects it with a learner's opened sections (a report
        computes every person's state: this is built once per version, not per person)."""
        return frozenset(s.id for s in self.sections)


@dataclass(frozen=True)
class ActivityDef:
    id: str
    type: str
    title: Texts
    description: Texts | None
    module_id: str
    #: The type's own settings (e.g. quiz, pass_mark for a test), as stored.
    settings: Mapping[str, Any]
    #: Lessons of an e-learning; empty for other types.
    lessons: tuple[LessonDef, ...] = ()

    @cached_property
    def sections(self) -> tuple[SectionDef, ...]:
        return tuple(s for lesson in self.lessons for s in lesson.sections)

    @cached_property
    def section_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sections)

    @cached_property
    def section_id_set(self) -> frozenset[str]:
        return frozenset(self.section_ids)


@dataclass(frozen=True)
class ModuleDef:
    id: str
    title: Texts
    description: Texts | None
    #: "all", "any", or the ids of the activities that count.
    completion: str | tuple[str, ...]
    activities: tuple[ActivityDef, ...]

    @cached_property
    def counted_activities(self) -> tuple[ActivityDef, ...]:
        """The activities the completion rule looks at (all of them for all/any)."""
        if isinstance(self.completion, tuple):
            return tuple(a for a in self.activities if a.id in self.completion)
        return self.activities


@dataclass(frozen=True)
class CourseDef:
    course_id: int
    slug: str
    version_id: int
    version_number: int
    content_hash: str
    title: Texts
    description: Texts | None
    languages: tuple[str, ...]
    completion: str | tuple[str, ...]
    certificate_template: str | None
    enrolment: str
    modules: tuple[ModuleDef, ...]
    #: sha256 of each included image, by path relative to the course folder.
    assets: Mapping[str, str]
    #: Months a certificate of this course stays valid; None: no end.
    certificate_valid_for_months: int | None = None
    modules_by_id: Mapping[str, ModuleDef] = field(init=False, repr=False)
    activities_by_id: Mapping[str, ActivityDef] = field(init=False, repr=False)
    lessons_by_id: Mapping[str, LessonDef] = field(init=False, repr=False)
    sections_by_id: Mapping[str, SectionDef] = field(init=False, repr=False)
    #: Every section of the course, in reading order.
    sections: tuple[SectionDef, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        activities = [a for m in self.modules for a in m.activities]
        lessons = [lesson for a in activities for lesson in a.lessons]
        sections = tuple(s for lesson in lessons for s in lesson.sections)
        object.__setattr__(self, "modules_by_id", {m.id: m for m in self.modules})
        object.__setattr__(self, "activities_by_id", {a.id: a for a in activities})
        object.__setattr__(self, "lessons_by_id", {lesson.id: lesson for lesson in lessons})
        object.__setattr__(self, "sections_by_id", {s.id: s for s in sections})
        object.__setattr__(self, "sections", sections)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @cached_property
    def counted_modules(self) -> tuple[ModuleDef, ...]:
        if isinstance(self.completion, tuple):
            return tuple(m for m in self.modules if m.id in self.completion)
        return self.modules

    def text(self, texts: Texts | None, lang: str) -> str:
        return localise(texts, lang, self.default_language)


@dataclass(frozen=True)
class QuestionDef:
    id: str
    type: str
    prompt: Texts
    tags: tuple[str, ...]
    explanation: Texts | None
    #: The type's own settings (e.g. choices with their ``correct`` flags).
    settings: Mapping[str, Any]


@dataclass(frozen=True)
class BankDef:
    bank_id: int
    slug: str
    version_id: int
    version_number: int
    content_hash: str
    title: Texts
    languages: tuple[str, ...]
    questions: tuple[QuestionDef, ...]
    questions_by_id: Mapping[str, QuestionDef] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "questions_by_id", {q.id: q for q in self.questions})

    @property
    def default_language(self) -> str:
        return self.languages[0]


def _rule(value: Any) -> str | tuple[str, ...]:
    return value if isinstance(value, str) else tuple(value)


def _lessons(activity: dict[str, Any], module_id: str, counter: list[int]) -> tuple[LessonDef, ...]:
    lessons = []
    for lesson in (
        activity["settings"].get("lessons", []) if activity["type"] == "elearning" else []
    ):
        sections = []
        for section in lesson["sections"]:
            sections.append(
                SectionDef(
                    id=section["id"],
                    title=section["title"],
                    body=section["body"],
                    body_path=section.get("body_path") or {},
                    video=section.get("video"),
                    lesson_id=lesson["id"],
                    activity_id=activity["id"],
                    module_id=module_id,
                    index=counter[0],
                    resources=tuple(section.get("resources") or ()),
                )
            )
            counter[0] += 1
        lessons.append(
            LessonDef(lesson["id"], lesson["title"], tuple(sections), activity["id"], module_id)
        )
    return tuple(lessons)


def build_course_def(
    definition: dict[str, Any], *, course_id: int, version_id: int, number: int, content_hash: str
) -> CourseDef:
    counter = [0]
    modules = []
    for module in definition["modules"]:
        activities = tuple(
            ActivityDef(
                id=activity["id"],
                type=activity["type"],
                title=activity["title"],
                description=activity.get("description"),
                module_id=module["id"],
                settings=activity.get("settings") or {},
                lessons=_lessons(activity, module["id"], counter),
            )
            for activity in module["activities"]
        )
        modules.append(
            ModuleDef(
                module["id"],
                module["title"],
                module.get("description"),
                _rule(module.get("completion", "all")),
                activities,
            )
        )
    return CourseDef(
        course_id=course_id,
        slug=definition["id"],
        version_id=version_id,
        version_number=number,
        content_hash=content_hash,
        title=definition["title"],
        description=definition.get("description"),
        languages=tuple(definition["languages"]),
        completion=_rule(definition.get("completion", "all")),
        certificate_template=definition.get("certificate"),
        enrolment=definition.get("enrolment", "open"),
        modules=tuple(modules),
        assets=definition.get("assets") or {},
        certificate_valid_for_months=definition.get("certificate_valid_for_months"),
    )


def build_bank_def(
    definition: dict[str, Any], *, bank_id: int, version_id: int, number: int, content_hash: str
) -> BankDef:
    questions = tuple(
        QuestionDef(
            id=q["id"],
            type=q["type"],
            prompt=q["prompt"],
            tags=tuple(q.get("tags") or ()),
            explanation=q.get("explanation"),
            settings=q.get("settings") or {},
        )
        for q in definition["questions"]
    )
    return BankDef(
        bank_id=bank_id,
        slug=definition["id"],
        version_id=version_id,
        version_number=number,
        content_hash=content_hash,
        title=definition["title"],
        languages=tuple(definition["languages"]),
        questions=questions,
    )
