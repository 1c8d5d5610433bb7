"""The test activity: questions drawn from question banks, passed at a mark.

Every field but ``quiz`` has a default. The stored definition keeps only the fields that the
course file gives (so a course that does not use a new field keeps its content hash); the
assessment feature applies the defaults (``lms.assessment.config``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from lms.authoring.context import CheckContext, did_you_mean
from lms.authoring.diagnostics import Diagnostic
from lms.authoring.fields import SLUG_MAX_LENGTH, SLUG_PATTERN, FormatModel, Slug, is_slug
from lms.authoring.loader import Path_
from lms.authoring.registry import ActivityType


def _validate_banks(value: Any) -> str | tuple[str, ...]:
    if isinstance(value, str):
        if not is_slug(value):
            raise PydanticCustomError("string_pattern_mismatch", "not a valid id", {})
        return value
    if isinstance(value, list):
        if not value:
            raise PydanticCustomError("too-few", "the list of question banks is empty", {})
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise PydanticCustomError("string_type", "an id", {"subpath": (index,)})
            if not is_slug(item):
                raise PydanticCustomError(
                    "string_pattern_mismatch", "not a valid id", {"subpath": (index,)}
                )
        return tuple(value)
    raise PydanticCustomError("string_type", "a bank id or a list of bank ids", {})


_SLUG_SCHEMA = {"type": "string", "pattern": SLUG_PATTERN, "maxLength": SLUG_MAX_LENGTH}

#: One question-bank id, or a list of them.
BankIds = Annotated[
    str | tuple[str, ...],
    PlainValidator(_validate_banks),
    PlainSerializer(lambda v: v if isinstance(v, str) else list(v)),
    WithJsonSchema(
        {
            "anyOf": [_SLUG_SCHEMA, {"type": "array", "minItems": 1, "items": _SLUG_SCHEMA}],
            "description": "Id of a question bank (quizzes/*.yaml), or a list of ids.",
        }
    ),
]


class DrawRule(FormatModel):
    tag: Slug = Field(description="Draw questions that have this tag.")
    questions: int = Field(ge=1, description="How many.")


class TestSettings(FormatModel):
    __test__ = False  # not a pytest test class, whatever its name
    quiz: BankIds
    questions: int | None = Field(
        None, ge=1, description="How many questions are drawn; empty = all of the bank(s)."
    )
    draw: list[DrawRule] | None = Field(
        None,
        min_length=1,
        description="Questions drawn per tag; the rest of `questions` comes from any tag.",
    )
    shuffle_questions: bool = Field(True, description="Show the questions in a random order.")
    shuffle_choices: bool = Field(True, description="Show the choices in a random order.")
    pass_mark: float = Field(0.7, ge=0, le=1, description="Share of the score needed to pass.")
    max_attempts: int | None = Field(None, ge=1, description="Empty = unlimited.")
    grading: Literal["highest", "last"] = Field(
        "highest", description="Which attempt's score counts: the highest or the last."
    )
    time_limit_minutes: int | None = Field(None, ge=1, description="Empty = no time limit.")
    wait_minutes: int = Field(0, ge=0, description="Minutes to wait between two attempts.")
    feedback: Literal["after_submit", "after_pass", "never"] = Field(
        "after_submit", description="When learners see the right answers and the feedback."
    )


class TestType(ActivityType):
    __test__ = False
    name = "test"
    description = "Questions drawn from question banks; done when passed."
    settings: ClassVar = TestSettings

    def check(self, activity: Any, path: Path_, ctx: CheckContext) -> Iterator[Diagnostic]:
        quiz = activity.quiz
        named = (
            [((*path, "quiz"), quiz)]
            if isinstance(quiz, str)
            else [((*path, "quiz", i), bank_id) for i, bank_id in enumerate(quiz)]
        )
        banks = []
        seen: set[str] = set()
        for where, bank_id in named:
            bank = ctx.banks.get(bank_id)
            if bank_id in seen:
                yield ctx.diagnostic(
                    "E301", where, f"bank `{bank_id}` is named twice", "name each bank once"
                )
            elif bank is None:
                hint = did_you_mean(bank_id, set(ctx.banks)) or "no question bank has this id"
                yield ctx.diagnostic(
                    "E302", where, f"question bank `{bank_id}` does not exist", hint
                )
            else:
                banks.append(bank)
            seen.add(bank_id)
        if len(banks) < len(named):
            return
        total = sum(bank.question_count for bank in banks)
        where = " and ".join(f"`{bank.id}`" for bank in banks)
        plural = "s" if len(banks) > 1 else ""
        if activity.questions is not None and activity.questions > total:
            yield ctx.diagnostic(
                "E303",
                (*path, "questions"),
                f"the test draws {activity.questions} questions but bank{plural} {where} "
                f"{'have' if plural else 'has'} only {total}",
                f"lower `questions` or add questions to {banks[0].where}",
            )
        yield from self._check_draw(activity, path, ctx, banks, total)

    def _check_draw(
        self, activity: Any, path: Path_, ctx: CheckContext, banks: list, total: int
    ) -> Iterator[Diagnostic]:
        rules = activity.draw or []
        drawn = sum(rule.questions for rule in rules)
        if rules and activity.questions is not None and drawn > activity.questions:
            yield ctx.diagnostic(
                "E303",
                (*path, "draw"),
                f"the rules of `draw` take {drawn} questions but `questions` is "
                f"{activity.questions}",
                "raise `questions` or draw fewer per tag",
                at_key=True,
            )
        elif rules and drawn > total:
            yield ctx.diagnostic(
                "E303",
                (*path, "draw"),
                f"the rules of `draw` take {drawn} questions but the bank(s) have only {total}",
                "draw fewer per tag",
                at_key=True,
            )
        tag_counts = [getattr(bank, "tags", None) for bank in banks]
        if any(counts is None for counts in tag_counts):
            return  # banks known only by their size (already imported): checked when drawn
        for i, rule in enumerate(rules):
            have = sum(counts.get(rule.tag, 0) for counts in tag_counts)
            if have == 0:
                known = {tag for counts in tag_counts for tag in counts}
                hint = did_you_mean(rule.tag, known) or (
                    "tags: " + ", ".join(sorted(known)) if known else "the bank has no tags"
                )
                yield ctx.diagnostic(
                    "E309", (*path, "draw", i, "tag"), f"no question has tag `{rule.tag}`", hint
                )
            elif have < rule.questions:
                yield ctx.diagnostic(
                    "E303",
                    (*path, "draw", i, "questions"),
                    f"{rule.questions} questions with tag `{rule.tag}` are drawn but only "
                    f"{have} have it",
                    "draw fewer, or tag more questions",
                )

    def normalise(self, activity: Any, ctx: CheckContext) -> dict[str, Any]:
        given = activity.model_fields_set
        return {
            name: ctx.plain(getattr(activity, name))
            for name in TestSettings.model_fields
            if name in given
        }
