"""Full-text search over the databank, the same on SQLite (FTS5) and PostgreSQL (tsvector).

Both engines index the same text: ``index_terms`` turns a resource's words into clean tokens
(lower case, accents removed, letters and digits only) and adds each token's Dutch and French
stem (snowball). SQLite's FTS5 table and PostgreSQL's 'simple' configuration then only split
on spaces, so they see exactly the same tokens. A query is cleaned the same way; each of its
words must match (its Dutch or its French stem). User text never reaches the FTS syntax: the
query is built from the cleaned tokens alone, which contain only ``[a-z0-9]``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from sqlalchemy import ColumnElement, Select, func, literal_column, select, text

from lms.databank.models import Resource, ResourceSearch

#: The longest query accepted, in characters, and the most words used from it.
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 8
MAX_TOKEN_LENGTH = 40

_TOKEN_RE = re.compile(r"[a-z0-9]+")
_DUTCH = snowballstemmer.stemmer("dutch")
_FRENCH = snowballstemmer.stemmer("french")


class QueryTooLong(ValueError):
    """The query is longer than MAX_QUERY_LENGTH."""


def fold(value: str) -> str:
    """Lower case without accents: "Élève" -> "eleve"."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(value: str) -> list[str]:
    return [t[:MAX_TOKEN_LENGTH] for t in _TOKEN_RE.findall(fold(value))]


@lru_cache(maxsize=4096)
def stems(token: str) -> tuple[str, ...]:
    """The token's Dutch and French stems (one or two distinct words)."""
    found = [_DUTCH.stemWord(token), _FRENCH.stemWord(token)]
    # Stemmers may put accents back (French "é"): fold again; keep only [a-z0-9].
    clean = ["".join(_TOKEN_RE.findall(fold(s))) or token for s in found]
    return tuple(dict.fromkeys(clean))


def index_terms(texts: Iterable[str]) -> str:
    """The words a resource is found by, as one space-separated string."""
    seen: dict[str, None] = {}
    for value in texts:
        for token in tokens(value):
            for stem in stems(token):
                seen.setdefault(stem, None)
    return " ".join(seen)


def resource_texts(resource: Resource) -> list[str]:
    texts = [*resource.title.values(), *resource.description.values()]
    texts.append(resource.organisation_name)
    for words in (resource.keywords or {}).values():
        texts.extend(words)
    return texts


@dataclass(frozen=True)
class ParsedQuery:
    """The words of a query, each as the stems that may match it."""

    words: tuple[tuple[str, ...], ...]

    def __bool__(self) -> bool:
        return bool(self.words)


def parse_query(raw: str) -> ParsedQuery:
    """Raise QueryTooLong for a query beyond MAX_QUERY_LENGTH characters."""
    if len(raw) > MAX_QUERY_LENGTH:
        raise QueryTooLong(raw)
    words: dict[tuple[str, ...], None] = {}
    for token in tokens(raw):
        words.setdefault(stems(token), None)
    return ParsedQuery(tuple(words)[:MAX_QUERY_WORDS])


def _fts5_expression(query: ParsedQuery) -> str:
    groups = []
    for options in query.words:
        inner = " OR ".join(f'"{s}"' for s in options)
        groups.append(f"({inner})" if len(options) > 1 else inner)
    return " AND ".join(groups)


def _tsquery_expression(query: ParsedQuery) -> str:
    groups = []
    for options in query.words:
        inner = " | ".join(options)
        groups.append(f"({inner})" if len(options) > 1 else inner)
    return " & ".join(groups)


def matching_ids(query: ParsedQuery, dialect: str) -> Select:
    """The ids of the published resources matching every word of ``query``."""
    if dialect == "postgresql":
        tsquery = func.to_tsquery(literal_column("'simple'"), _tsquery_expression(query))
        return select(ResourceSearch.resource_id.label("id")).where(
            ResourceSearch.vector.op("@@")(tsquery)
        )
    return (
        select(literal_column("rowid").label("id"))
        .select_from(text("lms_resource_fts"))
        .where(
            text("lms_resource_fts MATCH :fts_query").bindparams(fts_query=_fts5_expression(query))
        )
    )


def matching(query: ParsedQuery, dialect: str) -> ColumnElement[bool]:
    """A condition on Resource that holds for the resources matching every word."""
    return Resource.id.in_(matching_ids(query, dialect))


def search_ids(session, query: ParsedQuery) -> Select:
    """The ids of published resources matching ``query`` (for tests and callers)."""
    dialect = session.get_bind().dialect.name
    return select(Resource.id).where(Resource.status == "published", matching(query, dialect))
