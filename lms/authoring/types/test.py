"""The test activity: questions drawn from a question bank, passed at a mark."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from pydantic import Field

from lms.authoring.context import CheckContext, did_you_mean
from lms.authoring.diagnostics import Diagnostic
from lms.authoring.fields import FormatModel, Slug
from lms.authoring.loader import Path_
from lms.authoring.registry import ActivityType


class TestSettings(FormatModel):
    __test__ = False  # not a pytest test class, whatever its name
    quiz: Slug = Field(description="Id of the question bank (quizzes/*.yaml).")
    questions: int | None = Field(
        None, ge=1, description="How many questions are drawn; empty = all of the bank."
    )
    pass_mark: float = Field(0.7, ge=0, le=1, description="Share of the score needed to pass.")
    max_attempts: int | None = Field(None, ge=1, description="Empty = unlimited.")


class TestType(ActivityType):
    __test__ = False
    name = "test"
    description = "Questions drawn from a bank; done when passed."
    settings: ClassVar = TestSettings

    def check(self, activity: Any, path: Path_, ctx: CheckContext) -> Iterator[Diagnostic]:
        bank = ctx.banks.get(activity.quiz)
        if bank is None:
            hint = did_you_mean(activity.quiz, set(ctx.banks)) or "no question bank has this id"
            yield ctx.diagnostic(
                "E302", (*path, "quiz"), f"question bank `{activity.quiz}` does not exist", hint
            )
        elif activity.questions is not None and activity.questions > bank.question_count:
            yield ctx.diagnostic(
                "E303",
                (*path, "questions"),
                f"the test draws {activity.questions} questions but bank `{bank.id}` has only "
                f"{bank.question_count}",
                f"lower `questions` or add questions to {bank.where}",
            )
