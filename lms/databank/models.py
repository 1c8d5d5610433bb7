"""Databank records: resources (curated or proposed), their facets, favourites and lists.

A resource is either curated (imported from ``courses/resources/<id>.yaml``) or proposed by a
signed-in person (``status``: pending, published after a trainer's approval, or rejected).
Only published resources are found by search. The facets a search filters and counts on
(type, target group, language, theme, organisation) are rows of ``lms_resource_facet``, so
one grouped query counts every value. ``lms_resource_search`` holds a published resource's
words, cleaned and stemmed (``search.py``), in a narrow table of its own; the database
indexes them: an FTS5 table on SQLite, a tsvector column with a GIN index on PostgreSQL,
both kept by triggers (migration 0017_databank).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import Base, UTCDateTime, utcnow

STATUSES = ("pending", "published", "rejected")
SOURCES = ("curated", "proposal")
FACETS = ("type", "group", "language", "theme", "organisation")


class Resource(Base):
    __tablename__ = "lms_resource"
    __table_args__ = (
        # One live resource per address: a second proposal of it is refused (rejected ones
        # do not count, so a rejected address may be proposed again, better described).
        Index(
            "ix_lms_resource_url_key_live",
            "url_key",
            unique=True,
            sqlite_where=text("status != 'rejected' AND url_key IS NOT NULL"),
            postgresql_where=text("status != 'rejected' AND url_key IS NOT NULL"),
        ),
        Index("ix_lms_resource_status", "status", "source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The YAML id of a curated resource; ``p<id>_...`` for a proposal (never a YAML id).
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    source: Mapped[str] = mapped_column(String(10), default="curated")
    status: Mapped[str] = mapped_column(String(10), default="published")
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    description: Mapped[dict[str, str]] = mapped_column(JSON)
    #: Sort keys of the title per UI language (falling back to the other languages).
    title_nl: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str] = mapped_column(String(200))
    title_de: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    organisation_name: Mapped[str] = mapped_column(String(120))
    #: The organisation credited for an approved proposal (the proposer's).
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_organisation.id", ondelete="SET NULL")
    )
    type: Mapped[str] = mapped_column(String(20))
    target_groups: Mapped[list[str]] = mapped_column(JSON)
    languages: Mapped[list[str]] = mapped_column(JSON)
    themes: Mapped[list[str]] = mapped_column(JSON)
    keywords: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    url: Mapped[str | None] = mapped_column(String(500))
    url_key: Mapped[str | None] = mapped_column(String(500))
    #: An uploaded file: its name on disk (instance/databank/), the name shown, type and size.
    file_stored: Mapped[str | None] = mapped_column(String(80))
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_type: Mapped[str | None] = mapped_column(String(120))
    file_size: Mapped[int | None] = mapped_column(Integer)
    licence: Mapped[str] = mapped_column(String(80), default="")
    added: Mapped[dt.date] = mapped_column(Date)
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_user.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_user.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    #: sha256 of a curated resource's definition: an unchanged file is not written again.
    content_hash: Mapped[str | None] = mapped_column(String(64))

    @property
    def published(self) -> bool:
        return self.status == "published"


class ResourceFacet(Base):
    """One facet value of a published resource, for filters and their counts."""

    __tablename__ = "lms_resource_facet"
    __table_args__ = (Index("ix_lms_resource_facet_value", "facet", "value", "resource_id"),)

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("lms_resource.id", ondelete="CASCADE"), primary_key=True
    )
    facet: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(120), primary_key=True)


class ResourceSearch(Base):
    """The words a published resource is found by (search.index_terms): cleaned, accent-free,
    stemmed. Narrow on purpose: a full-text scan never reads the resources' wide rows."""

    __tablename__ = "lms_resource_search"
    __table_args__ = (Index("ix_lms_resource_search_vector", "vector", postgresql_using="gin"),)

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("lms_resource.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    terms: Mapped[str] = mapped_column(Text)
    #: PostgreSQL only (set by a trigger from ``terms``); NULL on SQLite (FTS5 indexes terms).
    vector: Mapped[Any] = mapped_column(
        Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=True
    )


class Favourite(Base):
    __tablename__ = "lms_resource_favourite"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("lms_user.id", ondelete="CASCADE"), primary_key=True
    )
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("lms_resource.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ResourceList(Base):
    """A person's named list; when ``shared``, colleagues of their organisation may open it."""

    __tablename__ = "lms_resource_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ResourceListItem(Base):
    __tablename__ = "lms_resource_list_item"

    list_id: Mapped[int] = mapped_column(
        ForeignKey("lms_resource_list.id", ondelete="CASCADE"), primary_key=True
    )
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("lms_resource.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DatabankGeneration(Base):
    """One row: a token that triggers set to a new random value whenever a resource, a facet
    row or a search row changes (migration 0019_databank_generation). A worker's copy of the
    facets (``index.py``) is good while the token is the one it was built at."""

    __tablename__ = "lms_databank_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    token: Mapped[int] = mapped_column(BigInteger)
