"""People and their roles."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.passwords import hash_password, verify_password
from lms.core.db import Base, UTCDateTime, UUIDString, utcnow

if TYPE_CHECKING:  # organisations sits above accounts: no import at run time
    from lms.organisations.models import Department, Organisation

#: Staff of the organisation, or volunteers (digihelpers) trained alongside them.
PERSON_KINDS = ("staff", "volunteer")
ROLES = ("learner", "trainer", "manager", "admin")
#: Roles that only make sense for particular organisations.
SCOPED_ROLES = frozenset({"manager"})


class User(UserMixin, Base):
    """A person. Never deleted: a leaver is deactivated and keeps their history."""

    __tablename__ = "lms_user"
    __table_args__ = (
        CheckConstraint("email IS NOT NULL OR username IS NOT NULL", name="has_login"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Opaque identifier used outside the LMS (xAPI actor name, exports); never an e-mail.
    public_id: Mapped[uuid.UUID] = mapped_column(UUIDString(), unique=True, default=uuid.uuid4)
    #: Stored lower-case; login by e-mail or username is case-insensitive.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    #: Werkzeug scrypt hash; None means the person cannot log in with a password yet.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    preferred_language: Mapped[str] = mapped_column(String(5), default="nl")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_organisation.id"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(ForeignKey("lms_department.id"), index=True)
    #: "staff" or "volunteer": the same rules and reports, with a filter on kind.
    kind: Mapped[str] = mapped_column(String(10), default="staff", server_default="staff")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the person was erased (lms.privacy.erasure): the row stays as a pseudonym that
    #: the records kept (forum posts, certificates' status) point at, without name or login.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Part of every session of this person (see ``get_id``); raising it ends them all
    #: (logout, password change: ``services.end_sessions``).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    organisation: Mapped[Organisation | None] = relationship(
        back_populates="members", foreign_keys=[organisation_id]
    )
    department: Mapped[Department | None] = relationship()
    role_assignments: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # Flask-Login
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        """What a session stores: the person and their session generation (``accounts.login``)."""
        return f"{self.id}:{self.session_generation or 0}"

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return verify_password(self.password_hash, password)

    @property
    def login_name(self) -> str:
        return self.email or self.username or ""

    @property
    def roles(self) -> set[str]:
        return {a.role for a in self.role_assignments}

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_admin(self) -> bool:
        return self.has_role("admin")

    @property
    def managed_organisation_ids(self) -> set[int]:
        return {
            a.organisation_id
            for a in self.role_assignments
            if a.role == "manager" and a.organisation_id is not None
        }

    def __repr__(self) -> str:
        return f"<User {self.id} {self.login_name}>"


class RoleAssignment(Base):
    """A role held by a person; a manager's role names the organisation it covers."""

    __tablename__ = "lms_role_assignment"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "organisation_id"),
        CheckConstraint(
            "(role = 'manager') = (organisation_id IS NOT NULL)", name="scope_matches_role"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("lms_organisation.id"))

    user: Mapped[User] = relationship(back_populates="role_assignments")
    organisation: Mapped[Organisation | None] = relationship()
