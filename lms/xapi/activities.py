"""Activity ids and definitions: every item of a course, named by its key.

An activity id is ``<LMS_XAPI_BASE_IRI>/xapi/activities/course/<slug>/<kind>/<id>``: the
course's and the item's ids from the course file, never a position, so the id survives a
re-import that moves a lesson to another module. Names come in every course language.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import tincan
from flask import current_app

from lms.catalog.readmodel import ActivityDef, CourseDef, LessonDef, ModuleDef, SectionDef
from lms.xapi.vocabulary import ACTIVITY_TYPES, OTHER_ACTIVITY_TYPE

# Identifiers -------------------------------------------------------------------------------


def base_iri() -> str:
    return current_app.config["LMS_XAPI_BASE_IRI"].rstrip("/")


def activity_iri(course_slug: str, kind: str | None = None, item_id: str | None = None) -> str:
    """The id of a course or of an item in it: its key, never its position."""
    iri = f"{base_iri()}/xapi/activities/course/{course_slug}"
    return f"{iri}/{kind}/{item_id}" if kind else iri


def question_iri(bank_slug: str, question_id: str) -> str:
    return f"{base_iri()}/xapi/activities/bank/{bank_slug}/question/{question_id}"


def certificate_iri(certificate_id: str | uuid.UUID) -> str:
    return f"{base_iri()}/xapi/activities/certificate/{certificate_id}"


def format_timestamp(at: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and a ``Z``; refuses a naive datetime."""
    if at.tzinfo is None:
        raise ValueError("naive datetime given; use an aware UTC datetime")
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# Activities --------------------------------------------------------------------------------


def _names(texts: Mapping[str, str] | None) -> tincan.LanguageMap | None:
    names = {lang: text for lang, text in (texts or {}).items() if text}
    return tincan.LanguageMap(names) if names else None


def make_activity(iri: str, kind: str, names: Mapping[str, str] | None, **definition: Any):
    return tincan.Activity(
        id=iri,
        definition=tincan.ActivityDefinition(
            name=_names(names), type=ACTIVITY_TYPES.get(kind, OTHER_ACTIVITY_TYPE), **definition
        ),
    )


#: Activities of course versions, built once: a version never changes, and tincan objects
#: are only read after they are built (serialising a statement does not change them).
_CACHE: dict[tuple[Any, ...], tincan.Activity] = {}
_CACHE_LIMIT = 20_000


def _cached(course: CourseDef, kind: str, item_id: str, make: Callable[[], tincan.Activity]):
    key = (base_iri(), course.course_id, course.version_id, course.content_hash, kind, item_id)
    activity = _CACHE.get(key)
    if activity is None:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        activity = _CACHE[key] = make()
    return activity


def course_activity(course: CourseDef) -> tincan.Activity:
    return _cached(
        course,
        "course",
        "",
        lambda: make_activity(activity_iri(course.slug), "course", course.title),
    )


def module_activity(course: CourseDef, module: ModuleDef) -> tincan.Activity:
    iri = activity_iri(course.slug, "module", module.id)
    return _cached(course, "module", module.id, lambda: make_activity(iri, "module", module.title))


def item_activity(course: CourseDef, activity: ActivityDef) -> tincan.Activity:
    """An activity of a module (e-learning, test, forum, webinar...)."""
    iri = activity_iri(course.slug, "activity", activity.id)
    return _cached(
        course, "activity", activity.id, lambda: make_activity(iri, activity.type, activity.title)
    )


def lesson_activity(course: CourseDef, lesson: LessonDef) -> tincan.Activity:
    iri = activity_iri(course.slug, "lesson", lesson.id)
    return _cached(course, "lesson", lesson.id, lambda: make_activity(iri, "lesson", lesson.title))


def section_activity(course: CourseDef, section: SectionDef) -> tincan.Activity:
    iri = activity_iri(course.slug, "section", section.id)
    return _cached(
        course, "section", section.id, lambda: make_activity(iri, "section", section.title)
    )


def ancestors(course: CourseDef, module_id: str, activity_id: str | None = None) -> list:
    """Grouping activities, nearest first: the module's activity, the module, the course."""
    found = []
    if activity_id is not None:
        found.append(item_activity(course, course.activities_by_id[activity_id]))
    found.append(module_activity(course, course.modules_by_id[module_id]))
    found.append(course_activity(course))
    return found
