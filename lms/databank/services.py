"""Writes of the databank: curated import, favourites, lists, proposals and their review.

Explicit arguments, flush, never commit. Writes that two requests may make at once (a star, a
list item, a proposal of the same address) are single statements that cannot fail on a
duplicate: ``INSERT ... ON CONFLICT DO NOTHING`` on both engines, and a unique index on a
live resource's address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.authoring.resources import ResourceInfo, url_key
from lms.core.db import utcnow
from lms.databank.models import (
    Favourite,
    Resource,
    ResourceFacet,
    ResourceList,
    ResourceListItem,
    ResourceSearch,
)
from lms.databank.search import index_terms, resource_texts
from lms.mail.services import queue_mail

UI_LANGUAGES = ("nl", "fr", "de", "en")
_FALLBACK = {"nl": ("nl", "fr", "en", "de"), "fr": ("fr", "nl", "en", "de")}


class DuplicateUrl(Exception):
    """The address is already in the databank (or waiting for review)."""

    def __init__(self, existing: Resource | None) -> None:
        super().__init__("duplicate address")
        self.existing = existing


def localised(texts: dict[str, str], language: str) -> str:
    for lang in _FALLBACK.get(language, (language, "nl", "fr", "en", "de")):
        if texts.get(lang):
            return texts[lang]
    return next(iter(texts.values()), "")


def _insert(session: Session, model: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model)


def fill(resource: Resource, data: dict[str, Any]) -> None:
    """Set the fields shared by curated and proposed resources (and the derived ones)."""
    resource.title = data["title"]
    resource.description = data["description"]
    for lang in UI_LANGUAGES:
        setattr(resource, f"title_{lang}", localised(data["title"], lang)[:200])
    resource.organisation_name = data["organisation"]
    resource.type = data["type"]
    resource.target_groups = list(data["target_groups"])
    resource.languages = list(data["languages"])
    resource.themes = list(data["themes"])
    resource.keywords = data.get("keywords") or {}
    resource.url = data.get("url")
    resource.url_key = url_key(data["url"]) if data.get("url") else None
    resource.licence = data.get("licence") or ""


def facet_rows(resource: Resource) -> list[dict[str, Any]]:
    values = [("type", resource.type), ("organisation", resource.organisation_name[:120])]
    values += [("group", g) for g in resource.target_groups]
    values += [("language", lang) for lang in resource.languages]
    values += [("theme", t) for t in resource.themes]
    return [{"resource_id": resource.id, "facet": f, "value": v} for f, v in dict.fromkeys(values)]


def refresh_facets(session: Session, resource: Resource) -> None:
    """The facet and search rows of ``resource``: its values and words when published, none
    otherwise (search and filters find published resources only)."""
    session.execute(delete(ResourceFacet).where(ResourceFacet.resource_id == resource.id))
    session.execute(delete(ResourceSearch).where(ResourceSearch.resource_id == resource.id))
    if resource.status == "published":
        session.execute(ResourceFacet.__table__.insert(), facet_rows(resource))
        session.execute(
            ResourceSearch.__table__.insert(),
            {"resource_id": resource.id, "terms": index_terms(resource_texts(resource))},
        )


# -- curated resources (lms import) -------------------------------------------------------------


def _hash(definition: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()


class CuratedStore:
    """The ResourceStore the databank registers with ``lms import``."""

    def known(self, session: Session) -> dict[str, ResourceInfo]:
        rows = session.execute(
            select(Resource.slug).where(
                Resource.source == "curated", Resource.status == "published"
            )
        )
        return {slug: ResourceInfo(slug, "the databank") for (slug,) in rows}

    def store(self, session: Session, definitions: list[tuple[dict[str, Any], str]]) -> list[str]:
        slugs = [d["id"] for d, _ in definitions]
        existing = {
            r.slug: r for r in session.scalars(select(Resource).where(Resource.slug.in_(slugs)))
        }
        statuses = []
        for definition, _source in definitions:
            digest = _hash(definition)
            resource = existing.get(definition["id"])
            if resource is not None and resource.content_hash == digest:
                statuses.append("unchanged")
                continue
            status = "created" if resource is None else "updated"
            if resource is None:
                resource = Resource(slug=definition["id"], source="curated", status="published")
                session.add(resource)
            fill(resource, definition)
            resource.added = dt.date.fromisoformat(definition["added"])
            resource.content_hash = digest
            session.flush()
            refresh_facets(session, resource)
            statuses.append(status)
        session.flush()
        return statuses


# -- favourites and lists -----------------------------------------------------------------------


def set_favourite(session: Session, user_id: int, resource_id: int, on: bool) -> None:
    """Star (``on``) or unstar a resource; the same call twice, or at once, gives one row."""
    if on:
        statement = _insert(session, Favourite).values(
            user_id=user_id, resource_id=resource_id, created_at=utcnow()
        )
        session.execute(statement.on_conflict_do_nothing())
    else:
        session.execute(
            delete(Favourite).where(
                Favourite.user_id == user_id, Favourite.resource_id == resource_id
            )
        )
    session.flush()


def create_list(session: Session, owner: User, name: str) -> ResourceList:
    resource_list = ResourceList(owner_id=owner.id, name=name.strip()[:120])
    session.add(resource_list)
    session.flush()
    return resource_list


def add_to_list(session: Session, resource_list: ResourceList, resource_id: int) -> None:
    statement = _insert(session, ResourceListItem).values(
        list_id=resource_list.id, resource_id=resource_id, added_at=utcnow()
    )
    session.execute(statement.on_conflict_do_nothing())
    session.flush()


def remove_from_list(session: Session, resource_list: ResourceList, resource_id: int) -> None:
    session.execute(
        delete(ResourceListItem).where(
            ResourceListItem.list_id == resource_list.id,
            ResourceListItem.resource_id == resource_id,
        )
    )
    session.flush()


def set_shared(session: Session, resource_list: ResourceList, shared: bool) -> None:
    """Share a list with the colleagues of its owner's organisation, or stop sharing it."""
    resource_list.shared = shared
    session.flush()


def delete_list(session: Session, resource_list: ResourceList) -> None:
    session.execute(delete(ResourceListItem).where(ResourceListItem.list_id == resource_list.id))
    session.delete(resource_list)
    session.flush()


# -- proposals and review -----------------------------------------------------------------------


@dataclass(frozen=True)
class StoredFile:
    stored: str
    name: str
    content_type: str
    size: int


def _slug_for(resource: Resource) -> str:
    """A proposal's slug has an underscore, which a curated id (a slug) never has: the two
    can never collide, and course sections name curated resources only."""
    words = re.sub(r"[^a-z0-9]+", "-", localised(resource.title, "nl").lower()).strip("-")
    return f"p{resource.id}_{words}"[:80].rstrip("-_")


def existing_with_url(session: Session, url: str) -> Resource | None:
    return session.scalar(
        select(Resource).where(Resource.url_key == url_key(url), Resource.status != "rejected")
    )


def propose(
    session: Session, proposer: User, data: dict[str, Any], file: StoredFile | None = None
) -> Resource:
    """A resource waiting for review; DuplicateUrl when its address is already known."""
    if data.get("url") and (found := existing_with_url(session, data["url"])) is not None:
        raise DuplicateUrl(found)
    resource = Resource(
        slug=f"proposal_{utcnow().timestamp():.6f}_{proposer.id}",
        source="proposal",
        status="pending",
        added=utcnow().date(),
        added_by_id=proposer.id,
        organisation_id=proposer.organisation_id,
    )
    fill(resource, data)
    if file is not None:
        resource.file_stored = file.stored
        resource.file_name = file.name
        resource.file_type = file.content_type
        resource.file_size = file.size
    try:
        with session.begin_nested():
            session.add(resource)
            session.flush()
    except IntegrityError:  # the same address, proposed at the same moment
        raise DuplicateUrl(existing_with_url(session, data["url"])) from None
    resource.slug = _slug_for(resource)
    session.flush()
    return resource


def _notify(session: Session, resource: Resource, template: str) -> None:
    proposer = session.get(User, resource.added_by_id) if resource.added_by_id else None
    if proposer is None or not proposer.email or not proposer.active:
        return
    language = proposer.preferred_language or "nl"
    queue_mail(
        session,
        recipient=proposer.email,
        template=template,
        language=language,
        name=proposer.full_name,
        title=localised(resource.title, language),
        reason=resource.rejection_reason or "",
        slug=resource.slug,
    )


def update_proposal(session: Session, resource: Resource, data: dict[str, Any]) -> None:
    """A trainer's edit of a proposal before the decision."""
    if data.get("url") and (found := existing_with_url(session, data["url"])) not in (
        None,
        resource,
    ):
        raise DuplicateUrl(found)
    fill(resource, data)
    session.flush()


def approve(session: Session, resource: Resource, reviewer: User) -> None:
    resource.status = "published"
    resource.reviewed_by_id = reviewer.id
    resource.reviewed_at = utcnow()
    resource.rejection_reason = None
    session.flush()
    refresh_facets(session, resource)
    _notify(session, resource, "databank_approved")
    session.flush()


def reject(session: Session, resource: Resource, reviewer: User, reason: str) -> str | None:
    """Reject a proposal with a reason (the proposer is told). Returns the stored name of
    its file, which is not kept: the caller removes it after the commit."""
    resource.status = "rejected"
    resource.reviewed_by_id = reviewer.id
    resource.reviewed_at = utcnow()
    resource.rejection_reason = reason.strip()
    stored, resource.file_stored = resource.file_stored, None
    session.flush()
    refresh_facets(session, resource)
    _notify(session, resource, "databank_rejected")
    session.flush()
    return stored


# -- erasure (lms.privacy) ----------------------------------------------------------------------


@dataclass
class ErasedData:
    counts: dict[str, int]
    #: Stored names of the deleted proposals' files (the caller removes them after commit).
    files: list[str]


def erase_person_data(session: Session, user_id: int, scrub: Any) -> ErasedData:
    """A person's databank records on erasure: their favourites and lists go, proposals still
    waiting go (with their files, after the commit); reviewed proposals stay without their
    link to the person, the name taken out of the credited organisation (``scrub``: text ->
    text without the person's name)."""
    from sqlalchemy import update

    counts = {}
    files = [
        name
        for name in session.scalars(
            select(Resource.file_stored).where(
                Resource.added_by_id == user_id, Resource.status == "pending"
            )
        )
        if name
    ]
    counts["databank_favourites"] = session.execute(
        delete(Favourite).where(Favourite.user_id == user_id)
    ).rowcount
    lists = select(ResourceList.id).where(ResourceList.owner_id == user_id).scalar_subquery()
    session.execute(delete(ResourceListItem).where(ResourceListItem.list_id.in_(lists)))
    counts["databank_lists"] = session.execute(
        delete(ResourceList).where(ResourceList.owner_id == user_id)
    ).rowcount
    counts["databank_proposals_deleted"] = session.execute(
        delete(Resource).where(Resource.added_by_id == user_id, Resource.status == "pending")
    ).rowcount
    kept = list(session.scalars(select(Resource).where(Resource.added_by_id == user_id)))
    for resource in kept:
        resource.added_by_id = None
        cleaned = scrub(resource.organisation_name)
        if cleaned != resource.organisation_name:
            resource.organisation_name = cleaned
            refresh_facets(session, resource)
    counts["databank_proposals_kept"] = len(kept)
    session.execute(
        update(Resource).where(Resource.reviewed_by_id == user_id).values(reviewed_by_id=None)
    )
    session.flush()
    return ErasedData(counts, files)
