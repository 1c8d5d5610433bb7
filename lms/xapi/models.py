"""The xAPI outbox and the delivery state of each LRS endpoint.

A statement row is written by a signal listener in the same transaction as the learning
record it describes, so neither exists without the other. The delivery worker stamps
committed rows with a ``sequence`` number in commit order and each endpoint keeps a cursor
over that order: a row that commits late always gets a number above every cursor, so no row
is ever skipped (an autoincrement id alone would not guarantee that on PostgreSQL, where ids
are handed out at insert time, not at commit time).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import Base, UTCDateTime, UUIDString, utcnow


class XapiStatement(Base):
    """One statement, stored exactly as it is sent (compact JSON)."""

    __tablename__ = "lms_xapi_statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The statement's ``id``; resending it is idempotent at the LRS.
    statement_id: Mapped[uuid.UUID] = mapped_column(UUIDString(), unique=True)
    #: Delivery order, stamped by the worker once the row is committed (None until then).
    sequence: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    #: The verb's IRI, for the admin page and filters without parsing the payload.
    verb: Mapped[str] = mapped_column(String(200))
    #: The statement as compact JSON text.
    payload: Mapped[str] = mapped_column(Text)
    #: Whose statement it is (for exports and privacy requests); the LRS only sees an
    #: opaque id.
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("lms_enrolment.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class XapiEndpoint(Base):
    """Delivery state of one configured LRS endpoint, created on its first round."""

    __tablename__ = "lms_xapi_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The ``name`` of the endpoint in ``LMS_LRS_ENDPOINTS``.
    name: Mapped[str] = mapped_column(String(64), unique=True)
    #: Highest statement ``sequence`` dealt with: delivered, or set aside as an issue.
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    delivered: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Failed rounds in a row (unreachable, timeout, 5xx...); drives the back-off.
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The worker serving this endpoint (``host:pid:random``) until ``claimed_until``: one
    #: worker at a time per endpoint, so statements go out once and in order; a worker that
    #: dies leaves its claim to expire, and another one carries on from the cursor.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    issues: Mapped[list[XapiDeliveryIssue]] = relationship(back_populates="endpoint")


class XapiDeliveryIssue(Base):
    """A statement that one endpoint refused, kept out of the way of the cursor.

    ``status`` is "retrying" (rejected; tried again with back-off), "failed" (rejected
    ``LMS_XAPI_MAX_ATTEMPTS`` times: the dead letter, until ``lms xapi retry``) or
    "conflict" (the LRS holds a different statement with this id: reported, not retried).
    A row is deleted once its statement is delivered.
    """

    __tablename__ = "lms_xapi_delivery_issue"
    __table_args__ = (UniqueConstraint("endpoint_id", "statement_row_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("lms_xapi_endpoint.id"))
    statement_row_id: Mapped[int] = mapped_column(ForeignKey("lms_xapi_statement.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    http_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    endpoint: Mapped[XapiEndpoint] = relationship(back_populates="issues")
    statement: Mapped[XapiStatement] = relationship()
