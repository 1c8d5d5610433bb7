"""Organisations and departments."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import Base, UTCDateTime, utcnow
from lms.core.i18n import lazy_gettext as _l

if TYPE_CHECKING:
    from lms.accounts.models import User

#: Levels of government, from the top: a federal institution (FOD/SPF), a region, a province,
#: a municipality, an agency (of a municipality: OCMW, social house, police zone...), other.
LEVELS = ("federal", "region", "province", "municipality", "agency", "other")
#: The levels an organisation of each level may be part of (its ``parent``); "other" may be
#: part of anything or nothing.
PARENT_LEVELS = {
    "federal": (),
    "region": (),
    "province": ("region",),
    "municipality": ("province", "region"),
    "agency": ("municipality", "province", "region", "federal"),
    "other": LEVELS,
}


LEVEL_LABELS = {
    "federal": _l("Federal institution"),
    "region": _l("Region"),
    "province": _l("Province"),
    "municipality": _l("Municipality"),
    "agency": _l("Agency"),
    "other": _l("Other organisation"),
}


class Organisation(Base):
    """A public organisation whose staff take courses (a municipality, an agency, a federal
    institution...); coordinators see only their own. The national overview groups them by
    ``level`` and shows what each is part of (``parent``)."""

    __tablename__ = "lms_organisation"
    __table_args__ = (
        CheckConstraint(
            "level IN ('federal', 'region', 'province', 'municipality', 'agency', 'other')",
            name="known_level",
        ),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: Stable short name used in CSV files and URLs.
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    #: One of ``LEVELS``.
    level: Mapped[str] = mapped_column(String(20), default="municipality")
    #: What it is part of: a municipality's agency, a province's municipality (optional).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("lms_organisation.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    departments: Mapped[list[Department]] = relationship(
        back_populates="organisation", order_by="Department.name", cascade="all, delete-orphan"
    )
    parent: Mapped[Organisation | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Organisation]] = relationship(
        back_populates="parent", order_by="Organisation.name"
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
