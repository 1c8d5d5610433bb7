"""Each worker's copy of the databank's facets and orderings, for searches without SQL work.

A search used to ask the database three times for the same thing: the resources matching
its words and filters, to count them, to page them and to count each facet value. Over
10,000 resources that cost about 20 ms of a 30 ms request. The databank changes rarely (an
import, a trainer's approval) and is small enough to hold: so each process keeps, per
database,

- the ids of the published resources, and for each facet value the set of its resources;
- for each order the page offers (sort, direction, language), every published id in that
  order, asked of the database the first time it is used (so the order is the database's
  own: its ``lower()`` and collation, exactly as before).

A copy is good while ``lms_databank_generation.token`` is the value read when it was built:
triggers give the token a new random value in every transaction that changes a resource, a
facet or a search row (migration 0019_databank_generation), on every host of a shared
database. So a search costs one read of the token, one full-text query for its words (when
it has any, and not asked for lately: the last 200 queries' matches are kept with the copy)
and one read of the 25 resources of its page; counting and filtering are set operations in
memory. The token is read first: a copy can be newer than its token, never
older. When the row is missing (an emptied table) nothing is kept: each search builds what
it needs and drops it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.databank.models import DatabankGeneration, Resource, ResourceFacet
from lms.databank.search import ParsedQuery, matching_ids

#: Databases whose copies a process keeps (tests use several; a server one).
KEEP = 4
#: Queries whose matching ids a copy keeps, and the most ids kept in all (about 50 bytes
#: each: 10 MB), whichever limit comes first.
KEEP_QUERIES = 200
KEEP_QUERY_IDS = 200_000
#: Rendered fragments a copy keeps (the filters of a search: about 30 KB each).
KEEP_FRAGMENTS = 100


@dataclass
class FacetIndex:
    token: int | None
    published: frozenset[int]
    #: facet -> value -> the published resources with that value
    by_value: dict[str, dict[str, frozenset[int]]]
    orders: dict[tuple[str, bool, str], list[int]] = field(default_factory=dict)
    #: the ids matching recent queries' words (the most asked-for words come back often)
    words: OrderedDict[tuple[tuple[str, ...], ...], frozenset[int]] = field(
        default_factory=OrderedDict
    )
    kept_ids: int = 0
    #: rendered parts of the search page that follow from the copy alone (the filters with
    #: their counts), by whatever key the view gives them
    fragments: OrderedDict[Hashable, Any] = field(default_factory=OrderedDict)

    def fragment(self, key: Hashable) -> Any:
        with _lock:
            return self.fragments.get(key)

    def keep_fragment(self, key: Hashable, value: Any) -> None:
        if self.token is None:
            return
        with _lock:
            self.fragments[key] = value
            while len(self.fragments) > KEEP_FRAGMENTS:
                self.fragments.popitem(last=False)

    def having(self, facet: str, values: Iterable[str]) -> set[int]:
        """The resources with any of ``values`` for ``facet``."""
        found: set[int] = set()
        sets = self.by_value.get(facet, {})
        for value in values:
            found |= sets.get(value, frozenset())
        return found


_lock = threading.Lock()
_copies: OrderedDict[tuple[str, int], FacetIndex] = OrderedDict()


def _database_key(session: Session) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=True)


def _id_list(session: Session, column: Any) -> Any:
    """An aggregate of ``column``'s ids in one value per group: a Python list on PostgreSQL
    (array_agg), a comma-separated text on SQLite (group_concat); read with ``_ids``. One row
    per facet value instead of one per facet row: 68,000 rows at 10,000 resources took about
    300 ms to read, 131 rows of lists about 60."""
    if session.get_bind().dialect.name == "postgresql":
        return func.array_agg(column)
    return func.group_concat(column)


def _ids(value: Any) -> frozenset[int]:
    if not value:
        return frozenset()
    if isinstance(value, str):
        return frozenset(map(int, value.split(",")))
    return frozenset(value)


def _build(session: Session, token: int | None) -> FacetIndex:
    published = _ids(
        session.scalar(select(_id_list(session, Resource.id)).where(Resource.status == "published"))
    )
    by_value: dict[str, dict[str, frozenset[int]]] = {}
    rows = session.execute(
        select(
            ResourceFacet.facet,
            ResourceFacet.value,
            _id_list(session, ResourceFacet.resource_id),
        ).group_by(ResourceFacet.facet, ResourceFacet.value)
    )
    for facet, value, ids in rows:
        # Facet rows exist for published resources only; the intersection makes sure.
        by_value.setdefault(facet, {})[value] = _ids(ids) & published
    return FacetIndex(token=token, published=published, by_value=by_value)


def facet_index(session: Session) -> FacetIndex:
    """The copy for the database of ``session``, built again when the token changed."""
    token = session.scalar(select(DatabankGeneration.token).where(DatabankGeneration.id == 1))
    if token is None:
        return _build(session, None)
    key = (_database_key(session), token)
    with _lock:
        found = _copies.get(key)
        if found is not None:
            _copies.move_to_end(key)
            return found
    built = _build(session, token)
    with _lock:
        # Older copies of the same database are of no more use.
        for old in [k for k in _copies if k[0] == key[0]]:
            del _copies[old]
        _copies[key] = built
        while len(_copies) > KEEP:
            _copies.popitem(last=False)
    return built


def ordered_ids(
    session: Session, index: FacetIndex, sort: str, descending: bool, language: str
) -> list[int]:
    """Every published id in the order of (sort, direction, language), from the database
    once per copy."""
    key = (sort, descending, language)
    found = index.orders.get(key)
    if found is not None:
        return found
    title = getattr(Resource, f"title_{language}", Resource.title_nl)
    column: Any = {
        "title": func.lower(title),
        "organisation": func.lower(Resource.organisation_name),
        "type": Resource.type,
        "added": Resource.added,
    }[sort]
    first = column.desc() if descending else column.asc()
    ids = list(
        session.scalars(
            select(Resource.id)
            .where(Resource.status == "published")
            .order_by(first, func.lower(title), Resource.id)
        )
    )
    if index.token is not None:
        index.orders[key] = ids
    return ids


def word_matches(session: Session, index: FacetIndex, query: ParsedQuery) -> frozenset[int]:
    """The published ids matching every word of ``query``: one full-text query, kept with
    the copy for the next search with the same words."""
    with _lock:
        found = index.words.get(query.words)
    if found is not None:
        return found
    dialect = session.get_bind().dialect.name
    found = frozenset(session.scalars(matching_ids(query, dialect))) & index.published
    if index.token is not None:
        with _lock:
            index.words[query.words] = found
            index.kept_ids += len(found)
            while len(index.words) > KEEP_QUERIES or index.kept_ids > KEEP_QUERY_IDS:
                index.kept_ids -= len(index.words.popitem(last=False)[1])
    return found


def forget() -> None:
    """Drop every copy (tests)."""
    with _lock:
        _copies.clear()
