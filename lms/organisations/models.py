"""Organisations and departments."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from lms.accounts.models import User

ORGANISATION_KINDS = ("municipality", "agency", "other")


class Organisation(Base):
    """A municipality or agency whose staff take courses; coordinators see only their own."""

    __tablename__ = "lms_organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: Stable short name used in CSV files and URLs.
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="municipality")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    departments: Mapped[list[Department]] = relationship(
        back_populates="organisation", order_by="Department.name", cascade="all, delete-orphan"
    )
    members: Mapped[list[User]] = relationship(
        back_populates="organisation", foreign_keys="User.organisation_id"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class Department(Base):
    """A department (counter) inside an organisation, such as "Burgerzaken"."""

    __tablename__ = "lms_department"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("lms_organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))

    organisation: Mapped[Organisation] = relationship(back_populates="departments")

    def __repr__(self) -> str:
        return f"<Department {self.name!r} of {self.organisation_id}>"
