"""Snapshots for audits: an organisation's dashboard and people table as they were.

``lms reports snapshot`` (monthly) stores one row per organisation and month, as data (typed
rows, the filters applied, the settings of the statuses and when it was made), never as a
rendered file. A snapshot never changes afterwards: the ORM refuses any update or delete
(``ImmutableSnapshot``), and it holds no link to the people in it (their names are copied),
so erasing or pseudonymising a person later leaves what the snapshot said untouched. Course
and status words are stored as keys and put into words when downloaded, in the reader's
language.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import Base, UTCDateTime, utcnow


class ReportSnapshot(Base):
    """The reports of one organisation in one month (see the module docstring)."""

    __tablename__ = "lms_report_snapshot"
    __table_args__ = (
        # One per organisation and month: a second run, or two at once, adds nothing.
        UniqueConstraint("organisation_id", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("lms_organisation.id"), index=True)
    #: The month it was taken in, ``YYYY-MM``.
    period: Mapped[str] = mapped_column(String(7))
    #: The organisation's name when it was taken.
    organisation_name: Mapped[str] = mapped_column(String(200))
    #: The day the statuses were computed for (``LMS_TIMEZONE``).
    taken_on: Mapped[date] = mapped_column(Date)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The filters applied (the whole organisation) and the settings of the statuses
    #: (due-soon days, at-risk percentage), as they were.
    filters: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The dashboard: figures, departments and module funnels (``snapshots.dashboard_data``).
    dashboard: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The people table: column keys and kinds, and every row's typed values.
    people: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Rows of the people table (a person in a course), for the list of snapshots.
    row_count: Mapped[int] = mapped_column(Integer)


class ImmutableSnapshot(RuntimeError):
    """An attempt to change or delete a snapshot."""


@event.listens_for(ReportSnapshot, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, target: ReportSnapshot) -> None:
    raise ImmutableSnapshot(f"snapshot {target.id} cannot change")


@event.listens_for(ReportSnapshot, "before_delete")
def _refuse_delete(_mapper: Any, _connection: Any, target: ReportSnapshot) -> None:
    raise ImmutableSnapshot(f"snapshot {target.id} cannot be deleted")
