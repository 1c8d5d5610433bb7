"""Turn a validated course or bank into the plain definition that the catalog stores.

The definition is explicit and self-contained: every text as {language: text}, defaults
filled in, included Markdown inlined, the hash of every included image listed. Its sha256
(over a canonical JSON form) is the version's content hash, so any change that a learner
could see makes a new version, and nothing else does.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from lms.authoring.builtin import default_registries
from lms.authoring.registry import Registries
from lms.authoring.validate import ParsedFile

#: Bumped when the shape of stored definitions changes.
DEFINITION_FORMAT = 1


def content_hash(definition: dict[str, Any]) -> str:
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def course_definition(parsed: ParsedFile, registries: Registries | None = None) -> dict[str, Any]:
    registries = registries or default_registries()
    course, ctx = parsed.model, parsed.ctx
    if course is None:
        raise ValueError(f"{parsed.doc.display} has errors; it cannot be normalised")
    ctx.assets = {}
    modules = []
    for module in course.modules:
        activities = []
        for activity in module.activities:
            type_ = registries.activities[activity.type]
            activities.append(
                {
                    "id": activity.id,
                    "type": activity.type,
                    "title": ctx.plain(activity.title),
                    "description": ctx.plain(activity.description),
                    "settings": type_.normalise(activity, ctx),
                }
            )
        modules.append(
            {
                "id": module.id,
                "title": ctx.plain(module.title),
                "description": ctx.plain(module.description),
                "completion": ctx.plain(module.completion),
                "activities": activities,
            }
        )
    return {
        "format": DEFINITION_FORMAT,
        "id": course.id,
        "title": ctx.plain(course.title),
        "description": ctx.plain(course.description),
        "languages": list(course.languages),
        "completion": ctx.plain(course.completion),
        "certificate": course.certificate.template if course.certificate else None,
        # Only when set, so that courses without it keep their content hash.
        **(
            {"certificate_valid_for_months": course.certificate.valid_for_months}
            if course.certificate and course.certificate.valid_for_months
            else {}
        ),
        "enrolment": course.enrolment,
        "modules": modules,
        "assets": dict(sorted(ctx.assets.items())),
    }


def bank_definition(parsed: ParsedFile, registries: Registries | None = None) -> dict[str, Any]:
    registries = registries or default_registries()
    bank, ctx = parsed.model, parsed.ctx
    if bank is None:
        raise ValueError(f"{parsed.doc.display} has errors; it cannot be normalised")
    ctx.assets = {}
    questions = [
        {
            "id": question.id,
            "type": question.type,
            "prompt": ctx.plain(question.prompt),
            "tags": list(question.tags),
            "explanation": ctx.plain(question.explanation),
            "settings": registries.questions[question.type].normalise(question, ctx),
        }
        for question in bank.questions
    ]
    return {
        "format": DEFINITION_FORMAT,
        "id": bank.id,
        "title": ctx.plain(bank.title),
        "languages": list(bank.languages),
        "questions": questions,
        "assets": dict(sorted(ctx.assets.items())),
    }
