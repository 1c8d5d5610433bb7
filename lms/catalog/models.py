"""Stored courses and question banks.

A course (or bank) row is its stable identity, keyed by the id written in the YAML (its
``slug``). Each import that changes the content adds an immutable version holding the whole
normalised definition as JSON; the course points at its current version. Learner data refers
to the course row and to the ids inside the definition, never to a version, so it carries
over from one version to the next.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import Base, UTCDateTime, utcnow


class Course(Base):
    __tablename__ = "lms_course"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The ``id`` of the course file; stable and never reused.
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    #: The version learners see. Set right after the first version is inserted.
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_course_version.id", use_alter=True)
    )

    versions: Mapped[list[CourseVersion]] = relationship(
        back_populates="course",
        foreign_keys="CourseVersion.course_id",
        order_by="CourseVersion.number",
    )
    current_version: Mapped[CourseVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"


class CourseVersion(Base):
    """One imported state of a course; never updated after insert."""

    __tablename__ = "lms_course_version"
    __table_args__ = (UniqueConstraint("course_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id"))
    #: 1, 2, 3... per course.
    number: Mapped[int] = mapped_column(Integer)
    #: sha256 of the normalised definition (which inlines included files and image hashes).
    content_hash: Mapped[str] = mapped_column(String(64))
    #: The validated course as plain JSON: every text as {language: text}, bodies inlined.
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The file it was imported from, for people reading the catalog.
    source_path: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Who or what imported it: "lms import", "lms run", a person's name...
    imported_by: Mapped[str | None] = mapped_column(String(200))
    #: What it changes compared with the version before (``catalog.changes.Changes`` as
    #: JSON, plus the learners affected when the import counted them). None: not recorded.
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: When it became the version learners see (None: never published). The one field
    #: set after insert, once: publishing is a step of its own (``services.publish``).
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When ``lms publish --due`` is to publish it (``publish_at`` of the course file).
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: How it was published: "lms import", "lms publish", "version history page"...
    published_by: Mapped[str | None] = mapped_column(String(200))
    #: The person who published it on the version history page (None: a command).
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))

    course: Mapped[Course] = relationship(back_populates="versions", foreign_keys=[course_id])

    def __repr__(self) -> str:
        return f"<CourseVersion {self.course_id} v{self.number}>"


class QuestionBank(Base):
    __tablename__ = "lms_question_bank"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The ``id`` of the bank file; tests name it in ``quiz``.
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    current_version_id: Mapped[int | None] = mapped_column(
        # Named by hand: the conventional name is longer than PostgreSQL's 63 characters.
        ForeignKey(
            "lms_question_bank_version.id",
            use_alter=True,
            name="fk_lms_question_bank_current_version_id",
        )
    )

    versions: Mapped[list[QuestionBankVersion]] = relationship(
        back_populates="bank",
        foreign_keys="QuestionBankVersion.bank_id",
        order_by="QuestionBankVersion.number",
    )
    current_version: Mapped[QuestionBankVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )

    def __repr__(self) -> str:
        return f"<QuestionBank {self.slug}>"


class QuestionBankVersion(Base):
    """One imported state of a question bank; never updated after insert."""

    __tablename__ = "lms_question_bank_version"
    __table_args__ = (UniqueConstraint("bank_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("lms_question_bank.id"))
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_path: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_by: Mapped[str | None] = mapped_column(String(200))
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    bank: Mapped[QuestionBank] = relationship(back_populates="versions", foreign_keys=[bank_id])

    def __repr__(self) -> str:
        return f"<QuestionBankVersion {self.bank_id} v{self.number}>"
