"""Choice questions: single choice, multiple choice, and true/false statements.

The correct choices are marked with ``correct: true`` on each choice, or (an optional
alternative) listed in the question's ``answer``: a choice id for single choice, a list of
choice ids for multiple choice. The stored definition always has the flags.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from pydantic import Field

from lms.authoring.context import CheckContext, did_you_mean
from lms.authoring.diagnostics import Diagnostic
from lms.authoring.fields import FormatModel, Slug, Text
from lms.authoring.loader import Path_
from lms.authoring.registry import QuestionType


class Choice(FormatModel):
    id: Slug = Field(description="Unique within the question.")
    text: Text
    correct: bool = Field(False, description="Whether this choice is (one of) the answer(s).")
    feedback: Text | None = Field(None, description="Shown when this choice was picked.")


class SingleChoiceSettings(FormatModel):
    choices: list[Choice] = Field(min_length=2)
    answer: Slug | None = Field(None, description="Id of the correct choice (instead of flags).")


class MultipleChoiceSettings(FormatModel):
    choices: list[Choice] = Field(min_length=2)
    answer: list[Slug] | None = Field(
        None, min_length=1, description="Ids of the correct choices (instead of flags)."
    )


class TrueFalseSettings(FormatModel):
    answer: bool = Field(description="Whether the statement in the prompt is true.")
    feedback_correct: Text | None = Field(None, description="Shown when answered right.")
    feedback_incorrect: Text | None = Field(None, description="Shown when answered wrong.")


class _ChoiceQuestion(QuestionType):
    single: ClassVar[bool]

    def _answer_ids(self, question: Any) -> list[tuple[Path_, str]]:
        if question.answer is None:
            return []
        if isinstance(question.answer, str):
            return [(("answer",), question.answer)]
        return [(("answer", i), choice) for i, choice in enumerate(question.answer)]

    def check(self, question: Any, path: Path_, ctx: CheckContext) -> Iterator[Diagnostic]:
        seen: set[str] = set()
        for i, choice in enumerate(question.choices):
            if choice.id in seen:
                yield ctx.diagnostic(
                    "E301",
                    (*path, "choices", i, "id"),
                    f"choice id `{choice.id}` is used twice in question `{question.id}`",
                    "give each choice its own id",
                )
            seen.add(choice.id)
        flagged = [i for i, choice in enumerate(question.choices) if choice.correct]
        keyed = self._answer_ids(question)
        if keyed and flagged:
            yield ctx.diagnostic(
                "E308",
                (*path, "answer"),
                "both `answer` and `correct: true` are given",
                "mark the answer in one way only",
                at_key=True,
            )
        for sub, choice_id in keyed:
            if choice_id not in seen:
                hint = did_you_mean(choice_id, seen) or "choices: " + ", ".join(sorted(seen))
                yield ctx.diagnostic(
                    "E306",
                    (*path, *sub),
                    f"answer `{choice_id}` is not a choice of this question",
                    hint,
                )
        if not keyed and not flagged:
            yield ctx.diagnostic(
                "E305",
                (*path, "choices"),
                f"question `{question.id}` has no correct answer",
                "add `correct: true` to the right choice",
                at_key=True,
            )
        if self.single and len(flagged) > 1:
            yield ctx.diagnostic(
                "E307",
                (*path, "choices", flagged[1], "correct"),
                f"single-choice question `{question.id}` has {len(flagged)} correct choices",
                "keep one, or make it a multiple_choice question",
            )

    def normalise(self, question: Any, ctx: CheckContext) -> dict[str, Any]:
        keyed = {choice_id for _sub, choice_id in self._answer_ids(question)}
        choices = []
        for choice in question.choices:
            data = ctx.plain(choice)
            data["correct"] = choice.correct or choice.id in keyed
            choices.append(data)
        return {"choices": choices}


class SingleChoiceType(_ChoiceQuestion):
    name = "single_choice"
    description = "Pick the one correct choice."
    settings: ClassVar = SingleChoiceSettings
    single = True


class MultipleChoiceType(_ChoiceQuestion):
    name = "multiple_choice"
    description = "Pick every correct choice (at least one)."
    settings: ClassVar = MultipleChoiceSettings
    single = False


class TrueFalseType(QuestionType):
    name = "true_false"
    description = "Is the statement in the prompt true or false?"
    settings: ClassVar = TrueFalseSettings
