"""Short-answer questions: a typed word or number.

Give either ``accepted`` (the texts counted as right, in any language) or ``number`` (with an
optional ``tolerance``). Texts are compared without regard to capitals (unless
``case_sensitive: true``) or extra spaces. A number may be typed with a decimal comma or
point (``1,5`` or ``1.5``).

Score: 1 for an accepted answer, else 0.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, ClassVar

from pydantic import Field, StringConstraints

from lms.authoring.context import CheckContext
from lms.authoring.diagnostics import Diagnostic
from lms.authoring.fields import FormatModel
from lms.authoring.loader import Path_
from lms.authoring.types.scored import Form, ScoredQuestion, fold

AcceptedText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
NUMBER_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
#: Longest answer kept (characters).
MAX_LENGTH = 200


class ShortAnswerSettings(FormatModel):
    accepted: list[AcceptedText] | None = Field(
        None, min_length=1, description="Texts counted as right (any language)."
    )
    case_sensitive: bool = Field(False, description="Whether capitals must match.")
    number: float | None = Field(None, description="The right number (instead of texts).")
    tolerance: float = Field(0, ge=0, description="How far from `number` still counts as right.")


def parse_number(text: str) -> float | None:
    """A typed number (decimal comma or point, spaces ignored), or None."""
    compact = "".join(text.split())
    if not NUMBER_RE.match(compact):
        return None
    value = float(compact.replace(",", "."))
    return value if math.isfinite(value) else None


def _format_number(value: float) -> str:
    return f"{value:g}"


class ShortAnswerType(ScoredQuestion):
    name = "short_answer"
    description = "Type a short text or a number."
    settings: ClassVar = ShortAnswerSettings
    template = "short_answer.html"

    def check(self, question: Any, path: Path_, ctx: CheckContext) -> Iterator[Diagnostic]:
        if question.accepted is not None and question.number is not None:
            yield ctx.diagnostic(
                "E308",
                (*path, "number"),
                "both `accepted` and `number` are given",
                "a short answer is either a text (`accepted`) or a number (`number`)",
                at_key=True,
            )
        elif question.accepted is None and question.number is None:
            yield ctx.diagnostic(
                "E305",
                path,
                f"question `{question.id}` has no correct answer",
                "add `accepted: [...]` (texts) or `number:` (with `tolerance:`)",
            )
        if question.number is None and "tolerance" in question.model_fields_set:
            yield ctx.diagnostic(
                "E308",
                (*path, "tolerance"),
                "`tolerance` is only for a `number` answer",
                "remove `tolerance`, or give `number`",
                at_key=True,
            )
        seen: set[str] = set()
        for i, text in enumerate(question.accepted or []):
            key = fold(text, case_sensitive=question.case_sensitive)
            if key in seen:
                yield ctx.diagnostic(
                    "E301",
                    (*path, "accepted", i),
                    f"`{text}` is accepted twice (capitals and spaces do not count)",
                    "remove one of them",
                )
            seen.add(key)

    def normalise(self, question: Any, ctx: CheckContext) -> dict[str, Any]:
        if question.number is not None:
            return {"number": float(question.number), "tolerance": float(question.tolerance)}
        return {
            "accepted": list(question.accepted or []),
            "case_sensitive": question.case_sensitive,
        }

    # -- taking the question ------------------------------------------------------------------

    @staticmethod
    def _numeric(settings: Mapping[str, Any]) -> bool:
        return settings.get("number") is not None

    def interaction_type(self, settings: Mapping[str, Any]) -> str:
        return "numeric" if self._numeric(settings) else "fill-in"

    def public(self, settings: Mapping[str, Any], presentation: Mapping[str, Any]) -> dict:
        return {"numeric": self._numeric(settings)}

    def parse(self, form: Form, public: Mapping[str, Any]) -> tuple[Any, str | None]:
        values = list(form.get("answer", ()))
        text = " ".join((values[0] if values else "").split())[:MAX_LENGTH]
        if not text:
            return None, None
        if public.get("numeric") and parse_number(text) is None:
            return None, "not-a-number"
        return text, None

    def form_values(self, public: Mapping[str, Any], response: Any) -> dict[str, list[str]]:
        return {"answer": [response]} if response else {}

    def score(self, settings: Mapping[str, Any], response: Any) -> float:
        if not response:
            return 0.0
        if self._numeric(settings):
            value = parse_number(response)
            if value is None:
                return 0.0
            # A little slack for binary fractions: 0.1 + 0.2 is within 0.3 +/- 0.
            slack = 1e-9 * max(1.0, abs(settings["number"]))
            return 1.0 if abs(value - settings["number"]) <= settings["tolerance"] + slack else 0.0
        case = bool(settings.get("case_sensitive"))
        accepted = {fold(text, case_sensitive=case) for text in settings["accepted"]}
        return 1.0 if fold(response, case_sensitive=case) in accepted else 0.0

    def xapi_response(self, response: Any) -> str | None:
        return response or None

    def describe(self, public: Mapping[str, Any], response: Any, lang: str, default: str) -> list:
        return [response] if response else []

    def correct_answer(
        self, settings: Mapping[str, Any], public: Mapping[str, Any], lang: str, default: str
    ) -> list[str]:
        if self._numeric(settings):
            number = _format_number(settings["number"])
            tolerance = settings["tolerance"]
            return [f"{number} ± {_format_number(tolerance)}" if tolerance else number]
        return list(settings["accepted"][:1])

    def distribution_keys(self, response: Any) -> list[str]:
        return [fold(response)] if response else []
