"""Writes for forums: posting, editing, deleting, moderating, reporting, following.

Services take explicit arguments (the acting person's ``ForumAccess``), flush, and never
commit; the view or command commits once. Each post sends a ``commented`` xAPI statement
through the outbox, and when a learner's visible posts reach the forum's ``required_posts``
the activity's completion is recorded (``record_activity_completion``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core import audit
from lms.core.db import utcnow
from lms.forums import queries
from lms.forums.access import ForumAccess, moderators, required_posts
from lms.forums.models import (
    ForumFollow,
    ForumPost,
    ForumProgress,
    ForumReadMarker,
    ForumReport,
    ForumThread,
)
from lms.forums.rendering import render_post
from lms.learning.services import record_activity_completion
from lms.mail.services import queue_mail
from lms.xapi import builder

TITLE_MAX = 200
BODY_MAX = 20_000


class ForumError(ValueError):
    """An action that cannot be done; the message is for the person (already translated by
    the view, which maps each kind to a sentence)."""


def _check_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ForumError("empty")
    if len(body) > BODY_MAX:
        raise ForumError("too-long")
    return body


def _add_post(
    session: Session, access: ForumAccess, thread: ForumThread, body: str, at: datetime
) -> ForumPost:
    post = ForumPost(
        thread_id=thread.id,
        author_id=access.user.id,
        body_source=body,
        body_html=render_post(body),
        created_at=at,
    )
    session.add(post)
    thread.last_post_at = at
    session.flush()
    assert access.enrolment is not None
    statement = builder.commented(
        enrolment=access.enrolment,
        user=access.user,
        course=access.course,
        activity=access.activity,
        at=at,
    )
    builder.enqueue(session, statement, user_id=access.user.id, enrolment_id=access.enrolment.id)
    update_progress(session, access, access.user, at=at)
    return post


def start_thread(
    session: Session, access: ForumAccess, title: str, body: str, *, at: datetime | None = None
) -> ForumThread:
    """A new thread with its opening post; its author follows it."""
    if not access.can_post:
        raise ForumError("read-only")
    title = " ".join((title or "").split())
    if not title:
        raise ForumError("no-title")
    if len(title) > TITLE_MAX:
        raise ForumError("title-too-long")
    body = _check_body(body)
    at = at or utcnow()
    thread = ForumThread(
        course_id=access.course.course_id,
        activity_id=access.activity.id,
        organisation_id=access.user.organisation_id,
        author_id=access.user.id,
        title=title,
        created_at=at,
        last_post_at=at,
    )
    session.add(thread)
    session.flush()
    post = _add_post(session, access, thread, body, at)
    follow(session, access.user, thread)
    mark_read(session, access.user, thread, post.id)
    return thread


def reply(
    session: Session,
    access: ForumAccess,
    thread: ForumThread,
    body: str,
    *,
    at: datetime | None = None,
) -> ForumPost:
    if not access.can_post:
        raise ForumError("read-only")
    if thread.locked:
        raise ForumError("locked")
    post = _add_post(session, access, thread, _check_body(body), at or utcnow())
    mark_read(session, access.user, thread, post.id)
    return post


def can_edit(
    post: ForumPost, user: User, access: ForumAccess, edit_minutes: int, now: datetime | None = None
) -> bool:
    """Authors edit their own visible posts for ``edit_minutes`` after writing them."""
    now = now or utcnow()
    return (
        access.can_post
        and post.author_id == user.id
        and post.visible
        and not post.thread.locked
        and now - post.created_at <= timedelta(minutes=edit_minutes)
    )


def can_delete(post: ForumPost, user: User) -> bool:
    return post.author_id == user.id and post.deleted_at is None


def edit_post(
    session: Session,
    access: ForumAccess,
    post: ForumPost,
    body: str,
    *,
    edit_minutes: int,
    at: datetime | None = None,
) -> ForumPost:
    at = at or utcnow()
    if not can_edit(post, access.user, access, edit_minutes, at):
        raise ForumError("not-editable")
    body = _check_body(body)
    post.body_source = body
    post.body_html = render_post(body)
    post.edited_at = at
    session.flush()
    return post


def delete_post(
    session: Session, access: ForumAccess, post: ForumPost, *, at: datetime | None = None
) -> None:
    """The author deletes their post: its text is removed for good; a placeholder stays.
    A completion already recorded stays recorded (it is a fact)."""
    if not can_delete(post, access.user):
        raise ForumError("not-yours")
    at = at or utcnow()
    post.body_source = ""
    post.body_html = ""
    post.deleted_at = at
    session.flush()
    thread = post.thread
    thread.last_post_at = queries.last_post_at(session, thread.id) or thread.created_at
    update_progress(session, access, post.author, at=at, record=False)


# Moderation ---------------------------------------------------------------------------------


def _opening_post_id(session: Session, thread: ForumThread) -> int | None:
    return session.scalar(
        select(ForumPost.id).where(ForumPost.thread_id == thread.id).order_by(ForumPost.id).limit(1)
    )


def set_hidden(
    session: Session,
    access: ForumAccess,
    post: ForumPost,
    hidden: bool,
    *,
    at: datetime | None = None,
) -> None:
    """A trainer hides a post (or restores it). Hiding the opening post hides the thread.
    Open reports about a hidden post are resolved by it."""
    if not access.can_moderate:
        raise ForumError("not-moderator")
    at = at or utcnow()
    post.hidden_at = at if hidden else None
    post.hidden_by_id = access.user.id if hidden else None
    if _opening_post_id(session, post.thread) == post.id:
        post.thread.hidden_at = post.hidden_at
    if hidden:
        for report in session.scalars(
            select(ForumReport).where(
                ForumReport.post_id == post.id, ForumReport.resolved_at.is_(None)
            )
        ):
            report.resolved_at = at
            report.resolved_by_id = access.user.id
    session.flush()
    audit.record(
        session,
        "forum_post.hide" if hidden else "forum_post.restore",
        "forum_post",
        post.id,
        actor_id=access.user.id,
        thread_id=post.thread_id,
        author_id=post.author_id,
    )
    update_progress(session, access, post.author, at=at, record=False)


def set_thread_flag(
    session: Session, access: ForumAccess, thread: ForumThread, flag: str, value: bool
) -> None:
    """Pin or lock a thread (``flag`` is "pinned" or "locked")."""
    if not access.can_moderate:
        raise ForumError("not-moderator")
    if flag not in ("pinned", "locked"):
        raise ValueError(flag)
    setattr(thread, flag, value)
    session.flush()
    action = {"pinned": ("pin", "unpin"), "locked": ("lock", "unlock")}[flag][0 if value else 1]
    audit.record(
        session, f"forum_thread.{action}", "forum_thread", thread.id, actor_id=access.user.id
    )


def report_post(
    session: Session,
    access: ForumAccess,
    post: ForumPost,
    reason: str,
    *,
    reports_url: str,
    at: datetime | None = None,
) -> ForumReport:
    """``access.user`` asks the moderators to look at ``post``; each of them (but the
    reporter) gets one e-mail in their language with a link to ``reports_url``.

    A person has one open report per post: reporting it again before a trainer dealt with
    it (a double click, a second visit) is refused with "already-reported", and the
    database's unique index on open reports settles two requests at the same moment."""
    user = access.user
    if queries.has_open_report(session, post.id, user.id):
        raise ForumError("already-reported")
    try:
        with session.begin_nested():
            report = ForumReport(
                post_id=post.id,
                reporter_id=user.id,
                reason=(reason or "").strip()[:2000],
                created_at=at or utcnow(),
            )
            session.add(report)
            session.flush()
    except IntegrityError:
        raise ForumError("already-reported") from None
    course, activity = access.course, access.activity
    for moderator in moderators(session):
        if moderator.id == user.id or not moderator.email:
            continue
        lang = moderator.preferred_language
        queue_mail(
            session,
            recipient=moderator.email,
            template="forum_report",
            language=lang,
            name=moderator.full_name,
            thread_title=post.thread.title,
            forum_title=course.text(activity.title, lang),
            course_title=course.text(course.title, lang),
            reporter=user.full_name,
            author=post.author.full_name,
            reports_url=reports_url,
        )
    return report


def resolve_report(
    session: Session, user: User, report: ForumReport, *, at: datetime | None = None
) -> None:
    if report.resolved_at is None:
        report.resolved_at = at or utcnow()
        report.resolved_by_id = user.id
        session.flush()
        audit.record(
            session, "forum_report.resolve", "forum_report", report.id, actor_id=user.id,
            post_id=report.post_id,
        )  # fmt: skip


# Reading and following ---------------------------------------------------------------------


def _get_or_create(session: Session, model, defaults: dict, **keys):
    row = session.scalar(select(model).filter_by(**keys))
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = model(**keys, **defaults)
            session.add(row)
            session.flush()
    except IntegrityError:  # created at the same moment by another request
        row = session.scalar(select(model).filter_by(**keys))
    return row


def mark_read(session: Session, user: User, thread: ForumThread, post_id: int) -> None:
    marker = _get_or_create(
        session, ForumReadMarker, {"last_read_post_id": 0}, user_id=user.id, thread_id=thread.id
    )
    if post_id > marker.last_read_post_id:
        marker.last_read_post_id = post_id
        marker.read_at = utcnow()
        session.flush()


def follow(session: Session, user: User, thread: ForumThread) -> ForumFollow:
    """Follow a thread: replies written from now on come in the digest."""
    newest = (
        session.scalar(
            select(ForumPost.id)
            .where(ForumPost.thread_id == thread.id)
            .order_by(ForumPost.id.desc())
            .limit(1)
        )
        or 0
    )
    return _get_or_create(
        session, ForumFollow, {"notified_post_id": newest}, user_id=user.id, thread_id=thread.id
    )


def unfollow(session: Session, user_id: int, thread_id: int) -> bool:
    row = session.scalar(select(ForumFollow).filter_by(user_id=user_id, thread_id=thread_id))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


# Completion ---------------------------------------------------------------------------------


def update_progress(
    session: Session,
    access: ForumAccess,
    author: User,
    *,
    at: datetime | None = None,
    record: bool = True,
) -> ForumProgress:
    """Count ``author``'s visible posts in the forum into the tally the completion engine
    reads, and record the completion when they reach ``required_posts``."""
    course, activity = access.course, access.activity
    posts = queries.count_visible_posts(session, author.id, course.course_id, activity.id)
    required = required_posts(activity)
    tally = _get_or_create(
        session,
        ForumProgress,
        {"posts": 0, "required_posts": required},
        user_id=author.id,
        course_id=course.course_id,
        activity_id=activity.id,
    )
    tally.posts = posts
    tally.required_posts = required
    session.flush()
    enrolment = access.enrolment if author.id == access.user.id else None
    if record and enrolment is not None and posts >= required:
        record_activity_completion(session, enrolment, author, course, activity.id, at=at)
    return tally


def complete_without_posts(session: Session, access: ForumAccess) -> None:
    """A forum that asks for no post is done once the learner has opened it."""
    if access.enrolment is not None and required_posts(access.activity) <= 0:
        update_progress(session, access, access.user)
