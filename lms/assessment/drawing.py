"""Drawing an attempt's questions from the banks and freezing them into a snapshot."""

from __future__ import annotations

import random
from typing import Any

from lms.assessment.config import TestConfig
from lms.authoring.builtin import default_registries
from lms.authoring.registry import Registries
from lms.authoring.types.scored import ScoredQuestion
from lms.catalog.readmodel import BankDef, QuestionDef


def question_type(name: str, registries: Registries | None = None) -> ScoredQuestion | None:
    """The registered type called ``name`` if tests can use it."""
    type_ = (registries or default_registries()).questions.get(name)
    return type_ if isinstance(type_, ScoredQuestion) else None


def snapshot(bank: BankDef, question: QuestionDef, presentation: dict[str, Any]) -> dict:
    """A drawn question as an attempt keeps it: everything needed to show and score it."""
    return {
        "bank": bank.slug,
        "bank_version": bank.version_id,
        "id": question.id,
        "type": question.type,
        "prompt": dict(question.prompt),
        "explanation": dict(question.explanation) if question.explanation else None,
        "tags": list(question.tags),
        "language": bank.default_language,
        "settings": _plain(question.settings),
        "presentation": presentation,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def draw_questions(
    config: TestConfig,
    banks: list[BankDef],
    rng: random.Random,
    registries: Registries | None = None,
) -> list[dict[str, Any]]:
    """Draw the questions of a new attempt: first per tag (``draw``), then the rest at
    random, without repeats; then shuffle them if the test says so. A bank that became
    smaller than the test asks for gives fewer questions rather than an error."""
    pool = [
        (bank, question)
        for bank in banks
        for question in bank.questions
        if question_type(question.type, registries) is not None
    ]
    chosen: list[int] = []
    for tag, count in config.draw:
        candidates = [
            i for i, (_, question) in enumerate(pool) if tag in question.tags and i not in chosen
        ]
        chosen += rng.sample(candidates, min(count, len(candidates)))
    if config.questions is not None:
        total = config.questions
    elif config.draw:
        total = sum(count for _, count in config.draw)
    else:
        total = len(pool)
    rest = [i for i in range(len(pool)) if i not in chosen]
    chosen += rng.sample(rest, max(0, min(total - len(chosen), len(rest))))
    if config.shuffle_questions:
        rng.shuffle(chosen)
    else:
        chosen.sort()
    result = []
    for index in chosen:
        bank, question = pool[index]
        type_ = question_type(question.type, registries)
        assert type_ is not None
        presentation = type_.present(question.settings, rng, config.shuffle_choices)
        result.append(snapshot(bank, question, presentation))
    return result
