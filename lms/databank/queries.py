"""Reads of the databank: the search (text, filters, counts, order, pages) and the rest.

A search is described by a ``Search`` (what the URL says), checked by ``parse_search`` (which
names unknown values instead of failing). ``run_search`` costs three queries whatever the size
of the databank: the facet counts (one UNION ALL of grouped counts), the total and the page.
Counts are "disjunctive": the count of a value applies every other filter, so ticking a type
still shows how many resources the other types would give.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, any_, func, intersect, select, union_all
from sqlalchemy.orm import Session

from lms.authoring.resources import MATERIAL_LANGUAGES, TARGET_GROUPS, THEMES, TYPES
from lms.catalog.models import Course, CourseVersion
from lms.core.pagination import Page, paginate
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


def _matching_ids(
    session: Session, search: Search, *, skip: str | None = None, words: Any = None
) -> Any:
    """The ids of published resources that match the words and every filter but ``skip``'s,
    as one INTERSECT of index scans (facet rows exist for published resources only); None
    when nothing narrows the search. ``words``: the ids matching the words, when the caller
    has them already (a CTE shared by several parts of one statement)."""
    parts: list[Any] = [
        select(ResourceFacet.resource_id.label("id")).where(
            ResourceFacet.facet == facet, ResourceFacet.value.in_(values)
        )
        for facet, values in search.filters.items()
        if facet != skip
    ]
    if search.query:
        if words is None:
            words = matching_ids(search.query, session.get_bind().dialect.name)
        parts.append(words)  # search rows exist for published resources only
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


def facet_counts(session: Session, search: Search) -> dict[str, dict[str, int]]:
    """For each facet, the number of results each of its values would give: the facets
    without a ticked value share one grouped count; each facet with one gets its own (the
    other filters applied). One statement."""
    free = [facet for facet in FACETS if facet not in search.filters]
    groups = [(free, None)] if free else []
    groups += [([facet], facet) for facet in FACETS if facet in search.filters]
    postgres = session.get_bind().dialect.name == "postgresql"
    words = None
    if search.query and len(groups) > 1:  # the full-text match once, for every part
        shared = matching_ids(search.query, session.get_bind().dialect.name).cte("words")
        words = select(shared.c.id)
    selects = []
    for facets, skip in groups:
        statement = select(ResourceFacet.facet, ResourceFacet.value, func.count().label("n"))
        ids = _matching_ids(session, search, skip=skip, words=words)
        if ids is not None:
            # From the matching ids to their facet rows by the primary key, rather than a
            # scan of every facet row: on SQLite a join from the ids; on PostgreSQL
            # ``= ANY(ARRAY(...))``, which its planner turns into index probes (a join or IN
            # gets a hash join over the whole table: 19 ms instead of 6 at 10,000).
            if postgres:
                statement = statement.where(
                    ResourceFacet.resource_id == any_(func.array(ids.scalar_subquery()))
                )
            else:
                matched = ids.subquery()
                statement = statement.select_from(matched).join(
                    ResourceFacet, ResourceFacet.resource_id == matched.c.id
                )
        statement = statement.where(ResourceFacet.facet.in_(facets))
        selects.append(statement.group_by(ResourceFacet.facet, ResourceFacet.value))
    counts: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
    statement = selects[0] if len(selects) == 1 else union_all(*selects)
    for facet, value, number in session.execute(statement):
        counts[facet][value] = number
    return counts


def _order(search: Search, language: str) -> list[Any]:
    title = getattr(Resource, f"title_{language}", Resource.title_nl)
    column = {
        "title": func.lower(title),
        "organisation": func.lower(Resource.organisation_name),
        "type": Resource.type,
        "added": Resource.added,
    }[search.sort]
    first = column.desc() if search.descending else column.asc()
    return [first, func.lower(title), Resource.id]


def run_search(
    session: Session, search: Search, language: str, per_page: int = PER_PAGE
) -> Page[Resource]:
    query = (
        select(Resource)
        .where(and_(*_conditions(session, search)))
        .order_by(*_order(search, language))
    )
    return paginate(session, query, search.page, per_page)


def result_ids(session: Session, search: Search) -> set[int]:
    """Every matching id (tests compare engines with it)."""
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
