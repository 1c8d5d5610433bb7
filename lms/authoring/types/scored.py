"""The one interface of a question type that can be taken in a test.

A question type is one class: its settings model and checks (for ``lms validate``, from
``QuestionType``) and, here, what a test needs to show it, read the learner's answer, score
it and report it over xAPI. Everything works on plain data (the stored definition of a
question, as in ``QuestionDef.settings``), never on Flask objects, so it is easy to test:

- ``present(settings, rng, shuffle)``: drawn once, when an attempt starts: the order in which
  the parts of the question are shown (ids only). It is kept in the attempt's snapshot.
- ``public(settings, presentation)``: what the page may show. It never holds an answer key:
  the answer-leak tests render pages from it for banks that differ only in their keys.
- ``parse(form, public)``: the submitted form (``{name: [values]}``) -> ``(response, error)``;
  ``form_values`` is its reverse (to show a saved answer). ``response`` is plain JSON data,
  ``None`` when nothing was answered; ``error`` is an error code (see ``PARSE_ERRORS``) that
  the page turns into a message in the learner's language.
- ``score(settings, response)``: a share between 0 and 1 (each question is worth one point).
- ``interaction_type(settings)`` and ``xapi_response(response)``: xAPI's names.
- ``describe`` / ``correct_answer`` / ``feedback``: texts for the review and result pages.
- ``distribution_keys``: the options counted in the trainer's item statistics.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from lms.authoring.registry import QuestionType

#: {language: text}, as stored.
Texts = Mapping[str, str]
Form = Mapping[str, Sequence[str]]

#: Error codes that ``parse`` may return; the assessment views word them for learners.
PARSE_ERRORS = (
    "invalid-choice",  # a value that is not one of the options (a tampered form)
    "positions-incomplete",  # ordering: some items have a position, others not
    "positions-repeated",  # ordering: a position given to two items
    "not-a-number",  # short answer: a number is expected
)


def localise(texts: Texts | None, lang: str, default: str) -> str:
    if not texts:
        return ""
    return texts.get(lang) or texts.get(default) or next(iter(texts.values()), "")


def shuffled(items: Sequence[str], rng: random.Random, shuffle: bool = True) -> list[str]:
    result = list(items)
    if shuffle:
        rng.shuffle(result)
    return result


def fold(text: str, *, case_sensitive: bool = False) -> str:
    """A typed text for comparison: Unicode-normalised, spaces collapsed, case folded."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return text if case_sensitive else text.casefold()


class ScoredQuestion(QuestionType):
    """Base of the built-in question types (see the module docstring)."""

    #: The page template of this type, under ``lms/assessment/questions/``.
    template: ClassVar[str]

    def interaction_type(self, settings: Mapping[str, Any]) -> str:
        raise NotImplementedError

    def present(
        self, settings: Mapping[str, Any], rng: random.Random, shuffle: bool
    ) -> dict[str, Any]:
        return {}

    def public(self, settings: Mapping[str, Any], presentation: Mapping[str, Any]) -> dict:
        return {}

    def parse(self, form: Form, public: Mapping[str, Any]) -> tuple[Any, str | None]:
        raise NotImplementedError

    def form_values(self, public: Mapping[str, Any], response: Any) -> dict[str, list[str]]:
        """The form as the learner left it (``parse`` backwards), to show a saved answer."""
        raise NotImplementedError

    def score(self, settings: Mapping[str, Any], response: Any) -> float:
        raise NotImplementedError

    def xapi_response(self, response: Any) -> str | None:
        """xAPI's response pattern for ``response``; None when unanswered."""
        raise NotImplementedError

    def describe(self, public: Mapping[str, Any], response: Any, lang: str, default: str) -> list:
        """The learner's answer in words (one line per part), for the review page."""
        raise NotImplementedError

    def correct_answer(
        self, settings: Mapping[str, Any], public: Mapping[str, Any], lang: str, default: str
    ) -> list[str]:
        """The right answer in words, for the result page (when the policy shows it)."""
        raise NotImplementedError

    def feedback(
        self, settings: Mapping[str, Any], response: Any, lang: str, default: str
    ) -> list[str]:
        """Feedback written for this answer (per choice, or for right/wrong)."""
        return []

    def distribution_keys(self, response: Any) -> list[str]:
        """The options this response counts for in the item statistics."""
        return []

    def option_labels(self, settings: Mapping[str, Any], lang: str, default: str) -> dict:
        """Labels of the options counted by ``distribution_keys``, in the question's order."""
        return {}
