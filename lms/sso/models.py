"""Which organisations sign their people in with their own identity provider.

The providers themselves (issuer, client id, client secret) are the operator's configuration
(``LMS_SSO_PROVIDERS``), never rows: no secret is ever stored in the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import Base

if TYPE_CHECKING:
    from lms.organisations.models import Organisation


class OrganisationSSO(Base):
    """An organisation's single sign-on: its provider and the rules for its people."""

    __tablename__ = "lms_organisation_sso"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("lms_organisation.id"), unique=True)
    #: A key of ``LMS_SSO_PROVIDERS``.
    provider: Mapped[str] = mapped_column(String(64))
    #: A person who signs in for the first time gets an account in the organisation; otherwise
    #: only existing accounts (matched by e-mail address) may sign in.
    create_accounts: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The organisation's people cannot use a local password (nor ask for a new one).
    passwords_off: Mapped[bool] = mapped_column(Boolean, default=False)

    organisation: Mapped[Organisation] = relationship()
    domains: Mapped[list[SSODomain]] = relationship(
        back_populates="sso",
        cascade="all, delete-orphan",
        order_by="SSODomain.domain",
        lazy="selectin",
    )

    @property
    def domain_names(self) -> list[str]:
        return [d.domain for d in self.domains]


class SSODomain(Base):
    """An e-mail domain of an organisation with single sign-on. A domain belongs to one
    organisation, so a work e-mail address finds it."""

    __tablename__ = "lms_sso_domain"

    id: Mapped[int] = mapped_column(primary_key=True)
    sso_id: Mapped[int] = mapped_column(ForeignKey("lms_organisation_sso.id"), index=True)
    #: Lower case, without "@" (``koksijde.be``).
    domain: Mapped[str] = mapped_column(String(253), unique=True)

    sso: Mapped[OrganisationSSO] = relationship(back_populates="domains")
