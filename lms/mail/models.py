"""Outgoing e-mail, kept until a worker has sent it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import Base, UTCDateTime, utcnow


class OutgoingMail(Base):
    """One message. A row only exists if the transaction that queued it committed."""

    __tablename__ = "lms_outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    #: Language the message was rendered in (the recipient's preference).
    language: Mapped[str] = mapped_column(String(5))
    #: Name of the template it came from, for the admin's overview and tests.
    template: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: The worker sending it (``host:pid:random``) until ``claimed_until``; a worker that dies
    #: leaves its claim to expire, and the message is sent by another one then.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
