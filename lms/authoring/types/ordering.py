"""Ordering questions: put the items in the right order.

The items are written in the right order; learners see them in a shuffled order (always, since
the written order is the answer) and give each one its place with a native select, so no
dragging is needed.

Score: the share of pairs of items that are in the right order relative to each other. All
in order: 1; reversed: 0; one item moved one place in a list of four: 5 of 6 pairs, 0.83.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from itertools import combinations
from typing import Any, ClassVar

from pydantic import Field

from lms.authoring.context import CheckContext
from lms.authoring.diagnostics import Diagnostic
from lms.authoring.fields import FormatModel, Slug, Text
from lms.authoring.loader import Path_
from lms.authoring.types.scored import Form, ScoredQuestion, localise


class OrderItem(FormatModel):
    id: Slug = Field(description="Unique within the question.")
    text: Text


class OrderingSettings(FormatModel):
    items: list[OrderItem] = Field(
        min_length=2, description="The items, written in the right order."
    )


def _field(item_id: str) -> str:
    return f"position-{item_id}"


class OrderingType(ScoredQuestion):
    name = "ordering"
    description = "Put the items in the right order."
    settings: ClassVar = OrderingSettings
    template = "ordering.html"

    def check(self, question: Any, path: Path_, ctx: CheckContext) -> Iterator[Diagnostic]:
        seen: set[str] = set()
        for i, item in enumerate(question.items):
            if item.id in seen:
                yield ctx.diagnostic(
                    "E301",
                    (*path, "items", i, "id"),
                    f"item id `{item.id}` is used twice in question `{question.id}`",
                    "give each item its own id",
                )
            seen.add(item.id)

    # -- taking the question ------------------------------------------------------------------

    def interaction_type(self, settings: Mapping[str, Any]) -> str:
        return "sequencing"

    def present(self, settings: Mapping[str, Any], rng: random.Random, shuffle: bool) -> dict:
        # Shuffled whatever the test says, from an order that does not depend on the answer
        # (sorted ids), so that the page shows nothing of the written order.
        order = sorted(item["id"] for item in settings["items"])
        rng.shuffle(order)
        return {"order": order}

    def public(self, settings: Mapping[str, Any], presentation: Mapping[str, Any]) -> dict:
        texts = {item["id"]: item["text"] for item in settings["items"]}
        order = presentation.get("order") or sorted(texts)
        return {
            "items": [
                {"id": iid, "text": texts[iid], "field": _field(iid)}
                for iid in order
                if iid in texts
            ],
        }

    def parse(self, form: Form, public: Mapping[str, Any]) -> tuple[Any, str | None]:
        items = public["items"]
        count = len(items)
        positions: dict[str, int] = {}
        for item in items:
            values = [v for v in form.get(item["field"], ()) if v]
            if not values:
                continue
            if len(values) > 1 or not values[0].isdigit() or not 1 <= int(values[0]) <= count:
                return None, "invalid-choice"
            positions[item["id"]] = int(values[0])
        if not positions:
            return None, None
        if len(positions) < count:
            return None, "positions-incomplete"
        if len(set(positions.values())) < count:
            return None, "positions-repeated"
        return sorted(positions, key=positions.__getitem__), None

    def form_values(self, public: Mapping[str, Any], response: Any) -> dict[str, list[str]]:
        place = {item_id: n for n, item_id in enumerate(response or [], start=1)}
        return {i["field"]: [str(place[i["id"]])] for i in public["items"] if i["id"] in place}

    def score(self, settings: Mapping[str, Any], response: Any) -> float:
        right = [item["id"] for item in settings["items"]]
        if not response or sorted(response) != sorted(right):
            return 0.0
        place = {item_id: index for index, item_id in enumerate(response)}
        pairs = list(combinations(right, 2))  # each (a, b) with a before b in the answer
        in_order = sum(1 for a, b in pairs if place[a] < place[b])
        return in_order / len(pairs)

    def xapi_response(self, response: Any) -> str | None:
        return "[,]".join(response) if response else None

    def describe(self, public: Mapping[str, Any], response: Any, lang: str, default: str) -> list:
        texts = {item["id"]: item["text"] for item in public["items"]}
        return [
            f"{n}. {localise(texts[item_id], lang, default)}"
            for n, item_id in enumerate(response or [], start=1)
            if item_id in texts
        ]

    def correct_answer(
        self, settings: Mapping[str, Any], public: Mapping[str, Any], lang: str, default: str
    ) -> list[str]:
        return [
            f"{n}. {localise(item['text'], lang, default)}"
            for n, item in enumerate(settings["items"], start=1)
        ]

    def distribution_keys(self, response: Any) -> list[str]:
        return [f"{item_id}@{n}" for n, item_id in enumerate(response or [], start=1)]

    def option_labels(self, settings: Mapping[str, Any], lang: str, default: str) -> dict:
        count = len(settings["items"])
        return {
            f"{item['id']}@{n}": f"{localise(item['text'], lang, default)}: {n}"
            for item in settings["items"]
            for n in range(1, count + 1)
        }
