"""Reads of counter labels for the public pages: what a citizen may see, and nothing more.

The public list names organisations, counters (departments) and dates. It never names a
person and never shows a head count (a share of three people would tell who is not trained).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, joinedload

from lms.labels.models import CounterLabel
from lms.organisations.models import Department, Organisation


@dataclass(frozen=True)
class LabelledCounter:
    """A counter that holds the label, as the public page shows it."""

    #: The counter's organisation when it is not the place itself (a municipality's agency).
    organisation: str | None
    department: str
    granted_on: date
    code: str


@dataclass(frozen=True)
class Place:
    """A municipality (or another organisation) with its labelled counters."""

    name: str
    counters: tuple[LabelledCounter, ...]


def labelled_places(session: Session, search: str = "") -> list[Place]:
    """Places with at least one labelled counter, by name; a municipality's agencies are
    listed under the municipality. ``search``: part of a place's or organisation's name."""
    parent = aliased(Organisation)
    rows = session.execute(
        select(CounterLabel, Department.name, Organisation, parent)
        .join(Department, Department.id == CounterLabel.department_id)
        .join(Organisation, Organisation.id == Department.organisation_id)
        .outerjoin(parent, parent.id == Organisation.parent_id)
        .where(CounterLabel.withdrawn_on.is_(None))
    ).all()
    places: dict[str, list[LabelledCounter]] = {}
    needle = search.strip().casefold()
    for label, department, organisation, owner in rows:
        under_parent = (
            owner is not None and organisation.level == "agency" and owner.level == "municipality"
        )
        place = owner.name if under_parent else organisation.name
        if needle and needle not in place.casefold() and needle not in organisation.name.casefold():
            continue
        places.setdefault(place, []).append(
            LabelledCounter(
                organisation.name if under_parent else None,
                department,
                label.granted_on,
                label.display_code,
            )
        )
    return [
        Place(
            name,
            tuple(
                sorted(
                    counters,
                    key=lambda c: ((c.organisation or "").casefold(), c.department.casefold()),
                )
            ),
        )
        for name, counters in sorted(places.items(), key=lambda kv: kv[0].casefold())
    ]


def find_by_code(session: Session, code: str) -> CounterLabel | None:
    return session.scalar(
        select(CounterLabel)
        .options(joinedload(CounterLabel.department).joinedload(Department.organisation))
        .where(CounterLabel.code == code)
    )
