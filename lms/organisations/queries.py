"""Reads that return people or organisations, always filtered by who is asking.

This is the one place where tenancy is decided: an admin sees everyone, a manager sees the
people of the organisations they manage, anybody else sees only themselves. Every view or
export that lists people must start from :func:`people_visible_to`.
"""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.organisations.models import Department, Organisation


def people_visible_to(actor: User) -> Select[tuple[User]]:
    # An erased person is a nameless pseudonym (lms.privacy.erasure): nobody lists them.
    query = select(User).where(User.erased_at.is_(None))
    if actor.is_admin:
        return query
    managed = actor.managed_organisation_ids
    if managed:
        return query.where(or_(User.organisation_id.in_(managed), User.id == actor.id))
    return query.where(User.id == actor.id)


def organisations_visible_to(actor: User) -> Select[tuple[Organisation]]:
    query = select(Organisation).order_by(Organisation.name)
    if actor.is_admin:
        return query
    managed = actor.managed_organisation_ids
    if not managed:
        return query.where(false())
    return query.where(Organisation.id.in_(managed))


def get_visible_person(session: Session, actor: User, user_id: int) -> User | None:
    """The person with ``user_id`` if ``actor`` may see them, else None (the caller 404s)."""
    return session.scalars(people_visible_to(actor).where(User.id == user_id)).first()


def all_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


def find_organisation(session: Session, key: str) -> Organisation | None:
    """By slug or (case-insensitively) by name, as people write them in a CSV file."""
    key = key.strip()
    return session.scalars(
        select(Organisation).where(
            or_(Organisation.slug == key.lower(), Organisation.name.ilike(key))
        )
    ).first()


def find_department(session: Session, organisation: Organisation, name: str) -> Department | None:
    return session.scalars(
        select(Department).where(
            Department.organisation_id == organisation.id, Department.name.ilike(name.strip())
        )
    ).first()
