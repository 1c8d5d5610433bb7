"""The filters, sort and page of a report, read from the URL (so a view can be bookmarked).

``ReportFilters.from_args(request.args)`` never fails: a value it cannot use is left out and
explained in ``problems`` (shown at the top of the page), so bad input gets a clear message
and a sensible default. Filters that name something (an organisation, a department, a
course) are checked against the caller's scope by the report builder: anything the caller
may not see is refused with ``OutOfScope`` (the view answers 404), never widened to "all".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from lms.accounts.models import PERSON_KINDS
from lms.core.i18n import lazy_gettext as _l
from lms.learning.statuses import COMPLIANCE_STATUSES, PROGRESS_STATUSES

#: The largest id a database integer column holds (PostgreSQL bigint, SQLite INTEGER).
MAX_ID = 2**63 - 1
#: "Due within N days" accepts 0..this.
MAX_DAYS = 3650

STATUSES = PROGRESS_STATUSES + COMPLIANCE_STATUSES
MANDATORY_CHOICES = ("mandatory", "voluntary")

#: Sortable columns of the people table (``sort=`` values), in the order they are shown.
SORT_KEYS = (
    "name",
    "organisation",
    "department",
    "kind",
    "course",
    "mandatory",
    "due",
    "status",
    "compliance",
    "percent",
    "modules",
    "last_activity",
    "best_score",
    "certificate",
)
DEFAULT_SORT = "name"


class OutOfScope(LookupError):
    """A filter names an organisation, department or course the caller may not see (or that
    does not exist): the view answers 404."""


@dataclass(frozen=True)
class FilterProblem:
    """A value in the URL that could not be used; ``field`` is the form field's id."""

    field: str
    message: str


class ArgReader:
    """Reads filter values from the URL arguments and collects a ``FilterProblem`` for each
    value that cannot be used (the view then shows the problem and the fallback)."""

    def __init__(self, args: Mapping[str, str]) -> None:
        self.args = args
        self.problems: list[FilterProblem] = []

    def text(self, name: str) -> str:
        return (self.args.get(name) or "").strip()

    def choice(self, name: str, allowed: Collection[str], message: Any, default: Any = None):
        """The value of ``name`` if it is one of ``allowed``; else ``default``, with a
        problem (an empty value is simply the default)."""
        value = self.text(name)
        if not value:
            return default
        if value not in allowed:
            self.problems.append(FilterProblem(name, message))
            return default
        return value

    def order(self) -> bool:
        """True for a descending sort (``order=desc``)."""
        return (
            self.choice("order", ("asc", "desc"), _l("Unknown sort order. Sorted from A to Z."))
            == "desc"
        )


def parse_id(raw: str | None) -> int | str | None:
    """An id from the URL: None when absent, the int, or the string "invalid"."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        return "invalid"
    value = int(raw)
    return value if 0 < value <= MAX_ID else "invalid"


@dataclass(frozen=True)
class ReportFilters:
    """What a report shows: the filters, the sort and the page, all from the URL.

    ``organisation_id`` / ``department_id``: an id, None (all of the caller's), or
    ``"invalid"`` (malformed or out of range: refused like a foreign id). ``course``: a course
    slug. ``status``: one of ``STATUSES``. ``mandatory``: "mandatory" or "voluntary".
    ``due_within``: days from today (0: today). ``due_before``: a date. ``kind``: "staff" or
    "volunteer". ``search``: part of a name or e-mail address.
    """

    organisation_id: int | str | None = None
    department_id: int | str | None = None
    course: str | None = None
    status: str | None = None
    mandatory: str | None = None
    due_within: int | None = None
    due_before: date | None = None
    kind: str | None = None
    search: str = ""
    sort: str = DEFAULT_SORT
    descending: bool = False
    page: int = 1
    problems: tuple[FilterProblem, ...] = field(default=(), compare=False)

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ReportFilters:
        read = ArgReader(args)
        get, problems = read.text, read.problems
        status = read.choice("status", STATUSES, _l("Unknown status. All statuses are shown."))
        mandatory = read.choice(
            "mandatory", MANDATORY_CHOICES, _l("Choose mandatory or voluntary. Both are shown.")
        )
        kind = read.choice(
            "kind", PERSON_KINDS, _l("Choose staff or volunteers. Everyone is shown.")
        )
        due_within = None
        if get("due_within"):
            raw = get("due_within")
            if raw.isdigit() and int(raw) <= MAX_DAYS:
                due_within = int(raw)
            else:
                problems.append(
                    FilterProblem(
                        "due_within",
                        _l(
                            "Give a number of days from 0 to %(max)d. The filter was not used.",
                            max=MAX_DAYS,
                        ),
                    )
                )
        due_before = None
        if get("due_before"):
            try:
                due_before = date.fromisoformat(get("due_before"))
            except ValueError:
                problems.append(
                    FilterProblem(
                        "due_before",
                        _l("Give a real date, for example 2027-06-30. The filter was not used."),
                    )
                )
        sort = read.choice(
            "sort", SORT_KEYS, _l("This column cannot be sorted. Sorted by name."), DEFAULT_SORT
        )
        descending = read.order()
        page = 1
        if get("page"):
            raw = get("page")
            if raw.isdigit() and 0 < len(raw) <= 9 and int(raw) > 0:
                page = int(raw)
            else:
                problems.append(FilterProblem("page", _l("Unknown page. The first page is shown.")))
        return cls(
            organisation_id=parse_id(args.get("organisation")),
            department_id=parse_id(args.get("department")),
            course=get("course") or None,
            status=status,
            mandatory=mandatory,
            due_within=due_within,
            due_before=due_before,
            kind=kind,
            search=get("q")[:200],
            sort=sort,
            descending=descending,
            page=page,
            problems=tuple(problems),
        )

    def with_page(self, page: int) -> ReportFilters:
        return replace(self, page=page)

    def query_args(self, **changes: object) -> dict[str, object]:
        """The URL arguments that give this view again (with ``changes``), for links:
        pagination, sorting, exports. Defaults are left out to keep URLs short."""
        args: dict[str, object] = {
            "organisation": self.organisation_id if isinstance(self.organisation_id, int) else None,
            "department": self.department_id if isinstance(self.department_id, int) else None,
            "course": self.course,
            "status": self.status,
            "mandatory": self.mandatory,
            "due_within": self.due_within,
            "due_before": self.due_before.isoformat() if self.due_before else None,
            "kind": self.kind,
            "q": self.search or None,
            "sort": self.sort if self.sort != DEFAULT_SORT else None,
            "order": "desc" if self.descending else None,
            "page": self.page if self.page != 1 else None,
        }
        args.update(changes)
        return {key: value for key, value in args.items() if value not in (None, "")}

    def sort_args(self, key: str) -> dict[str, object]:
        """Arguments of the link on a column header: sort by ``key``, or reverse it."""
        descending = not self.descending if key == self.sort else False
        return self.query_args(
            sort=key if key != DEFAULT_SORT else None,
            order="desc" if descending else None,
            page=None,
        )

    def aria_sort(self, key: str) -> str:
        if key != self.sort:
            return "none"
        return "descending" if self.descending else "ascending"
