"""A page of query results, for lists that can grow long (people, forum threads)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(session: Session, query: Select[Any], page: int, per_page: int = 50) -> Page[Any]:
    """Two queries whatever the size of the table: the count and the page itself."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    # A page past the end shows the last page (a bookmarked list that got shorter).
    page = min(max(page, 1), max(1, math.ceil(total / per_page)))
    items = list(session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, total=total, page=page, per_page=per_page)
