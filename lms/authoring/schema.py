"""The base models of course files and question-bank files.

The models come in two layers. A *head* model checks one level (a course without looking
inside its modules, a module without looking inside its activities): the validator uses them
so that a mistake in one activity does not hide the problems of the others. The *full*
models, composed from the registries, describe a whole file: the importer works on them and
the JSON Schema is generated from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, Tag, TypeAdapter, create_model

from lms.authoring.builtin import default_registries
from lms.authoring.fields import Completion, FormatModel, Lang, Slug, Text
from lms.authoring.registry import Registries


class ActivityCommon(FormatModel):
    """Fields that every activity has, whatever its type."""

    id: Slug = Field(description="Stable id, unique within the course; never reused.")
    title: Text = Field(description="Shown in the course outline.")
    description: Text | None = Field(None, description="Optional introduction (Markdown).")


class QuestionCommon(FormatModel):
    """Fields that every question has, whatever its type."""

    id: Slug = Field(description="Stable id, unique within the bank.")
    prompt: Text = Field(description="The question (Markdown).")
    tags: list[Slug] = Field(default_factory=list, description="Labels for item statistics.")
    explanation: Text | None = Field(None, description="Shown after answering.")


class Certificate(FormatModel):
    template: Slug = Field(description="Name of certificates/<template>.html.")
    valid_for_months: int | None = Field(
        None,
        ge=1,
        le=120,
        description="Months the certificate stays valid after completion; empty = no end.",
    )


class CourseHead(FormatModel):
    """A course file, without looking inside its modules."""

    id: Slug = Field(description="Stable id, unique across courses; never reused.")
    title: Text
    description: Text | None = Field(None, description="Optional introduction (Markdown).")
    languages: list[Lang] = Field(min_length=1, description="Declared languages; first = default.")
    completion: Completion = Field("all", description="Rule over the modules.")
    certificate: Certificate | None = Field(None, description="Issued when completed.")
    enrolment: Literal["open", "closed"] = Field("open", description="open: self-enrolment.")
    published: bool = Field(
        True,
        description="false: imported, but learners keep seeing the last published version "
        "until a trainer publishes this one (lms publish, or the version history page).",
    )
    publish_at: datetime | date | None = Field(
        None,
        description="Publish at this moment (2027-01-15T08:00:00+01:00), or on this day "
        "(2027-01-15: midnight, Brussels time); until then learners see the version before. "
        "`lms publish --due` publishes it when the time comes.",
    )
    modules: list[Any] = Field(min_length=1)


class ModuleHead(FormatModel):
    """A module, without looking inside its activities."""

    id: Slug = Field(description="Stable id, unique within the course.")
    title: Text
    description: Text | None = None
    completion: Completion = Field("all", description="Rule over this module's activities.")
    activities: list[Any] = Field(min_length=1)


class BankHead(FormatModel):
    """A question-bank file, without looking inside its questions."""

    id: Slug = Field(description="Stable id, unique across banks; tests name it in `quiz`.")
    title: Text
    languages: list[Lang] = Field(min_length=1, description="Declared languages; first = default.")
    questions: list[Any] = Field(min_length=1)


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("-", "_").split("_"))


def _type_of(value: Any, names: list[str]) -> str | None:
    # Not a mapping: let the first model report "must be a mapping" rather than a type error.
    if not isinstance(value, dict):
        return names[0]
    kind = value.get("type")
    return kind if isinstance(kind, str) and kind in names else None


def _tagged_union(models: dict[str, type[FormatModel]], error_type: str) -> Any:
    names = list(models)
    members = tuple(Annotated[model, Tag(name)] for name, model in models.items())
    return Annotated[
        Union[members],  # noqa: UP007 - built from a tuple at run time
        Discriminator(
            lambda value: _type_of(value, names),
            custom_error_type=error_type,
            custom_error_message="unknown type",
            custom_error_context={"expected": names},
        ),
    ]


@dataclass(frozen=True)
class FormatModels:
    """The models of the format for one set of registries."""

    activities: dict[str, type[FormatModel]]
    questions: dict[str, type[FormatModel]]
    activity: TypeAdapter[Any]
    question: TypeAdapter[Any]
    activity_union: Any
    question_union: Any
    module: type[FormatModel]
    course: type[FormatModel]
    bank: type[FormatModel]


def _combine(base: type[FormatModel], name: str, type_: Any) -> type[FormatModel]:
    return create_model(
        f"{_camel(name)}{'Activity' if base is ActivityCommon else 'Question'}",
        __base__=(base, type_.settings),
        __doc__=type_.description or None,
        type=(Literal[name], Field(description="The registered type.")),
    )


@cache
def format_models(registries: Registries | None = None) -> FormatModels:
    registries = registries or default_registries()
    activities = {t.name: _combine(ActivityCommon, t.name, t) for t in registries.activities}
    questions = {t.name: _combine(QuestionCommon, t.name, t) for t in registries.questions}
    activity_union = _tagged_union(activities, "unknown-activity-type")
    question_union = _tagged_union(questions, "unknown-question-type")
    module = create_model(
        "Module",
        __base__=ModuleHead,
        __doc__="A module of a course: a sequence of activities.",
        activities=(list[activity_union], Field(min_length=1)),
    )
    course = create_model(
        "Course",
        __base__=CourseHead,
        __doc__="A course file (courses/*.yaml).",
        modules=(list[module], Field(min_length=1)),
    )
    bank = create_model(
        "QuestionBank",
        __base__=BankHead,
        __doc__="A question-bank file (quizzes/*.yaml).",
        questions=(list[question_union], Field(min_length=1)),
    )
    return FormatModels(
        activities=activities,
        questions=questions,
        activity=TypeAdapter(activity_union),
        question=TypeAdapter(question_union),
        activity_union=activity_union,
        question_union=question_union,
        module=module,
        course=course,
        bank=bank,
    )
