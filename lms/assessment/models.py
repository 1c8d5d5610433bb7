"""Attempts at tests, their answers, and accommodations for people with extra time.

An attempt keeps a snapshot of the questions as they were drawn (prompts, choices, answer
keys, the order they were shown in), so that a later edit of a bank never changes a past
score or an attempt in progress. Records are keyed by the course and the activity id from the
course file, never by a version, like every learner record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import Base, UTCDateTime, utcnow

OPEN = "open"
SUBMITTED = "submitted"


class Attempt(Base):
    """One attempt of a learner at a test activity."""

    __tablename__ = "lms_test_attempt"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", "activity_id", "number"),
        CheckConstraint("status IN ('open', 'submitted')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id"), index=True)
    #: The test's id in the course file.
    activity_id: Mapped[str] = mapped_column(String(64))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("lms_enrolment.id"), index=True)
    #: 1, 2, 3... per learner and test.
    number: Mapped[int] = mapped_column(Integer)
    #: "open" while answers are accepted, then "submitted" (set once, by a conditional update).
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    #: The course version whose test settings applied when the attempt started.
    course_version_id: Mapped[int] = mapped_column(ForeignKey("lms_course_version.id"))
    #: The rules that decide this attempt's result, as they were at its start (pass_mark...).
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The drawn questions as they were: bank, id, type, texts, settings with the answer keys,
    #: and the order of their parts. Never changed after the start.
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When time is up (start + time limit, adjusted by an accommodation); empty: no limit.
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: "learner" (submitted) or "time" (closed by the server when time was up).
    ended_by: Mapped[str | None] = mapped_column(String(10))
    #: Points scored (each question is worth one), the maximum, and raw / max.
    raw_score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    scaled_score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)

    answers: Mapped[list[Answer]] = relationship(
        back_populates="attempt", order_by="Answer.position", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    def __repr__(self) -> str:
        return f"<Attempt {self.activity_id} #{self.number} of user {self.user_id}: {self.status}>"


class Answer(Base):
    """The answer to one drawn question of an attempt (saved as the learner goes)."""

    __tablename__ = "lms_test_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("lms_test_attempt.id"))
    #: Index of the question in the attempt's snapshot (0-based).
    position: Mapped[int] = mapped_column(Integer)
    #: The question's key: its bank and its id in the bank (for item statistics).
    bank: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(64))
    #: The answer as the question type reads it (plain JSON); empty when not answered.
    response: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Share of the question's point (0..1), set when the attempt is submitted.
    score: Mapped[float | None] = mapped_column(Float)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")


class Accommodation(Base):
    """Extra time in tests for one person, set by a coordinator (WCAG 2.2.1)."""

    __tablename__ = "lms_test_accommodation"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), unique=True)
    #: Added to every time limit: 50 gives 1.5 times the time.
    extra_time_percent: Mapped[int] = mapped_column(Integer, default=0)
    #: No time limit at all (takes precedence over the percentage).
    no_time_limit: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
