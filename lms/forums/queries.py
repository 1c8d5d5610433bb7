"""Reads for the forum pages: a fixed number of queries per page, whatever the forum's size.

The thread list is two queries (the count and the page, with each thread's author, number
of posts and unread posts as columns of the same statement); a thread page is three (the
thread, the count of posts and the page of posts with their authors).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from lms.accounts.models import User
from lms.catalog.models import Course
from lms.core.pagination import Page
from lms.forums.access import ForumAccess
from lms.forums.models import (
    ForumFollow,
    ForumPost,
    ForumProgress,
    ForumReadMarker,
    ForumReport,
    ForumThread,
)
from lms.learning import engine


def visible_post() -> ColumnElement[bool]:
    return and_(ForumPost.deleted_at.is_(None), ForumPost.hidden_at.is_(None))


def _people(access: ForumAccess):
    assert access.author_organisations is not None
    return select(User.id).where(User.organisation_id.in_(access.author_organisations))


def _author_scope(access: ForumAccess) -> list[ColumnElement[bool]]:
    if access.author_organisations is None:
        return []
    return [ForumPost.author_id.in_(_people(access))]


def _thread_filters(access: ForumAccess) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = [
        ForumThread.course_id == access.course.course_id,
        ForumThread.activity_id == access.activity.id,
    ]
    scope = access.thread_organisations
    if scope is not None:
        ids = [o for o in scope if o is not None]
        conditions = [ForumThread.organisation_id.in_(ids)] if ids else []
        if None in scope:
            conditions.append(ForumThread.organisation_id.is_(None))
        filters.append(or_(*conditions) if conditions else false())
    if access.author_organisations is not None:
        # A coordinator reads the threads their people started, and only their people's
        # posts in them: nobody of another organisation is shown to them.
        filters.append(ForumThread.author_id.in_(_people(access)))
    if not access.can_moderate:
        filters.append(ForumThread.hidden_at.is_(None))
        # A thread whose every post was deleted (or, for a coordinator, that has no post by
        # their people) is not shown.
        filters.append(
            exists().where(
                ForumPost.thread_id == ForumThread.id, visible_post(), *_author_scope(access)
            )
        )
    return filters


@dataclass(frozen=True)
class ThreadRow:
    thread: ForumThread
    author_name: str
    posts: int
    unread: int

    @property
    def replies(self) -> int:
        return max(self.posts - 1, 0)


def thread_page(session: Session, access: ForumAccess, page: int, per_page: int) -> Page[ThreadRow]:
    """Threads, pinned first, then newest activity first, with unread counts."""
    user_id = access.user.id
    filters = _thread_filters(access)
    page = max(page, 1)
    total = session.scalar(select(func.count(ForumThread.id)).where(*filters)) or 0
    counted = [ForumPost.thread_id == ForumThread.id, *_author_scope(access)]
    if not access.can_moderate:
        counted.append(visible_post())
    else:
        counted.append(ForumPost.deleted_at.is_(None))
    posts = select(func.count(ForumPost.id)).where(*counted).correlate(ForumThread)
    unread = (
        select(func.count(ForumPost.id))
        .where(
            *counted,
            ForumPost.author_id != user_id,
            ForumPost.id > func.coalesce(ForumReadMarker.last_read_post_id, 0),
        )
        .correlate(ForumThread, ForumReadMarker)
    )
    rows = session.execute(
        select(
            ForumThread,
            User.full_name,
            posts.scalar_subquery(),
            unread.scalar_subquery(),
        )
        .join(User, User.id == ForumThread.author_id)
        .outerjoin(
            ForumReadMarker,
            and_(ForumReadMarker.thread_id == ForumThread.id, ForumReadMarker.user_id == user_id),
        )
        .where(*filters)
        .order_by(ForumThread.pinned.desc(), ForumThread.last_post_at.desc(), ForumThread.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = [ThreadRow(t, name, count or 0, new or 0) for t, name, count, new in rows]
    return Page(items=items, total=total, page=page, per_page=per_page)


def get_thread(session: Session, access: ForumAccess, thread_id: int) -> ForumThread | None:
    """The thread if ``access`` may read it, else None (the view answers 404)."""
    return session.scalar(
        select(ForumThread)
        .options(joinedload(ForumThread.author))
        .where(ForumThread.id == thread_id, *_thread_filters(access))
    )


def get_post(session: Session, access: ForumAccess, post_id: int) -> ForumPost | None:
    """A post of a thread ``access`` may read, and that they may see, else None."""
    post = session.scalar(
        select(ForumPost)
        .options(joinedload(ForumPost.thread), joinedload(ForumPost.author))
        .where(ForumPost.id == post_id)
    )
    if post is None or get_thread(session, access, post.thread_id) is None:
        return None
    if not access.can_moderate and post.hidden_at is not None:
        return None
    if access.author_organisations is not None and (
        post.author.organisation_id not in access.author_organisations
    ):
        return None
    return post


def post_page(
    session: Session, access: ForumAccess, thread: ForumThread, page: int, per_page: int
) -> Page[ForumPost]:
    """The thread's posts, oldest first. Hidden posts are for moderators only; a deleted
    post stays as a placeholder so that the replies after it still make sense."""
    filters: list[ColumnElement[bool]] = [ForumPost.thread_id == thread.id, *_author_scope(access)]
    if not access.can_moderate:
        filters.append(ForumPost.hidden_at.is_(None))
    total = session.scalar(select(func.count(ForumPost.id)).where(*filters)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    items = list(
        session.scalars(
            select(ForumPost)
            .options(joinedload(ForumPost.author))
            .where(*filters)
            .order_by(ForumPost.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return Page(items=items, total=total, page=page, per_page=per_page)


def read_marker(session: Session, user_id: int, thread_id: int) -> int:
    return (
        session.scalar(
            select(ForumReadMarker.last_read_post_id).where(
                ForumReadMarker.user_id == user_id, ForumReadMarker.thread_id == thread_id
            )
        )
        or 0
    )


def is_following(session: Session, user_id: int, thread_id: int) -> bool:
    return (
        session.scalar(
            select(ForumFollow.id).where(
                ForumFollow.user_id == user_id, ForumFollow.thread_id == thread_id
            )
        )
        is not None
    )


def count_visible_posts(session: Session, user_id: int, course_id: int, activity_id: str) -> int:
    return (
        session.scalar(
            select(func.count(ForumPost.id))
            .join(ForumThread, ForumThread.id == ForumPost.thread_id)
            .where(
                ForumPost.author_id == user_id,
                ForumThread.course_id == course_id,
                ForumThread.activity_id == activity_id,
                visible_post(),
            )
        )
        or 0
    )


def last_post_at(session: Session, thread_id: int) -> datetime | None:
    return session.scalar(
        select(func.max(ForumPost.created_at)).where(
            ForumPost.thread_id == thread_id, ForumPost.deleted_at.is_(None)
        )
    )


@dataclass(frozen=True)
class ReportRow:
    report: ForumReport
    post: ForumPost
    thread: ForumThread
    course_slug: str
    reporter_name: str
    author_name: str


def open_reports(session: Session, limit: int = 200) -> list[ReportRow]:
    """Reports no trainer has dealt with yet, oldest first (one query)."""
    reporter = aliased(User)
    author = aliased(User)
    rows = session.execute(
        select(
            ForumReport, ForumPost, ForumThread, Course.slug, reporter.full_name, author.full_name
        )
        .join(ForumPost, ForumPost.id == ForumReport.post_id)
        .join(ForumThread, ForumThread.id == ForumPost.thread_id)
        .join(Course, Course.id == ForumThread.course_id)
        .join(reporter, reporter.id == ForumReport.reporter_id)
        .join(author, author.id == ForumPost.author_id)
        .where(ForumReport.resolved_at.is_(None))
        .order_by(ForumReport.id)
        .limit(limit)
    ).all()
    return [ReportRow(*row) for row in rows]


def has_open_report(session: Session, post_id: int, reporter_id: int) -> bool:
    """Whether the person reported the post and no trainer dealt with it yet."""
    return (
        session.scalar(
            select(ForumReport.id)
            .where(
                ForumReport.post_id == post_id,
                ForumReport.reporter_id == reporter_id,
                ForumReport.resolved_at.is_(None),
            )
            .limit(1)
        )
        is not None
    )


def count_open_reports(session: Session) -> int:
    """How many reports wait for a trainer (shown in the trainers' menu)."""
    return (
        session.scalar(select(func.count(ForumReport.id)).where(ForumReport.resolved_at.is_(None)))
        or 0
    )


# The completion engine's provider ----------------------------------------------------------


def forum_started(user_id: Any, course_id: Any) -> ColumnElement[bool]:
    """SQL twin of ``forum_progress`` for counting: a forum with a post is begun."""
    return exists().where(
        ForumProgress.user_id == user_id,
        ForumProgress.course_id == course_id,
        ForumProgress.posts > 0,
    )


def forum_progress(
    session: Any, user_ids: Iterable[int] | Select, course_ids: Iterable[int]
) -> Mapping[tuple[int, int, str], engine.ActivityReport]:
    """Posts / required posts of every forum of ``course_ids``, in one query for any number
    of people (``user_ids``: ids or a SELECT of ids)."""
    ids = list(course_ids)
    if not ids:
        return {}
    users = user_ids if isinstance(user_ids, Select) else list(user_ids)
    reports = {}
    for user_id, course_id, activity_id, posts, required in session.execute(
        select(
            ForumProgress.user_id,
            ForumProgress.course_id,
            ForumProgress.activity_id,
            ForumProgress.posts,
            ForumProgress.required_posts,
        ).where(ForumProgress.user_id.in_(users), ForumProgress.course_id.in_(ids))
    ):
        progress = 1.0 if required <= 0 else min(posts / required, 1.0)
        if progress >= 1.0:
            status = engine.COMPLETED
        elif posts:
            status = engine.IN_PROGRESS
        else:
            status = engine.NOT_STARTED
        reports[(user_id, course_id, activity_id)] = engine.ActivityReport(progress, status)
    return reports
