"""Writes to the catalog. Services flush, never commit."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.catalog.models import Course, CourseVersion, QuestionBank, QuestionBankVersion

StoreStatus = Literal["created", "new version", "unchanged"]


def _store(
    session: Session,
    owner_cls: type[Course] | type[QuestionBank],
    version_cls: type[CourseVersion] | type[QuestionBankVersion],
    owner_column: str,
    slug: str,
    definition: dict[str, Any],
    content_hash: str,
    source_path: str,
    imported_by: str | None,
    changes: dict[str, Any] | None,
) -> tuple[Any, StoreStatus]:
    owner = session.scalar(select(owner_cls).where(owner_cls.slug == slug))
    if owner is None:
        owner = owner_cls(slug=slug)
        session.add(owner)
        session.flush()
        number, status = 1, "created"
    else:
        current = owner.current_version
        if current is not None and current.content_hash == content_hash:
            return current, "unchanged"
        column = getattr(version_cls, owner_column)
        last = session.scalar(select(func.max(version_cls.number)).where(column == owner.id))
        number, status = (last or 0) + 1, "new version"
    version = version_cls(
        number=number,
        content_hash=content_hash,
        definition=definition,
        source_path=source_path,
        imported_by=imported_by,
        changes=changes,
        **{owner_column: owner.id},
    )
    session.add(version)
    session.flush()
    owner.current_version = version
    session.flush()
    return version, status


def store_course_version(
    session: Session,
    slug: str,
    definition: dict[str, Any],
    content_hash: str,
    source_path: str,
    *,
    imported_by: str | None = None,
    changes: dict[str, Any] | None = None,
) -> tuple[CourseVersion, StoreStatus]:
    """Make ``definition`` the current version of course ``slug``, unless it already is.

    Creates the course on first import. Versions are never changed: a different content
    hash adds version N+1, recording who imported it and its change summary.
    """
    return _store(
        session,
        Course,
        CourseVersion,
        "course_id",
        slug,
        definition,
        content_hash,
        source_path,
        imported_by,
        changes,
    )


def store_bank_version(
    session: Session,
    slug: str,
    definition: dict[str, Any],
    content_hash: str,
    source_path: str,
    *,
    imported_by: str | None = None,
    changes: dict[str, Any] | None = None,
) -> tuple[QuestionBankVersion, StoreStatus]:
    """Same as ``store_course_version``, for a question bank."""
    return _store(
        session,
        QuestionBank,
        QuestionBankVersion,
        "bank_id",
        slug,
        definition,
        content_hash,
        source_path,
        imported_by,
        changes,
    )
