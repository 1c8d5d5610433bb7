"""Reads of the databank: the search (text, filters, counts, order, pages) and the rest.

A search is described by a ``Search`` (what the URL says), checked by ``parse_search`` (which
names unknown values instead of failing). ``search_page`` costs, whatever the size of the
databank, a read of the databank's token, one full-text query for the words (if any) and one
read of the page's resources: filters, totals, orders and facet counts come from the worker's
copy of the facets (``index.py``). Counts are "disjunctive": the count of a value applies every
other filter, so ticking a type still shows how many resources the other types would give.
``result_ids`` answers the same question in SQL alone (the tests compare the two).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sqlalchemy import any_, func, intersect, select
from sqlalchemy.orm import Session

from lms.authoring.resources import MATERIAL_LANGUAGES, TARGET_GROUPS, THEMES, TYPES
from lms.catalog.models import Course, CourseVersion
from lms.core.pagination import Page
from lms.databank.index import FacetIndex, facet_index, ordered_ids, word_matches
from lms.databank.models import (
    FACETS,
    Favourite,
    Resource,
    ResourceFacet,
    ResourceList,
    ResourceListItem,
)
from lms.databank.search import ParsedQuery, QueryTooLong, matching_ids, parse_query

#: URL parameter of each facet.
FACET_PARAMS = {
    "type": "type",
    "group": "group",
    "language": "language",
    "theme": "theme",
    "organisation": "organisation",
}
VOCABULARY: dict[str, tuple[str, ...] | None] = {
    "type": TYPES,
    "group": TARGET_GROUPS,
    "language": MATERIAL_LANGUAGES,
    "theme": THEMES,
    "organisation": None,  # free text: any value that a resource has
}
SORTS = ("title", "organisation", "type", "added")
#: What a row of results shows (lms/databank/rows.py reads these names).
TABLE_COLUMNS = (
    Resource.id,
    Resource.slug,
    Resource.title_nl,
    Resource.title_fr,
    Resource.title_de,
    Resource.title_en,
    Resource.organisation_name,
    Resource.type,
    Resource.target_groups,
)
PER_PAGE = 25
MAX_FILTER_VALUES = 20


@dataclass
class Search:
    text: str = ""
    query: ParsedQuery = field(default_factory=lambda: ParsedQuery(()))
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "title"
    descending: bool = False
    page: int = 1
    #: Problems with the URL, in plain words (the search runs without the faulty parts).
    problems: list[tuple[str, str]] = field(default_factory=list)

    def selected(self, facet: str, value: str) -> bool:
        return value in self.filters.get(facet, ())


def parse_search(args: Mapping[str, Any], page: int) -> Search:
    """Read the search from ``args`` (a MultiDict); unknown values become ``problems``."""
    search = Search(page=page)
    raw = (args.get("q") or "").strip()
    try:
        search.query = parse_query(raw)
        search.text = raw
    except QueryTooLong:
        search.problems.append(("too-long", raw[:40]))
        search.text = ""
    for facet, param in FACET_PARAMS.items():
        values = [v for v in dict.fromkeys(args.getlist(param)) if v]
        if len(values) > MAX_FILTER_VALUES:
            search.problems.append(("too-many", param))
            values = values[:MAX_FILTER_VALUES]
        allowed = VOCABULARY[facet]
        good = []
        for value in values:
            if (allowed is not None and value not in allowed) or len(value) > 120:
                search.problems.append(("unknown", f"{param}={value[:60]}"))
            else:
                good.append(value)
        if good:
            search.filters[facet] = tuple(good)
    sort = args.get("sort") or "title"
    if sort not in SORTS:
        search.problems.append(("unknown", f"sort={sort[:30]}"))
        sort = "title"
    search.sort = sort
    search.descending = args.get("order") == "desc"
    return search


def check_organisations(session: Session, search: Search) -> None:
    """Organisations are free text: a ticked one that no published resource names is a
    problem to tell (and is left out), like an unknown type."""
    asked = search.filters.get("organisation")
    if not asked:
        return
    known = set(
        session.scalars(
            select(ResourceFacet.value)
            .where(ResourceFacet.facet == "organisation", ResourceFacet.value.in_(asked))
            .distinct()
        )
    )
    for value in asked:
        if value not in known:
            search.problems.append(("unknown", f"organisation={value[:60]}"))
    kept = tuple(v for v in asked if v in known)
    if kept:
        search.filters["organisation"] = kept
    else:
        del search.filters["organisation"]


def _matching_ids(session: Session, search: Search) -> Any:
    """The ids of published resources that match the words and every filter, as one
    INTERSECT of index scans (facet and search rows exist for published resources only);
    None when nothing narrows the search."""
    parts: list[Any] = [
        select(ResourceFacet.resource_id.label("id")).where(
            ResourceFacet.facet == facet, ResourceFacet.value.in_(values)
        )
        for facet, values in search.filters.items()
    ]
    if search.query:
        parts.append(matching_ids(search.query, session.get_bind().dialect.name))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else intersect(*parts)


def _conditions(session: Session, search: Search) -> list[Any]:
    conditions: list[Any] = [Resource.status == "published"]
    ids = _matching_ids(session, search)
    if ids is not None:
        if session.get_bind().dialect.name == "postgresql":  # index probes (see facet_counts)
            conditions.append(Resource.id == any_(func.array(ids.scalar_subquery())))
        else:
            conditions.append(Resource.id.in_(ids))
    return conditions


def _word_ids(session: Session, index: FacetIndex, search: Search) -> frozenset[int] | None:
    """The published ids matching the words of ``search``; None without words."""
    return word_matches(session, index, search.query) if search.query else None


def _narrowed(
    index: FacetIndex, search: Search, words: frozenset[int] | None, skip: str | None = None
) -> frozenset[int] | set[int]:
    """The published resources matching the words and every filter but ``skip``'s."""
    found: frozenset[int] | set[int] | None = words
    for facet, values in search.filters.items():
        if facet != skip:
            having = index.having(facet, values)
            found = having if found is None else found & having
    return index.published if found is None else found


def _counts(
    index: FacetIndex, search: Search, words: frozenset[int] | None
) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
    everything = _narrowed(index, search, words)
    for facet in FACETS:
        base = (
            _narrowed(index, search, words, skip=facet) if facet in search.filters else everything
        )
        values = index.by_value.get(facet, {})
        if base is index.published:
            counts[facet] = {value: len(ids) for value, ids in values.items()}
            continue
        for value, ids in values.items():
            number = len(base & ids)
            if number:
                counts[facet][value] = number
    return counts


def _page(
    session: Session,
    index: FacetIndex,
    search: Search,
    words: frozenset[int] | None,
    language: str,
    per_page: int,
) -> Page[Any]:
    matched = _narrowed(index, search, words)
    total = len(matched)
    # A page past the end shows the last page (a bookmarked search that got shorter).
    page = min(max(search.page, 1), max(1, math.ceil(total / per_page)))
    order = ordered_ids(session, index, search.sort, search.descending, language)
    start = (page - 1) * per_page
    if matched is index.published:
        wanted = order[start : start + per_page]
    else:
        wanted = list(islice((i for i in order if i in matched), start, start + per_page))
    # The columns the results table shows (rows.py), as plain rows: no descriptions or
    # keywords to decode, no objects to build (a third of the search's own time before).
    statement = select(*TABLE_COLUMNS).where(Resource.id.in_(wanted))
    found = {r.id: r for r in session.execute(statement)}
    items = [found[i] for i in wanted if i in found]
    return Page(items=items, total=total, page=page, per_page=per_page)


@dataclass
class Results:
    """A search's page of results; its facet counts are counted when asked for."""

    page: Page[Any]  # rows of TABLE_COLUMNS
    index: FacetIndex
    search: Search
    words: frozenset[int] | None

    def counts(self) -> dict[str, dict[str, int]]:
        return _counts(self.index, self.search, self.words)


def search_page(
    session: Session, search: Search, language: str, per_page: int = PER_PAGE
) -> Results:
    """The page of results of ``search`` (and its counts, on demand): the full-text query
    once, the rest from this worker's copy of the facets (index.py)."""
    index = facet_index(session)
    words = _word_ids(session, index, search)
    return Results(_page(session, index, search, words, language, per_page), index, search, words)


def facet_counts(session: Session, search: Search) -> dict[str, dict[str, int]]:
    """For each facet, the number of results each of its values would give. Counts are
    disjunctive: a facet with ticked values is counted with every other filter applied."""
    index = facet_index(session)
    return _counts(index, search, _word_ids(session, index, search))


def run_search(
    session: Session, search: Search, language: str, per_page: int = PER_PAGE
) -> Page[Any]:
    """A page of results: rows of TABLE_COLUMNS."""
    index = facet_index(session)
    return _page(session, index, search, _word_ids(session, index, search), language, per_page)


def result_ids(session: Session, search: Search) -> set[int]:
    """Every matching id, in SQL alone (tests compare engines, and the copy, with it)."""
    return set(session.scalars(select(Resource.id).where(*_conditions(session, search))))


def published_by_slug(session: Session, slug: str) -> Resource | None:
    return session.scalar(
        select(Resource).where(Resource.slug == slug, Resource.status == "published")
    )


def resources_by_slugs(session: Session, slugs: tuple[str, ...]) -> list[Resource]:
    """Published resources named by a course section, in the section's order."""
    if not slugs:
        return []
    found = {
        r.slug: r
        for r in session.scalars(
            select(Resource).where(Resource.slug.in_(slugs), Resource.status == "published")
        )
    }
    return [found[s] for s in slugs if s in found]


def favourite_ids(session: Session, user_id: int, resource_ids: list[int]) -> set[int]:
    if not resource_ids:
        return set()
    return set(
        session.scalars(
            select(Favourite.resource_id).where(
                Favourite.user_id == user_id, Favourite.resource_id.in_(resource_ids)
            )
        )
    )


def favourites(session: Session, user_id: int, language: str) -> list[Resource]:
    title = getattr(Resource, f"title_{language}", Resource.title_nl)
    return list(
        session.scalars(
            select(Resource)
            .join(Favourite, Favourite.resource_id == Resource.id)
            .where(Favourite.user_id == user_id, Resource.status == "published")
            .order_by(func.lower(title))
        )
    )


def lists_of(session: Session, user_id: int) -> list[ResourceList]:
    return list(
        session.scalars(
            select(ResourceList)
            .where(ResourceList.owner_id == user_id)
            .order_by(ResourceList.created_at, ResourceList.id)
        )
    )


def list_items(session: Session, list_id: int, language: str) -> list[Resource]:
    title = getattr(Resource, f"title_{language}", Resource.title_nl)
    return list(
        session.scalars(
            select(Resource)
            .join(ResourceListItem, ResourceListItem.resource_id == Resource.id)
            .where(ResourceListItem.list_id == list_id, Resource.status == "published")
            .order_by(func.lower(title))
        )
    )


def visible_list(session: Session, list_id: int, user: Any) -> ResourceList | None:
    """The list if ``user`` may open it: their own, or a shared list of a colleague of the
    same organisation. Anyone else gets None (a 404: the URL does not confirm it exists)."""
    from lms.accounts.models import User

    resource_list = session.get(ResourceList, list_id)
    if resource_list is None:
        return None
    if resource_list.owner_id == user.id:
        return resource_list
    if not resource_list.shared or user.organisation_id is None:
        return None
    owner = session.get(User, resource_list.owner_id)
    if owner is None or owner.organisation_id != user.organisation_id:
        return None
    return resource_list


def review_queue(session: Session) -> list[Resource]:
    return list(
        session.scalars(
            select(Resource)
            .where(Resource.status == "pending")
            .order_by(Resource.created_at, Resource.id)
        )
    )


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).where(Resource.status == "pending")) or 0


def proposals_of(session: Session, user_id: int) -> list[Resource]:
    return list(
        session.scalars(
            select(Resource)
            .where(Resource.added_by_id == user_id, Resource.source == "proposal")
            .order_by(Resource.created_at.desc(), Resource.id.desc())
        )
    )


def courses_using(session: Session, slug: str) -> list[tuple[str, dict[str, str], str]]:
    """(course slug, title, default language) of the current course versions whose sections
    name the resource ``slug``."""
    rows = session.execute(
        select(Course.slug, CourseVersion.definition)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .order_by(Course.slug)
    )
    found = []
    for course_slug, definition in rows:
        if _names(definition, slug):
            languages = definition.get("languages") or ["nl"]
            found.append((course_slug, definition.get("title") or {}, languages[0]))
    return found


def _names(definition: dict[str, Any], slug: str) -> bool:
    for module in definition.get("modules", []):
        for activity in module.get("activities", []):
            for lesson in (activity.get("settings") or {}).get("lessons", []):
                for section in lesson.get("sections", []):
                    if slug in (section.get("resources") or ()):
                        return True
    return False
