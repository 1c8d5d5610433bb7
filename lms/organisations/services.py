"""Writes for organisations and departments (flush only; the caller commits)."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy.orm import Session

from lms.core import audit
from lms.core.i18n import lazy_gettext as _l
from lms.organisations.models import LEVEL_LABELS, PARENT_LEVELS, Department, Organisation


class OrganisationError(ValueError):
    """A change that cannot be made; the message says why, in words for the admin."""


def check_parent(
    organisation: Organisation | None, level: str, parent: Organisation | None
) -> None:
    """Raise ``OrganisationError`` unless ``parent`` may hold an organisation of ``level``:
    the levels fit (``PARENT_LEVELS``: an agency under a municipality, a municipality under a
    province...) and ``parent`` is not the organisation itself or part of it (no circles)."""
    if parent is None:
        return
    if organisation is not None:
        ancestor: Organisation | None = parent
        seen: set[int] = set()
        while ancestor is not None and ancestor.id not in seen:
            if ancestor.id == organisation.id:
                raise OrganisationError(
                    _l("An organisation cannot be part of itself or of one of its own parts.")
                )
            seen.add(ancestor.id)
            ancestor = ancestor.parent
    if parent.level not in PARENT_LEVELS[level]:
        raise OrganisationError(
            _l(
                "An organisation of the level “%(level)s” cannot be part of %(parent)s. "
                "Choose another organisation, or none.",
                level=LEVEL_LABELS[level],
                parent=parent.name,
            )
        )


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:64]


def create_organisation(
    session: Session,
    name: str,
    *,
    level: str = "municipality",
    parent: Organisation | None = None,
    slug: str | None = None,
    departments: list[str] | None = None,
    actor_id: int | None = None,
) -> Organisation:
    check_parent(None, level, parent)
    organisation = Organisation(
        name=name.strip(), slug=slug or slugify(name), level=level, parent=parent
    )
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
        level=organisation.level,
        parent_id=organisation.parent_id,
    )
    return organisation


def update_organisation(
    session: Session,
    organisation: Organisation,
    *,
    name: str,
    level: str,
    parent: Organisation | None = None,
    actor_id: int | None,
) -> None:
    check_parent(organisation, level, parent)
    misfits = [c.name for c in organisation.children if level not in PARENT_LEVELS[c.level]]
    if misfits:
        raise OrganisationError(
            _l(
                "%(names)s cannot be part of an organisation of this level. Change them first.",
                names=", ".join(sorted(misfits)),
            )
        )
    organisation.name = name.strip()
    organisation.level = level
    organisation.parent = parent
    session.flush()
    audit.record(
        session,
        "organisation.update",
        "organisation",
        organisation.id,
        actor_id=actor_id,
        name=organisation.name,
        level=organisation.level,
        parent_id=organisation.parent_id,
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
