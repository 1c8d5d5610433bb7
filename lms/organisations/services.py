"""Writes for organisations and departments (flush only; the caller commits)."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy.orm import Session

from lms.core import audit
from lms.organisations.models import Department, Organisation


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:64]


def create_organisation(
    session: Session,
    name: str,
    *,
    kind: str = "municipality",
    slug: str | None = None,
    departments: list[str] | None = None,
    actor_id: int | None = None,
) -> Organisation:
    organisation = Organisation(name=name.strip(), slug=slug or slugify(name), kind=kind)
    session.add(organisation)
    for dept in departments or []:
        organisation.departments.append(Department(name=dept.strip()))
    session.flush()
    audit.record(
        session,
        "organisation.create",
        "organisation",
        organisation.id,
        actor_id=actor_id,
        name=organisation.name,
    )
    return organisation


def update_organisation(
    session: Session, organisation: Organisation, *, name: str, kind: str, actor_id: int | None
) -> None:
    organisation.name = name.strip()
    organisation.kind = kind
    session.flush()
    audit.record(
        session,
        "organisation.update",
        "organisation",
        organisation.id,
        actor_id=actor_id,
        name=organisation.name,
    )


def add_department(
    session: Session, organisation: Organisation, name: str, *, actor_id: int | None = None
) -> Department:
    department = Department(organisation=organisation, name=name.strip())
    session.add(department)
    session.flush()
    audit.record(
        session,
        "department.create",
        "department",
        department.id,
        actor_id=actor_id,
        name=department.name,
        organisation_id=organisation.id,
    )
    return department


def rename_department(
    session: Session, department: Department, name: str, *, actor_id: int | None = None
) -> None:
    old = department.name
    department.name = name.strip()
    session.flush()
    audit.record(
        session,
        "department.rename",
        "department",
        department.id,
        actor_id=actor_id,
        old=old,
        new=department.name,
    )
