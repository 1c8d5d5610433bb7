"""What the test pages show of a snapshot question, built only from its public part.

Page views never receive a question's settings (where the answer keys are) before the
attempt is submitted: ``question_view`` and ``review_item`` read ``public`` only. The result
page (``result_item``) is the one place that reads the keys, and only after submission.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from lms.assessment.drawing import question_type
from lms.authoring.types.matching import MatchingType
from lms.authoring.types.scored import localise
from lms.core.i18n import lazy_gettext as _l
from lms.learning.rendering import render_markdown

#: Messages for the error codes of ``ScoredQuestion.parse``.
PARSE_MESSAGES = {
    "invalid-choice": _l("Choose one of the options shown."),
    "positions-incomplete": _l("Give every item a place, or leave them all empty."),
    "positions-repeated": _l("Give each place to one item only."),
    "not-a-number": _l("Enter a number, like 12 or 2,5."),
}

_SINGLE_PARAGRAPH = re.compile(r"^\s*<p>(.*)</p>\s*$", re.S)


def prompt_html(text: str) -> tuple[Markup, bool]:
    """The prompt as HTML, and whether it is one paragraph (then it can be the legend)."""
    html = str(render_markdown(text))
    match = _SINGLE_PARAGRAPH.match(html)
    if match and "<p>" not in match.group(1):
        return Markup(match.group(1)), True
    return Markup(html), False


@dataclass
class QuestionView:
    """One question as its page shows it."""

    number: int
    count: int
    type: str
    template: str
    prompt: Markup
    prompt_inline: bool
    public: Mapping[str, Any]
    lang: str
    default: str
    values: Mapping[str, list[str]] = field(default_factory=dict)

    def text(self, texts: Mapping[str, str] | None) -> str:
        return localise(texts, self.lang, self.default)

    def checked(self, name: str, value: str) -> bool:
        return value in self.values.get(name, ())

    def value(self, name: str) -> str:
        values = self.values.get(name) or [""]
        return values[0]

    @property
    def first_field_id(self) -> str:
        """The id of the first control, where the error summary's link goes."""
        items = self.public.get("items")
        if items:
            return items[0]["field"]
        options = self.public.get("options")
        return f"answer-{options[0]['id']}" if options else "answer"

    @property
    def options(self) -> list[dict]:
        """Options in the order they are listed (matching: alphabetical by their text)."""
        if self.type == MatchingType.name:
            return MatchingType.sorted_options(self.public, self.lang, self.default)
        return list(self.public.get("options", ()))


def question_view(
    question: Mapping[str, Any],
    number: int,
    count: int,
    lang: str,
    response: Any = None,
    values: Mapping[str, list[str]] | None = None,
) -> QuestionView:
    type_ = question_type(question["type"])
    assert type_ is not None, question["type"]
    default = question.get("language") or lang
    public = type_.public(question["settings"], question.get("presentation") or {})
    html, inline = prompt_html(localise(question["prompt"], lang, default))
    return QuestionView(
        number=number,
        count=count,
        type=question["type"],
        template=f"lms/assessment/questions/{type_.template}",
        prompt=html,
        prompt_inline=inline,
        public=public,
        lang=lang,
        default=default,
        values=values if values is not None else type_.form_values(public, response),
    )


@dataclass(frozen=True)
class ReviewItem:
    number: int
    prompt: Markup
    answer: list[str]

    @property
    def answered(self) -> bool:
        return bool(self.answer)


def review_item(question: Mapping[str, Any], number: int, lang: str, response: Any) -> ReviewItem:
    type_ = question_type(question["type"])
    assert type_ is not None
    default = question.get("language") or lang
    public = type_.public(question["settings"], question.get("presentation") or {})
    html, _inline = prompt_html(localise(question["prompt"], lang, default))
    return ReviewItem(number, html, type_.describe(public, response, lang, default))


@dataclass(frozen=True)
class ResultItem:
    number: int
    prompt: Markup
    answer: list[str]
    score: float
    correct_answer: list[str]
    feedback: list[str]
    explanation: Markup | None

    @property
    def verdict(self) -> str:
        if self.score >= 1:
            return "correct"
        return "partly" if self.score > 0 else "wrong"


def result_item(
    question: Mapping[str, Any], number: int, lang: str, response: Any, score: float | None
) -> ResultItem:
    """A question on the result page, with the right answer: only after submission."""
    type_ = question_type(question["type"])
    assert type_ is not None
    default = question.get("language") or lang
    settings = question["settings"]
    public = type_.public(settings, question.get("presentation") or {})
    html, _inline = prompt_html(localise(question["prompt"], lang, default))
    explanation = question.get("explanation")
    return ResultItem(
        number=number,
        prompt=html,
        answer=type_.describe(public, response, lang, default),
        score=score or 0.0,
        correct_answer=type_.correct_answer(settings, public, lang, default),
        feedback=type_.feedback(settings, response, lang, default),
        explanation=render_markdown(localise(explanation, lang, default)) if explanation else None,
    )
