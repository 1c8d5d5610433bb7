"""Reads from the catalog.

The typed view of a version (``CourseDef``, ``BankDef``) is kept in a small in-memory LRU.
Versions are immutable, so a cached view is never stale; the key includes the content hash
as well as the version id, so that two databases (or a rolled-back test) that reuse an id
for other content never share an entry.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from lms.catalog.models import Course, CourseVersion, QuestionBank, QuestionBankVersion
from lms.catalog.readmodel import BankDef, CourseDef, build_bank_def, build_course_def


class _LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: Any) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def get_or_build(self, key: Any, build: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = build()
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_views = _LRU(128)


def clear_cache() -> None:
    """Forget every cached view (tests, or to free memory)."""
    _views.clear()


def get_course(session: Session, slug: str) -> Course | None:
    return session.scalar(select(Course).where(Course.slug == slug))


def get_bank(session: Session, slug: str) -> QuestionBank | None:
    return session.scalar(select(QuestionBank).where(QuestionBank.slug == slug))


@dataclass(frozen=True)
class CourseListing:
    """A loaded course and its current version, for ``lms courses`` and admin pages."""

    slug: str
    title: dict[str, str]
    default_language: str
    version: int
    imported_at: datetime
    source_path: str
    versions: int


def list_courses(session: Session) -> list[CourseListing]:
    """Every course with its current version, by slug."""
    rows = session.execute(
        select(Course, CourseVersion)
        .join(CourseVersion, Course.current_version_id == CourseVersion.id)
        .order_by(Course.slug)
    )
    count_rows = session.execute(
        select(CourseVersion.course_id, func.count()).group_by(CourseVersion.course_id)
    )
    counts: dict[int, int] = dict(count_rows.tuples().all())
    return [
        CourseListing(
            slug=course.slug,
            title=version.definition["title"],
            default_language=version.definition["languages"][0],
            version=version.number,
            imported_at=version.imported_at,
            source_path=version.source_path,
            versions=counts.get(course.id, version.number),
        )
        for course, version in rows
    ]


def _version_view(
    session: Session,
    version_model: Any,
    owner_key: str,
    build_def: Callable[..., Any],
    condition: Any,
) -> Any:
    """The typed view of the one version matching ``condition`` (cached), or None.

    ``owner_key`` names the version's column pointing at its course or bank ("course_id",
    "bank_id"), which is also the builder's argument. The definition (the large column) is
    read only on a cache miss.
    """
    row = session.execute(
        select(
            getattr(version_model, owner_key),
            version_model.id,
            version_model.number,
            version_model.content_hash,
        ).where(condition)
    ).one_or_none()
    if row is None:
        return None
    owner_id, version_id, number, digest = row

    def build() -> Any:
        definition = session.scalar(
            select(version_model.definition).where(version_model.id == version_id)
        )
        return build_def(
            definition,
            version_id=version_id,
            number=number,
            content_hash=digest,
            **{owner_key: owner_id},
        )

    return _views.get_or_build((owner_key.removesuffix("_id"), owner_id, version_id, digest), build)


def _course_view(session: Session, condition: Any) -> CourseDef | None:
    return _version_view(session, CourseVersion, "course_id", build_course_def, condition)


def get_course_def(session: Session, slug: str) -> CourseDef | None:
    """The current version of course ``slug``, as a typed view (cached)."""
    current = select(Course.current_version_id).where(Course.slug == slug).scalar_subquery()
    return _course_view(session, CourseVersion.id == current)


def get_current_course_defs(
    session: Session, course_ids: Iterable[int] | None = None
) -> dict[int, CourseDef]:
    """The current version of several courses (all when ``course_ids`` is None), by course id.

    Two queries at most, whatever the number of courses: one for the current versions, one
    for the definitions that are not cached yet.
    """
    query = select(
        CourseVersion.course_id, CourseVersion.id, CourseVersion.number, CourseVersion.content_hash
    ).join(Course, Course.current_version_id == CourseVersion.id)
    if course_ids is not None:
        ids = list(course_ids)
        if not ids:
            return {}
        query = query.where(Course.id.in_(ids))
    rows = session.execute(query).all()
    result: dict[int, CourseDef] = {}
    missing = []
    for course_id, version_id, number, digest in rows:
        cached = _views.peek(("course", course_id, version_id, digest))
        if cached is None:
            missing.append((course_id, version_id, number, digest))
        else:
            result[course_id] = cached
    if missing:
        definitions = dict(
            session.execute(
                select(CourseVersion.id, CourseVersion.definition).where(
                    CourseVersion.id.in_([m[1] for m in missing])
                )
            )
            .tuples()
            .all()
        )
        for course_id, version_id, number, digest in missing:
            result[course_id] = _views.get_or_build(
                ("course", course_id, version_id, digest),
                lambda c=course_id, v=version_id, n=number, d=digest: build_course_def(
                    definitions[v], course_id=c, version_id=v, number=n, content_hash=d
                ),
            )
    return result


def get_latest_course_def(session: Session, slug: str) -> CourseDef | None:
    """The newest version of course ``slug`` (published or not), as a typed view."""
    latest = (
        select(CourseVersion.id)
        .join(Course, Course.id == CourseVersion.course_id)
        .where(Course.slug == slug)
        .order_by(CourseVersion.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    return _course_view(session, CourseVersion.id == latest)


def get_course_version_def(session: Session, version_id: int) -> CourseDef | None:
    """A given version of a course (e.g. the one an attempt was made in)."""
    return _course_view(session, CourseVersion.id == version_id)


def _bank_view(session: Session, condition: Any) -> BankDef | None:
    return _version_view(session, QuestionBankVersion, "bank_id", build_bank_def, condition)


def get_bank_def(session: Session, slug: str) -> BankDef | None:
    """The current version of question bank ``slug``, as a typed view (cached)."""
    current = (
        select(QuestionBank.current_version_id).where(QuestionBank.slug == slug).scalar_subquery()
    )
    return _bank_view(session, QuestionBankVersion.id == current)


def get_latest_bank_def(session: Session, slug: str) -> BankDef | None:
    """The newest version of question bank ``slug``, as a typed view."""
    latest = (
        select(QuestionBankVersion.id)
        .join(QuestionBank, QuestionBank.id == QuestionBankVersion.bank_id)
        .where(QuestionBank.slug == slug)
        .order_by(QuestionBankVersion.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    return _bank_view(session, QuestionBankVersion.id == latest)


def get_bank_version_def(session: Session, version_id: int) -> BankDef | None:
    return _bank_view(session, QuestionBankVersion.id == version_id)


def current_bank_sizes(session: Session) -> dict[str, int]:
    """Number of questions in the current version of every bank, by slug."""
    rows = session.execute(
        select(QuestionBank.slug, QuestionBankVersion.definition).join(
            QuestionBankVersion, QuestionBank.current_version_id == QuestionBankVersion.id
        )
    )
    return {slug: len(definition.get("questions", [])) for slug, definition in rows}


@dataclass(frozen=True)
class VersionListing:
    """One version of a course, for the version history (without its definition)."""

    id: int
    number: int
    imported_at: datetime
    imported_by: str | None
    source_path: str
    changes: dict[str, Any] | None
    publish_at: datetime | None
    published_at: datetime | None
    published_by: str | None
    #: The person who published it, if a person did.
    published_by_id: int | None
    #: The version learners see now.
    current: bool


def course_versions(session: Session, course: Course) -> list[VersionListing]:
    """Every version of ``course``, newest first (one query)."""
    rows = session.execute(
        select(
            CourseVersion.id,
            CourseVersion.number,
            CourseVersion.imported_at,
            CourseVersion.imported_by,
            CourseVersion.source_path,
            CourseVersion.changes,
            CourseVersion.publish_at,
            CourseVersion.published_at,
            CourseVersion.published_by,
            CourseVersion.published_by_id,
        )
        .where(CourseVersion.course_id == course.id)
        .order_by(CourseVersion.number.desc())
    )
    return [
        VersionListing(*row, current=row.id == course.current_version_id)  # type: ignore[misc]
        for row in rows
    ]


def course_version_id(session: Session, course: Course, number: int) -> int | None:
    """The id of version ``number`` of ``course`` (None: no such version)."""
    return session.scalar(
        select(CourseVersion.id).where(
            CourseVersion.course_id == course.id, CourseVersion.number == number
        )
    )


@dataclass(frozen=True)
class CourseOverview:
    """A course and its newest version, published or not (trainers' list of courses)."""

    slug: str
    title: dict[str, str]
    default_language: str
    #: The version learners see (None: none published yet).
    published: int | None
    latest: int
    imported_at: datetime


def course_overview(session: Session) -> list[CourseOverview]:
    """Every course, with its newest version and the one learners see, by slug."""
    newest = (
        select(CourseVersion.course_id, func.max(CourseVersion.number).label("number"))
        .group_by(CourseVersion.course_id)
        .subquery()
    )
    shown = aliased(CourseVersion)
    current = (
        select(shown.number)
        .where(shown.id == Course.current_version_id)
        .correlate(Course)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Course.slug, CourseVersion, current)
        .join(newest, newest.c.course_id == Course.id)
        .join(
            CourseVersion,
            (CourseVersion.course_id == Course.id) & (CourseVersion.number == newest.c.number),
        )
        .order_by(Course.slug)
    )
    return [
        CourseOverview(
            slug=slug,
            title=version.definition["title"],
            default_language=version.definition["languages"][0],
            published=published,
            latest=version.number,
            imported_at=version.imported_at,
        )
        for slug, version, published in rows
    ]
