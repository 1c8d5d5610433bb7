"""Choice questions: single choice, multiple choice (multiple response), true/false.

The correct choices are marked with ``correct: true`` on each choice, or (an optional
alternative) listed in the question's ``answer``: a choice id for single choice, a list of
choice ids for multiple choice. The stored definition always has the flags.

Scoring (each question is worth one point):

- single choice and true/false: 1 for the right answer, else 0;
- multiple choice, ``scoring: partial`` (the default): "right minus wrong", never below zero:
  (correct choices picked - wrong choices picked) / number of correct choices. Picking every
  choice therefore does not pay, and full marks need every correct choice and no wrong one;
- multiple choice, ``scoring: all_or_nothing``: 1 only for exactly the correct choices.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Literal

from pydantic import Field

from lms.authoring.context import CheckContext, did_you_mean
from lms.authoring.diagnostics import Diagnostic
from lms.authoring.fields import FormatModel, Slug, Text
from lms.authoring.loader import Path_
from lms.authoring.types.scored import Form, ScoredQuestion, localise, shuffled


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
    scoring: Literal["partial", "all_or_nothing"] = Field(
        "partial",
        description="partial: (right picks - wrong picks) / correct choices, at least 0; "
        "all_or_nothing: 1 only for exactly the correct choices.",
    )


class TrueFalseSettings(FormatModel):
    answer: bool = Field(description="Whether the statement in the prompt is true.")
    feedback_correct: Text | None = Field(None, description="Shown when answered right.")
    feedback_incorrect: Text | None = Field(None, description="Shown when answered wrong.")


class _ChoiceQuestion(ScoredQuestion):
    single: ClassVar[bool]
    template = "choice.html"

    def interaction_type(self, settings: Mapping[str, Any]) -> str:
        return "choice"

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
        result: dict[str, Any] = {"choices": choices}
        if "scoring" in question.model_fields_set:
            result["scoring"] = question.scoring
        return result

    # -- taking the question ------------------------------------------------------------------

    def present(self, settings: Mapping[str, Any], rng: random.Random, shuffle: bool) -> dict:
        return {"order": shuffled([c["id"] for c in settings["choices"]], rng, shuffle)}

    def public(self, settings: Mapping[str, Any], presentation: Mapping[str, Any]) -> dict:
        texts = {c["id"]: c["text"] for c in settings["choices"]}
        order = presentation.get("order") or list(texts)
        return {
            "multiple": not self.single,
            "options": [{"id": cid, "text": texts[cid]} for cid in order if cid in texts],
        }

    def parse(self, form: Form, public: Mapping[str, Any]) -> tuple[Any, str | None]:
        known = [o["id"] for o in public["options"]]
        picked = [value for value in form.get("answer", ()) if value]
        if any(value not in known for value in picked):
            return None, "invalid-choice"
        if not picked:
            return None, None
        if self.single:
            return (picked[0], None) if len(picked) == 1 else (None, "invalid-choice")
        return sorted(set(picked)), None  # canonical: the order shown does not matter

    def form_values(self, public: Mapping[str, Any], response: Any) -> dict[str, list[str]]:
        return {"answer": self._picked(response)}

    def _picked(self, response: Any) -> list[str]:
        if response is None:
            return []
        return [response] if isinstance(response, str) else list(response)

    def score(self, settings: Mapping[str, Any], response: Any) -> float:
        correct = {c["id"] for c in settings["choices"] if c.get("correct")}
        picked = set(self._picked(response))
        if not picked or not correct:
            return 0.0
        if self.single:
            return 1.0 if picked <= correct and len(picked) == 1 else 0.0
        if settings.get("scoring") == "all_or_nothing":
            return 1.0 if picked == correct else 0.0
        right = len(picked & correct)
        wrong = len(picked - correct)
        return max(0.0, (right - wrong) / len(correct))

    def xapi_response(self, response: Any) -> str | None:
        picked = self._picked(response)
        return "[,]".join(picked) if picked else None

    def describe(self, public: Mapping[str, Any], response: Any, lang: str, default: str) -> list:
        picked = self._picked(response)
        return [localise(o["text"], lang, default) for o in public["options"] if o["id"] in picked]

    def correct_answer(
        self, settings: Mapping[str, Any], public: Mapping[str, Any], lang: str, default: str
    ) -> list[str]:
        correct = {c["id"] for c in settings["choices"] if c.get("correct")}
        return [localise(o["text"], lang, default) for o in public["options"] if o["id"] in correct]

    def feedback(
        self, settings: Mapping[str, Any], response: Any, lang: str, default: str
    ) -> list[str]:
        picked = self._picked(response)
        return [
            localise(c["feedback"], lang, default)
            for c in settings["choices"]
            if c["id"] in picked and c.get("feedback")
        ]

    def distribution_keys(self, response: Any) -> list[str]:
        return self._picked(response)

    def option_labels(self, settings: Mapping[str, Any], lang: str, default: str) -> dict:
        return {c["id"]: localise(c["text"], lang, default) for c in settings["choices"]}


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


class TrueFalseType(ScoredQuestion):
    name = "true_false"
    description = "Is the statement in the prompt true or false?"
    settings: ClassVar = TrueFalseSettings
    template = "choice.html"

    def interaction_type(self, settings: Mapping[str, Any]) -> str:
        return "true-false"

    def public(self, settings: Mapping[str, Any], presentation: Mapping[str, Any]) -> dict:
        # Always "true" then "false": the order says nothing about the answer.
        return {
            "multiple": False,
            "options": [
                {
                    "id": key,
                    "text": {lang: words[index] for lang, words in TRUE_FALSE_WORDS.items()},
                }
                for index, key in enumerate(("true", "false"))
            ],
        }

    def parse(self, form: Form, public: Mapping[str, Any]) -> tuple[Any, str | None]:
        values = [value for value in form.get("answer", ()) if value]
        if not values:
            return None, None
        if len(values) > 1 or values[0] not in ("true", "false"):
            return None, "invalid-choice"
        return values[0] == "true", None

    def form_values(self, public: Mapping[str, Any], response: Any) -> dict[str, list[str]]:
        return {"answer": self.distribution_keys(response)}

    def score(self, settings: Mapping[str, Any], response: Any) -> float:
        return 1.0 if response is not None and response == settings["answer"] else 0.0

    def xapi_response(self, response: Any) -> str | None:
        return None if response is None else str(bool(response)).lower()

    def _word(self, value: bool, lang: str) -> str:
        return TRUE_FALSE_WORDS.get(lang, TRUE_FALSE_WORDS["en"])[0 if value else 1]

    def describe(self, public: Mapping[str, Any], response: Any, lang: str, default: str) -> list:
        return [] if response is None else [self._word(response, lang)]

    def correct_answer(
        self, settings: Mapping[str, Any], public: Mapping[str, Any], lang: str, default: str
    ) -> list[str]:
        return [self._word(settings["answer"], lang)]

    def feedback(
        self, settings: Mapping[str, Any], response: Any, lang: str, default: str
    ) -> list[str]:
        if response is None:
            return []
        key = "feedback_correct" if response == settings["answer"] else "feedback_incorrect"
        return [localise(settings[key], lang, default)] if settings.get(key) else []

    def distribution_keys(self, response: Any) -> list[str]:
        return [] if response is None else [str(bool(response)).lower()]

    def option_labels(self, settings: Mapping[str, Any], lang: str, default: str) -> dict:
        return {"true": self._word(True, lang), "false": self._word(False, lang)}


#: "True" and "False" in the languages of content (the statement's own language, so they are
#: content words, not interface strings).
TRUE_FALSE_WORDS = {
    "nl": ("Waar", "Niet waar"),
    "fr": ("Vrai", "Faux"),
    "de": ("Richtig", "Falsch"),
    "en": ("True", "False"),
}
