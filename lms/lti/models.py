"""The platforms that may launch this tool, the people they sent, and the scores owed to them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from lms.organisations.models import Organisation


class LtiRegistration(Base):
    """A platform registered by an administrator: what it told us about itself, and which
    organisation the people it launches belong to."""

    __tablename__ = "lms_lti_registration"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A name for the administrator ("Moodle of Regio Westhoek").
    name: Mapped[str] = mapped_column(String(200))
    #: The platform's ``iss`` (its issuer identifier, a URL).
    issuer: Mapped[str] = mapped_column(String(255))
    #: The client id the platform gave this tool (the ``aud`` of its id_tokens).
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    key_set_url: Mapped[str] = mapped_column(String(1000))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("lms_organisation.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    deployments: Mapped[list[LtiDeployment]] = relationship(
        back_populates="registration",
        cascade="all, delete-orphan",
        order_by="LtiDeployment.deployment_id",
        lazy="selectin",
    )

    @property
    def deployment_ids(self) -> list[str]:
        return [d.deployment_id for d in self.deployments]


class LtiDeployment(Base):
    """A deployment of the tool on a registered platform (``deployment_id`` claim)."""

    __tablename__ = "lms_lti_deployment"
    __table_args__ = (UniqueConstraint("registration_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("lms_lti_registration.id"))
    deployment_id: Mapped[str] = mapped_column(String(255))

    registration: Mapped[LtiRegistration] = relationship(back_populates="deployments")


class LtiAccount(Base):
    """A platform's person (issuer + ``sub``) is this person of ours."""

    __tablename__ = "lms_lti_account"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LtiNonce(Base):
    """A nonce of an id_token that was accepted: the same one again is a replay. In the
    database so that every worker and host sees it; kept a day (``lms lti send-scores``
    removes older ones)."""

    __tablename__ = "lms_lti_nonce"
    __table_args__ = (UniqueConstraint("issuer", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    nonce: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class LtiGradeLink(Base):
    """Where a launched learner's results go: the line item of the platform's resource link
    (from the launch's AGS claim), for a course or one module of it."""

    __tablename__ = "lms_lti_grade_link"
    __table_args__ = (UniqueConstraint("registration_id", "user_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("lms_lti_registration.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id"))
    #: None: the whole course.
    module_id: Mapped[str | None] = mapped_column(String(64))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    #: The platform's id of the person (the score's ``userId``).
    subject: Mapped[str] = mapped_column(String(255))
    lineitem_url: Mapped[str] = mapped_column(String(1000))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    registration: Mapped[LtiRegistration] = relationship()


class LtiScore(Base):
    """A score owed to a platform (the outbox): written in the transaction that recorded the
    result, posted by ``lms lti send-scores`` after the commit, retried with back-off."""

    __tablename__ = "lms_lti_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    grade_link_id: Mapped[int] = mapped_column(ForeignKey("lms_lti_grade_link.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The AGS score message, except ``userId`` (from the link) and ``timestamp``.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: Not before this time (back-off after a failure).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
