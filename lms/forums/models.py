"""Forum records: threads, posts, read markers, follows, reports, progress tallies.

A forum is a ``type: forum`` activity of a course, named by (course, activity id) like every
learner record, so forums survive every re-import. In a forum whose visibility is
``organisation`` each organisation has its own threads: a thread belongs to the organisation
its author was in when starting it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.db import Base, UTCDateTime, utcnow


class ForumThread(Base):
    """A conversation in a forum; its first post opens it."""

    __tablename__ = "lms_forum_thread"
    __table_args__ = (
        Index("ix_lms_forum_thread_forum", "course_id", "activity_id", "last_post_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id"))
    activity_id: Mapped[str] = mapped_column(String(64))
    #: The author's organisation when the thread was started (scopes "organisation" forums).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("lms_organisation.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Time of the newest post: lists show the newest activity first.
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Moderation: pinned threads come first; nobody can reply to a locked thread; a hidden
    #: thread (its opening post hidden by a trainer) is shown to trainers only.
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author: Mapped[User] = relationship(foreign_keys=[author_id])


class ForumPost(Base):
    """A post: the Markdown its author wrote and the sanitised HTML shown to readers."""

    __tablename__ = "lms_forum_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("lms_forum_thread.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    #: The Markdown as written (emptied when the author deletes the post).
    body_source: Mapped[str] = mapped_column(Text)
    #: Rendered once, when written: Markdown -> HTML -> nh3 (see ``rendering``).
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Deleted by its author: the text is gone, a placeholder keeps the conversation readable.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Hidden by a trainer (can be restored).
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    thread: Mapped[ForumThread] = relationship()

    @property
    def visible(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


class ForumReadMarker(Base):
    """How far a person has read a thread: posts with a higher id are new to them."""

    __tablename__ = "lms_forum_read_marker"
    __table_args__ = (UniqueConstraint("user_id", "thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("lms_forum_thread.id"), index=True)
    last_read_post_id: Mapped[int] = mapped_column(Integer, default=0)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ForumFollow(Base):
    """A person follows a thread: the digest tells them about new replies."""

    __tablename__ = "lms_forum_follow"
    __table_args__ = (UniqueConstraint("user_id", "thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("lms_forum_thread.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The newest post the digest has told them about (posts after it are news).
    notified_post_id: Mapped[int] = mapped_column(Integer, default=0)

    thread: Mapped[ForumThread] = relationship()


class ForumReport(Base):
    """Someone asked the trainers to look at a post."""

    __tablename__ = "lms_forum_report"
    __table_args__ = (
        # One open report per person and post: a repeated report is refused, so the
        # trainers get one e-mail per report (both databases support partial indexes).
        Index(
            "uq_lms_forum_report_open",
            "post_id",
            "reporter_id",
            unique=True,
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("lms_forum_post.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Dealt with by a trainer (who hid the post or found nothing wrong).
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))

    post: Mapped[ForumPost] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])


class ForumProgress(Base):
    """A learner's visible posts in a forum and the number the course asked for when they
    last posted, so that the completion engine reads forum progress in one query."""

    __tablename__ = "lms_forum_progress"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "activity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id"), index=True)
    activity_id: Mapped[str] = mapped_column(String(64))
    posts: Mapped[int] = mapped_column(Integer, default=0)
    required_posts: Mapped[int] = mapped_column(Integer, default=1)
