"""Writes to the catalog. Services flush, never commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.catalog.models import Course, CourseVersion, QuestionBank, QuestionBankVersion
from lms.core.db import utcnow

StoreStatus = Literal["created", "new version", "unchanged", "published"]


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
    publish: bool = True,
    publish_at: datetime | None = None,
) -> tuple[Any, StoreStatus]:
    owner = session.scalar(select(owner_cls).where(owner_cls.slug == slug))
    if owner is None:
        owner = owner_cls(slug=slug)
        session.add(owner)
        session.flush()
        number, status = 1, "created"
    else:
        column = getattr(version_cls, owner_column)
        latest = session.scalar(
            select(version_cls)
            .where(column == owner.id)
            .order_by(version_cls.number.desc())
            .limit(1)
        )
        if latest is not None and latest.content_hash == content_hash:
            if publish and owner.current_version_id != latest.id:
                publish_version(session, owner, latest, published_by=imported_by)
                return latest, "published"
            if isinstance(latest, CourseVersion) and latest.published_at is None:
                # Not published yet: the file may have moved (or dropped) its date.
                latest.publish_at = publish_at
                session.flush()
            return latest, "unchanged"
        last = session.scalar(select(func.max(version_cls.number)).where(column == owner.id))
        number, status = (last or 0) + 1, "new version"
    version = version_cls(
        number=number,
        content_hash=content_hash,
        definition=definition,
        source_path=source_path,
        imported_by=imported_by,
        changes=changes,
        **({"publish_at": publish_at} if version_cls is CourseVersion else {}),
        **{owner_column: owner.id},
    )
    session.add(version)
    session.flush()
    if publish:
        publish_version(session, owner, version, published_by=imported_by)
    return version, status


def publish_version(
    session: Session,
    owner: Any,
    version: Any,
    *,
    published_by: str | None,
    published_by_id: int | None = None,
) -> None:
    """Make ``version`` the one learners see (of its course or bank). Flushes."""
    owner.current_version = version
    if isinstance(version, CourseVersion) and version.published_at is None:
        version.published_at = utcnow()
        version.published_by = published_by
        version.published_by_id = published_by_id
    session.flush()


def store_course_version(
    session: Session,
    slug: str,
    definition: dict[str, Any],
    content_hash: str,
    source_path: str,
    *,
    imported_by: str | None = None,
    changes: dict[str, Any] | None = None,
    publish: bool = True,
    publish_at: datetime | None = None,
) -> tuple[CourseVersion, StoreStatus]:
    """Make ``definition`` the current version of course ``slug``, unless it already is.

    Creates the course on first import. Versions are never changed: a different content
    hash adds version N+1, recording who imported it and its change summary. Without
    ``publish``, learners keep seeing the version they saw (``publish_version`` later); with
    it, content equal to an unpublished newest version publishes that version.
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
        publish,
        publish_at,
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
