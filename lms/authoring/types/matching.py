"""Matching questions: pair each item with one of the options.

The learner picks an option for every item from a list (a native select: no dragging, so it
works with the keyboard and a screen reader). Options may outnumber the items (distractors),
and one option may be the match of several items. The options are listed in alphabetical
order of their text, so their order says nothing about the answer.

Score: the share of items matched correctly (2 of 4 right: 0.5).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from pydantic import Field

from lms.authoring.context import CheckContext, did_you_mean
from lms.authoring.diagnostics import Diagnostic
from lms.authoring.fields import FormatModel, Slug, Text
from lms.authoring.loader import Path_
from lms.authoring.types.scored import Form, ScoredQuestion, fold, localise, shuffled


class MatchItem(FormatModel):
    id: Slug = Field(description="Unique within the question's items.")
    text: Text
    match: Slug = Field(description="Id of the option that belongs to this item.")


class MatchOption(FormatModel):
    id: Slug = Field(description="Unique within the question's options.")
    text: Text


class MatchingSettings(FormatModel):
    items: list[MatchItem] = Field(min_length=2, description="The items to match (left).")
    options: list[MatchOption] = Field(
        min_length=2, description="What the items are matched with (right); may hold extras."
    )


def _field(item_id: str) -> str:
    return f"match-{item_id}"


class MatchingType(ScoredQuestion):
    name = "matching"
    description = "Match each item with one of the options."
    settings: ClassVar = MatchingSettings
    template = "matching.html"

    def check(self, question: Any, path: Path_, ctx: CheckContext) -> Iterator[Diagnostic]:
        for key in ("items", "options"):
            seen: set[str] = set()
            for i, entry in enumerate(getattr(question, key)):
                if entry.id in seen:
                    yield ctx.diagnostic(
                        "E301",
                        (*path, key, i, "id"),
                        f"id `{entry.id}` is used twice in the {key} of question `{question.id}`",
                        f"give each of the {key} its own id",
                    )
                seen.add(entry.id)
        options = {option.id for option in question.options}
        for i, item in enumerate(question.items):
            if item.match not in options:
                hint = did_you_mean(item.match, options) or "options: " + ", ".join(sorted(options))
                yield ctx.diagnostic(
                    "E306",
                    (*path, "items", i, "match"),
                    f"`match: {item.match}` is not an option of this question",
                    hint,
                )

    # -- taking the question ------------------------------------------------------------------

    def interaction_type(self, settings: Mapping[str, Any]) -> str:
        return "matching"

    def present(self, settings: Mapping[str, Any], rng: random.Random, shuffle: bool) -> dict:
        return {"order": shuffled([item["id"] for item in settings["items"]], rng, shuffle)}

    def public(self, settings: Mapping[str, Any], presentation: Mapping[str, Any]) -> dict:
        texts = {item["id"]: item["text"] for item in settings["items"]}
        order = presentation.get("order") or list(texts)
        return {
            "items": [
                {"id": iid, "text": texts[iid], "field": _field(iid)}
                for iid in order
                if iid in texts
            ],
            # Sorted when shown (by their text in the page's language): see ``sorted_options``.
            "options": sorted(
                ({"id": o["id"], "text": o["text"]} for o in settings["options"]),
                key=lambda o: o["id"],
            ),
        }

    @staticmethod
    def sorted_options(public: Mapping[str, Any], lang: str, default: str) -> list[dict]:
        return sorted(
            public["options"],
            key=lambda o: (fold(localise(o["text"], lang, default)), o["id"]),
        )

    def parse(self, form: Form, public: Mapping[str, Any]) -> tuple[Any, str | None]:
        options = {o["id"] for o in public["options"]}
        response: dict[str, str] = {}
        for item in public["items"]:
            values = [v for v in form.get(item["field"], ()) if v]
            if len(values) > 1 or (values and values[0] not in options):
                return None, "invalid-choice"
            if values:
                response[item["id"]] = values[0]
        return (response or None), None

    def form_values(self, public: Mapping[str, Any], response: Any) -> dict[str, list[str]]:
        response = response or {}
        return {i["field"]: [response[i["id"]]] for i in public["items"] if i["id"] in response}

    def score(self, settings: Mapping[str, Any], response: Any) -> float:
        if not response:
            return 0.0
        items = settings["items"]
        right = sum(1 for item in items if response.get(item["id"]) == item["match"])
        return right / len(items)

    def xapi_response(self, response: Any) -> str | None:
        if not response:
            return None
        return "[,]".join(f"{item}[.]{option}" for item, option in response.items())

    def describe(self, public: Mapping[str, Any], response: Any, lang: str, default: str) -> list:
        if not response:
            return []
        labels = {o["id"]: localise(o["text"], lang, default) for o in public["options"]}
        return [
            f"{localise(item['text'], lang, default)}: {labels.get(response.get(item['id']), '-')}"
            for item in public["items"]
        ]

    def correct_answer(
        self, settings: Mapping[str, Any], public: Mapping[str, Any], lang: str, default: str
    ) -> list[str]:
        labels = {o["id"]: localise(o["text"], lang, default) for o in settings["options"]}
        matches = {item["id"]: item["match"] for item in settings["items"]}
        return [
            f"{localise(item['text'], lang, default)}: {labels[matches[item['id']]]}"
            for item in public["items"]
        ]

    def distribution_keys(self, response: Any) -> list[str]:
        return [f"{item}={option}" for item, option in (response or {}).items()]

    def option_labels(self, settings: Mapping[str, Any], lang: str, default: str) -> dict:
        labels = {o["id"]: localise(o["text"], lang, default) for o in settings["options"]}
        return {
            f"{item['id']}={option_id}": f"{localise(item['text'], lang, default)}: {label}"
            for item in settings["items"]
            for option_id, label in labels.items()
        }
