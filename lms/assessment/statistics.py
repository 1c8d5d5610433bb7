"""Item statistics for trainers: how each question of a test performs.

Over the submitted attempts of one test, per question (its bank and id):

- ``answers``: how often it was drawn; ``answered``: how often it got a response;
- ``facility`` (difficulty, the p-value): the mean score, 0..1 (partial credit counts as its
  share; an unanswered question counts 0);
- ``discrimination``: the point-biserial correlation between the question's score and the
  score on the *other* questions of the same attempt (as a share of their maximum), so that
  the question does not correlate with itself. Around 0.3 or more is good; below 0 means that
  learners who did well on the rest of the test did worse on this question;
- ``distribution``: how often each option was chosen (choice questions, true/false,
  matching pairs, ordering places, typed answers);
- flags: too easy (facility above 0.9), too hard (below 0.3), negative discrimination.

``compute`` is a pure function (tested against values worked out by hand); ``load`` reads
the observations of one test in one query.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.assessment.drawing import question_type
from lms.assessment.models import SUBMITTED, Answer, Attempt
from lms.catalog.readmodel import QuestionDef, localise

TOO_EASY_ABOVE = 0.9
TOO_HARD_BELOW = 0.3
FLAG_EASY = "too-easy"
FLAG_HARD = "too-hard"
FLAG_NEGATIVE = "negative-discrimination"


@dataclass(frozen=True)
class Observation:
    """One drawn question of one submitted attempt."""

    attempt_id: int
    bank: str
    question_id: str
    score: float
    response: Any
    attempt_raw: float
    attempt_max: float


@dataclass(frozen=True)
class ItemStatistics:
    bank: str
    question_id: str
    question: QuestionDef | None
    answers: int
    answered: int
    facility: float | None
    discrimination: float | None
    #: (option key, count), in the question's order of options; "" counts no answer.
    distribution: tuple[tuple[str, int], ...]
    flags: tuple[str, ...]

    def prompt(self, lang: str, default: str) -> str:
        return localise(self.question.prompt, lang, default) if self.question else ""


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """The correlation of two equally long series; None when either does not vary."""
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    var_x = sum((x - mean_x) ** 2 for x in xs)
    var_y = sum((y - mean_y) ** 2 for y in ys)
    if var_x <= 1e-12 or var_y <= 1e-12:
        return None
    return cov / math.sqrt(var_x * var_y)


def compute(
    observations: Iterable[Observation], questions: Mapping[tuple[str, str], QuestionDef]
) -> list[ItemStatistics]:
    """Statistics per question, in the order of ``questions`` (then any others)."""
    groups: dict[tuple[str, str], list[Observation]] = defaultdict(list)
    for item in observations:
        groups[(item.bank, item.question_id)].append(item)
    order = [key for key in questions if key in groups] + sorted(
        key for key in groups if key not in questions
    )
    result = []
    for key in order:
        items = groups[key]
        question = questions.get(key)
        scores = [item.score for item in items]
        facility = sum(scores) / len(scores)
        pairs = [
            (item.score, (item.attempt_raw - item.score) / (item.attempt_max - 1))
            for item in items
            if item.attempt_max > 1
        ]
        discrimination = pearson([p[0] for p in pairs], [p[1] for p in pairs])
        flags = []
        if facility > TOO_EASY_ABOVE:
            flags.append(FLAG_EASY)
        if facility < TOO_HARD_BELOW:
            flags.append(FLAG_HARD)
        if discrimination is not None and discrimination < 0:
            flags.append(FLAG_NEGATIVE)
        result.append(
            ItemStatistics(
                bank=key[0],
                question_id=key[1],
                question=question,
                answers=len(items),
                answered=sum(1 for item in items if item.response is not None),
                facility=facility,
                discrimination=discrimination,
                distribution=_distribution(question, items),
                flags=tuple(flags),
            )
        )
    return result


def _distribution(question: QuestionDef | None, items: list[Observation]) -> tuple:
    type_ = question_type(question.type) if question is not None else None
    if type_ is None:
        return ()
    counts: Counter[str] = Counter()
    for item in items:
        keys = type_.distribution_keys(item.response)
        counts.update(keys if keys else [""])
    known = list(type_.option_labels(question.settings, "nl", "nl"))
    ordered = [(key, counts[key]) for key in known if counts[key] or len(known) <= 12]
    ordered += sorted(
        ((key, n) for key, n in counts.items() if key and key not in known),
        key=lambda kv: (-kv[1], kv[0]),
    )
    return (*ordered, ("", counts[""]))


def load(session: Session, course_id: int, activity_id: str) -> list[Observation]:
    rows = session.execute(
        select(
            Answer.attempt_id,
            Answer.bank,
            Answer.question_id,
            Answer.score,
            Answer.response,
            Attempt.raw_score,
            Attempt.max_score,
        )
        .join(Attempt, Answer.attempt_id == Attempt.id)
        .where(
            Attempt.course_id == course_id,
            Attempt.activity_id == activity_id,
            Attempt.status == SUBMITTED,
        )
        .order_by(Answer.attempt_id, Answer.position)
    )
    return [
        Observation(attempt_id, bank, qid, score or 0.0, response, raw or 0.0, top or 0.0)
        for attempt_id, bank, qid, score, response, raw, top in rows
    ]


def option_label(stat: ItemStatistics, key: str, lang: str, default: str) -> str:
    if stat.question is None or not key:
        return key
    type_ = question_type(stat.question.type)
    labels = type_.option_labels(stat.question.settings, lang, default) if type_ else {}
    return labels.get(key, key)


def to_csv(stats: list[ItemStatistics], lang: str, default: str) -> str:
    """The statistics as CSV (one row per question; the distribution in one column)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "bank",
            "question",
            "type",
            "prompt",
            "answers",
            "answered",
            "facility",
            "discrimination",
            "flags",
            "distribution",
        ]
    )
    for stat in stats:
        distribution = "; ".join(
            f"{option_label(stat, key, lang, default) or '-'}: {count}"
            for key, count in stat.distribution
        )
        writer.writerow(
            [
                stat.bank,
                stat.question_id,
                stat.question.type if stat.question else "",
                _safe_cell(stat.prompt(lang, default)),
                stat.answers,
                stat.answered,
                "" if stat.facility is None else f"{stat.facility:.3f}",
                "" if stat.discrimination is None else f"{stat.discrimination:.3f}",
                " ".join(stat.flags),
                _safe_cell(distribution),
            ]
        )
    return out.getvalue()


def _safe_cell(text: str) -> str:
    """No formulas in spreadsheets (CSV injection): a cell never starts with = + - @."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
