"""A test activity's settings with their defaults applied (see ``authoring.types.test``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lms.catalog.readmodel import ActivityDef

FEEDBACK_POLICIES = ("after_submit", "after_pass", "never")
GRADING_METHODS = ("highest", "last")


@dataclass(frozen=True)
class TestConfig:
    __test__ = False  # not a pytest class

    banks: tuple[str, ...]
    #: Questions drawn in all; None: every question of the banks (or the sum of ``draw``).
    questions: int | None
    #: (tag, how many) drawn first, in this order.
    draw: tuple[tuple[str, int], ...]
    shuffle_questions: bool
    shuffle_choices: bool
    pass_mark: float
    max_attempts: int | None
    grading: str
    time_limit_minutes: int | None
    wait_minutes: int
    feedback: str

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> TestConfig:
        quiz = settings.get("quiz") or ()
        return cls(
            banks=(quiz,) if isinstance(quiz, str) else tuple(quiz),
            questions=settings.get("questions"),
            draw=tuple(
                (rule["tag"], int(rule["questions"])) for rule in settings.get("draw") or ()
            ),
            shuffle_questions=bool(settings.get("shuffle_questions", True)),
            shuffle_choices=bool(settings.get("shuffle_choices", True)),
            pass_mark=float(settings.get("pass_mark", 0.7)),
            max_attempts=settings.get("max_attempts"),
            grading=settings.get("grading", "highest"),
            time_limit_minutes=settings.get("time_limit_minutes"),
            wait_minutes=int(settings.get("wait_minutes", 0)),
            feedback=settings.get("feedback", "after_submit"),
        )

    @classmethod
    def of(cls, activity: ActivityDef) -> TestConfig:
        return cls.from_settings(activity.settings)

    def rules(self) -> dict[str, Any]:
        """What an attempt keeps of the settings (its result never depends on later edits)."""
        return {
            "pass_mark": self.pass_mark,
            "time_limit_minutes": self.time_limit_minutes,
            "shuffle_questions": self.shuffle_questions,
            "shuffle_choices": self.shuffle_choices,
        }
