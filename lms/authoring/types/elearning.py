"""The e-learning activity: lessons made of sections, each a Markdown body (and a video)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from pydantic import ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from lms.authoring.context import CheckContext, did_you_mean
from lms.authoring.diagnostics import Diagnostic
from lms.authoring.fields import FilePaths, FormatModel, Slug, Text
from lms.authoring.loader import Path_
from lms.authoring.registry import ActivityType
from lms.authoring.resources import ResourceId


class Video(FormatModel):
    url: str = Field(pattern=r"^https://", description="Absolute https address of the video.")
    title: Text | None = None
    transcript: Text = Field(description="Required: what is said and shown, for everyone.")


class Section(FormatModel):
    """One screen of a lesson: a Markdown body, written inline or included from a file."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["body"]}, {"required": ["body_file"]}]}
    )

    id: Slug = Field(
        description="Unique within the course, so a section can move and keep learners' progress."
    )
    title: Text
    body: Text | None = Field(None, description="Markdown. Exactly one of body / body_file.")
    body_file: FilePaths | None = Field(
        None, description="Markdown file(s), relative to the course file's folder."
    )
    video: Video | None = None
    resources: list[ResourceId] = Field(
        default_factory=list,
        description="Ids of databank resources shown under the section as more material.",
    )

    @model_validator(mode="after")
    def _one_body(self) -> Section:
        if (self.body is None) == (self.body_file is None):
            given = "both" if self.body is not None else "neither"
            raise PydanticCustomError(
                "body-conflict",
                f"a section needs exactly one of `body` and `body_file` ({given} given)",
                {},
            )
        return self


class Lesson(FormatModel):
    id: Slug = Field(description="Unique within the course.")
    title: Text
    sections: list[Section] = Field(default_factory=list)


class ElearningSettings(FormatModel):
    lessons: list[Lesson] = Field(description="The lessons, in order.")


class ElearningType(ActivityType):
    name = "elearning"
    description = "Self-paced lessons; done when every section has been opened."
    settings: ClassVar = ElearningSettings

    def nested_ids(self, raw: dict[str, Any], path: Path_) -> Iterator[tuple[Path_, str, str]]:
        lessons = raw.get("lessons")
        for i, lesson in enumerate(lessons if isinstance(lessons, list) else []):
            if not isinstance(lesson, dict):
                continue
            if isinstance(lesson.get("id"), str):
                yield (*path, "lessons", i, "id"), lesson["id"], "lesson"
            sections = lesson.get("sections")
            for j, section in enumerate(sections if isinstance(sections, list) else []):
                if isinstance(section, dict) and isinstance(section.get("id"), str):
                    yield (*path, "lessons", i, "sections", j, "id"), section["id"], "section"

    def check(self, activity: Any, path: Path_, ctx: CheckContext) -> Iterator[Diagnostic]:
        if not activity.lessons:
            yield ctx.diagnostic(
                "W503",
                (*path, "lessons"),
                f"e-learning `{activity.id}` has no lessons",
                "add a lesson",
                at_key=True,
            )
        for i, lesson in enumerate(activity.lessons):
            if not lesson.sections:
                at = (*path, "lessons", i)
                yield ctx.diagnostic(
                    "W502", at, f"lesson `{lesson.id}` has no sections", "add a section"
                )
            for j, section in enumerate(lesson.sections):
                for k, ident in enumerate(section.resources):
                    if ident not in ctx.resources:
                        hint = did_you_mean(ident, set(ctx.resources)) or (
                            "add courses/resources/" + ident + ".yaml, or fix the id"
                        )
                        yield ctx.diagnostic(
                            "E310",
                            (*path, "lessons", i, "sections", j, "resources", k),
                            f"databank resource `{ident}` does not exist",
                            hint,
                        )

    def normalise(self, activity: Any, ctx: CheckContext) -> dict[str, Any]:
        lessons = []
        for lesson in activity.lessons:
            sections = []
            for section in lesson.sections:
                # No resources: left out, so that the content hash of older courses stays.
                skip = {"body", "body_file"} | (set() if section.resources else {"resources"})
                data = ctx.plain(section, exclude=skip)
                if section.body_file is not None:
                    data["body"], data["body_path"] = ctx.include_texts(section.body_file)
                else:
                    data["body"], data["body_path"] = ctx.plain(section.body), {}
                sections.append(data)
            title = ctx.plain(lesson.title)
            lessons.append({"id": lesson.id, "title": title, "sections": sections})
        return {"lessons": lessons}
