"""Integers from the outside world: ids in URLs, page numbers and ids in query strings.

Every id column is at most a 32-bit signed integer on PostgreSQL (``integer``) and 64-bit on
SQLite; a larger number can name nothing. Instead of letting such a number reach the database
(SQLite raises ``OverflowError`` for values past 64 bits), the ``id`` URL converter refuses it
(so the route answers 404) and :func:`int_arg` treats it like any other invalid value.
"""

from __future__ import annotations

from flask import request
from werkzeug.routing import IntegerConverter

#: The largest value any id column can hold on every supported database (PostgreSQL integer).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<id:name>``: a positive integer that fits an id column; anything else is a 404."""

    def __init__(self, map, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, **kwargs)


def parse_int(raw: str | None, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """The integer in ``raw`` if it is a plain decimal number within the bounds, else None."""
    if raw is None:
        return None
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > len(str(maximum)):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def int_arg(name: str, default: int | None = None, *, maximum: int = MAX_ID) -> int | None:
    """A positive integer from the query string; ``default`` when missing or invalid."""
    value = parse_int(request.args.get(name), maximum=maximum)
    return default if value is None else value


def page_arg(name: str = "page") -> int:
    """A page number from the query string: 1 when missing or invalid. A page past the end is
    clamped by :func:`lms.core.pagination.paginate` to the last page."""
    return int_arg(name, 1) or 1


def int_form(name: str) -> int | None:
    """A positive id from the posted form, or None when missing or invalid."""
    return parse_int(request.form.get(name))
