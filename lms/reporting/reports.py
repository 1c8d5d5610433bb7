"""The coordinators' reports as plain data: one object per page, which every rendering reads.

"Exports = screen": a view builds ONE report object from the URL's filters; the HTML page,
the CSV and XLSX exports and the SVG charts are renderings of that object, so they can never
disagree. The objects:

``PeopleReport`` (the people table)
    ``rows``: the ``PeopleRow`` objects of the current page, sorted; ``iter_rows()``: every
    row that matches the filters, in the same order, unpaginated (for exports, which stream
    them); ``filters`` (``ReportFilters``: what the URL asked, with ``problems``); ``totals``
    (``StatusTotals`` over every matching row, not just the page); ``sort`` (key) and
    ``descending``; ``page`` (``PageInfo``: number, size, total rows, pages); ``scope``
    (``ReportScope``: the organisations, departments and courses the caller may choose);
    ``columns`` (``PEOPLE_COLUMNS``: key, label, kind of value, and how to read it from a
    row); ``generated_at`` (aware UTC); ``applied_filters()``: the filters in force in words,
    as (label, value) pairs, to state at the top of an export.

``DashboardReport`` (the organisation dashboard)
    ``totals`` (``StatusTotals``), ``people_in_scope`` (active people, enrolled or not),
    ``departments`` (``DepartmentCounts``: status counts per department, the numbers behind
    the stacked-bar chart), ``funnels`` (``ModuleFunnel`` per course: how many finished each
    module, the numbers behind the funnel chart), ``filters``, ``scope``, ``generated_at``,
    ``applied_filters()``.

A ``Column``'s ``kind`` tells a renderer how to type a value: "text" (str), "int",
"percent" (an int 0..100, or None), "date" (a ``date`` or None), "datetime" (an aware UTC
``datetime`` or None). Labels are lazy strings: render them inside the request's locale.

How a report is built (``build_rows``): SQL selects the people in scope (from
``people_visible_to``) and their enrolments with the column filters (organisation,
department, kind, search, course, mandatory); the learners' facts are loaded for all of them
at once (visits, completions, one query per activity type, certificates, best scores); the
completion engine and ``learning.statuses`` turn facts into statuses in memory; the status
and due-date filters, the sort and the page are applied to those rows. The number of queries
does not depend on the number of people (``tests/reporting/test_query_counts.py``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.catalog.queries import get_current_course_defs
from lms.catalog.readmodel import CourseDef
from lms.core.db import utcnow
from lms.core.i18n import lazy_gettext as _l
from lms.learning import engine, summary
from lms.learning.queries import load_records_for
from lms.learning.statuses import (
    CERTIFIED,
    COMPLETED,
    COMPLIANCE_STATUSES,
    COMPLIANT,
    OVERDUE,
    PROGRESS_STATUSES,
    STATUS_LABELS,
    CertificateFact,
    EnrolmentStatus,
    StatusSettings,
    Terms,
    due_day,
    load_certificates,
)
from lms.organisations.models import Department, Organisation
from lms.organisations.queries import organisations_visible_to
from lms.reporting import queries
from lms.reporting.filters import OutOfScope, ReportFilters

KIND_LABELS = {"staff": _l("Staff"), "volunteer": _l("Volunteer")}
#: The groups of the plan-prompt experiment (``lms.plans``), as the exports name them.
PLAN_GROUP_LABELS = {"prompt": _l("Saw the plan prompt"), "no_prompt": _l("No plan prompt")}
MANDATORY_LABELS = {True: _l("Mandatory"), False: _l("Voluntary")}


# Scope -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportScope:
    """What the caller may choose from, and what the filters chose."""

    organisations: tuple[Organisation, ...]
    departments: tuple[Department, ...]
    courses: tuple[CourseDef, ...]
    #: The chosen organisation, department and course (None: all of the caller's).
    organisation: Organisation | None = None
    department: Department | None = None
    course: CourseDef | None = None

    @property
    def organisation_ids(self) -> list[int]:
        if self.organisation is not None:
            return [self.organisation.id]
        return [o.id for o in self.organisations]

    @property
    def several_organisations(self) -> bool:
        return len(self.organisations) > 1

    @property
    def organisation_names(self) -> dict[int, str]:
        return {o.id: o.name for o in self.organisations}

    @property
    def place(self) -> str:
        """Where the report looks: the chosen organisation, or all of the caller's."""
        if self.organisation is not None:
            return self.organisation.name
        return ", ".join(o.name for o in self.organisations)


def resolve_scope(session: Session, actor: User, filters: ReportFilters) -> ReportScope:
    """The caller's organisations, departments and courses, and the chosen ones; raises
    ``OutOfScope`` for anything the caller may not see (never widened to "all")."""
    organisations = tuple(session.scalars(organisations_visible_to(actor)))
    by_id = {o.id: o for o in organisations}
    organisation = None
    if filters.organisation_id is not None:
        organisation = by_id.get(filters.organisation_id)  # type: ignore[arg-type]
        if organisation is None:
            raise OutOfScope("organisation")
    departments = tuple(
        queries.departments_of(session, [organisation.id] if organisation else list(by_id))
    )
    department = None
    if filters.department_id is not None:
        department = next((d for d in departments if d.id == filters.department_id), None)
        if department is None:
            raise OutOfScope("department")
    courses = tuple(sorted(get_current_course_defs(session).values(), key=lambda c: c.slug))
    course = None
    if filters.course is not None:
        course = next((c for c in courses if c.slug == filters.course), None)
        if course is None:
            raise OutOfScope("course")
    return ReportScope(organisations, departments, courses, organisation, department, course)


def describe_filters(filters: ReportFilters, scope: ReportScope, language: str) -> list:
    """The filters in force as (label, value) pairs in words, for the top of an export."""
    pairs: list[tuple[Any, str]] = []
    if scope.organisation is not None:
        pairs.append((_l("Organisation"), scope.organisation.name))
    if scope.department is not None:
        pairs.append((_l("Department"), scope.department.name))
    if scope.course is not None:
        pairs.append(
            (
                _l("Course"),
                scope.course.text(scope.course.title, _language(scope.course, language)),
            )
        )
    if filters.status is not None:
        pairs.append((_l("Status"), str(STATUS_LABELS[filters.status])))
    if filters.mandatory is not None:
        pairs.append(
            (
                _l("Mandatory or voluntary"),
                str(MANDATORY_LABELS[filters.mandatory == "mandatory"]),
            )
        )
    if filters.kind is not None:
        pairs.append((_l("Staff or volunteer"), str(KIND_LABELS[filters.kind])))
    if filters.due_within is not None:
        pairs.append((_l("Due within (days)"), str(filters.due_within)))
    if filters.due_before is not None:
        pairs.append((_l("Due on or before"), filters.due_before.isoformat()))
    if filters.search:
        pairs.append((_l("Name or e-mail address"), filters.search))
    return pairs


# Rows --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeopleRow:
    """One person in one course: a row of the people table and of its exports."""

    user_id: int
    full_name: str
    login: str
    kind: str
    organisation_id: int
    organisation: str
    department_id: int | None
    department: str | None
    course_id: int
    course_slug: str
    course_title: str
    enrolled_at: datetime
    #: Statuses from ``learning.statuses`` (progress, percent, compliance, due day...).
    status: EnrolmentStatus
    modules_done: int
    modules_total: int
    #: The modules done, by id (the funnel counts them).
    module_ids_done: frozenset[str]
    last_activity_at: datetime | None
    #: Best score of a submitted test attempt, whole percent; None: no test submitted.
    best_score: int | None
    certificate: CertificateFact | None
    enrolment_id: int | None = None
    #: The plan-prompt experiment's group of the enrolment ("prompt", "no_prompt"; None:
    #: enrolled while no experiment ran).
    plan_group: str | None = None

    @property
    def mandatory(self) -> bool:
        return self.status.mandatory


def _language(course: CourseDef, language: str) -> str:
    return language if language in course.languages else course.default_language


def _percent(score: float | None) -> int | None:
    return None if score is None else int(score * 100 + 1e-9)


def _row_sort_key(key: str) -> Callable[[PeopleRow], Any]:
    progress_order = {s: i for i, s in enumerate(PROGRESS_STATUSES)}
    compliance_order = {s: i for i, s in enumerate(COMPLIANCE_STATUSES)}
    keys: dict[str, Callable[[PeopleRow], Any]] = {
        "name": lambda r: r.full_name.casefold(),
        "organisation": lambda r: r.organisation.casefold(),
        "department": lambda r: (r.department or "").casefold(),
        "kind": lambda r: r.kind,
        "course": lambda r: r.course_title.casefold(),
        "mandatory": lambda r: not r.mandatory,
        "due": lambda r: r.status.due_on,
        "status": lambda r: progress_order[r.status.progress],
        "compliance": lambda r: compliance_order.get(r.status.compliance or ""),
        "percent": lambda r: r.status.percent,
        "modules": lambda r: r.modules_done,
        "last_activity": lambda r: r.last_activity_at,
        "best_score": lambda r: r.best_score,
        "certificate": lambda r: r.certificate.issued_at if r.certificate else None,
    }
    read = keys[key]

    def sort_key(row: PeopleRow) -> tuple:
        value = read(row)
        # Empty values last; ties by name, then course, so the order is stable across pages.
        return (value is None, value if value is not None else 0)

    return sort_key


def sort_rows(rows: list[PeopleRow], key: str, descending: bool) -> list[PeopleRow]:
    rows = sorted(rows, key=lambda r: (r.full_name.casefold(), r.user_id, r.course_title))
    sort_key = _row_sort_key(key)
    present = [r for r in rows if sort_key(r)[0] is False]
    missing = [r for r in rows if sort_key(r)[0] is True]
    present.sort(key=sort_key, reverse=descending)
    return present + missing


def build_rows(
    session: Session,
    actor: User,
    filters: ReportFilters,
    settings: StatusSettings,
    *,
    language: str,
    scope: ReportScope | None = None,
    with_scores: bool = True,
) -> tuple[ReportScope, list[PeopleRow], int]:
    """(scope, the rows matching every filter (unsorted), active people in scope)."""
    scope = scope or resolve_scope(session, actor, filters)
    people = queries.people_in_scope(
        actor,
        scope.organisation_ids,
        department_id=scope.department.id if scope.department else None,
        kind=filters.kind,
        search=filters.search,
    )
    people_count = queries.count_people(session, people)
    enrolments = queries.enrolment_rows(
        session,
        people,
        course_id=scope.course.course_id if scope.course else None,
        mandatory=None if filters.mandatory is None else filters.mandatory == "mandatory",
    )
    courses = {c.course_id: c for c in scope.courses}
    course_ids = sorted({e.course_id for e in enrolments if e.course_id in courses})
    wanted = {cid: courses[cid] for cid in course_ids}
    people_ids = queries.ids_of(people)
    # The stored progress summaries for the course's current version; the engine computes
    # the others (NULL or outdated), from the records of those people only.
    summaries = {}
    for e in enrolments:
        course = wanted.get(e.course_id)
        stored = summary.current_for(e, course) if course is not None else None
        if stored is not None:
            summaries[(e.user_id, e.course_id)] = stored
    missing = sorted(
        {e.user_id for e in enrolments if e.course_id in wanted}
        - {user_id for user_id, _ in summaries}
    )
    if not missing:
        records = {}
    else:
        # Few people: their ids; more: the scope's SELECT (as fast at 200 people, measured).
        who = missing if len(missing) <= 50 else people_ids
        records = load_records_for(session, who, course_ids, wanted)
    certificates = load_certificates(session, people_ids, course_ids)
    scores = queries.best_scores(session, people, course_ids) if with_scores else {}
    rows = []
    empty = engine.LearnerRecords()
    for e in enrolments:
        course = wanted.get(e.course_id)
        if course is None:  # a course without a current version: nothing to measure
            continue
        key = (e.user_id, e.course_id)
        found = summaries.get(key)
        if found is None:
            learner = records.get(key, empty)
            found = summary.of(engine.compute(course, learner, lessons=False), learner)
        certificate = certificates.get(key)
        status = settings.status(
            found.course_state, Terms(e.mandatory, due_day(e.due_at), e.renews), certificate
        )
        done = found.modules_done
        moments = [found.last_completion_at] if found.last_completion_at is not None else []
        if e.last_activity_at is not None:
            moments.append(e.last_activity_at)
        rows.append(
            PeopleRow(
                user_id=e.user_id,
                full_name=e.full_name,
                login=e.login or "",
                kind=e.kind,
                organisation_id=e.organisation_id,
                organisation=e.organisation,
                department_id=e.department_id,
                department=e.department,
                course_id=e.course_id,
                course_slug=course.slug,
                course_title=course.text(course.title, _language(course, language)),
                enrolled_at=e.enrolled_at,
                status=status,
                modules_done=len(done),
                modules_total=len(course.modules),
                module_ids_done=done,
                last_activity_at=max(moments) if moments else None,
                best_score=_percent(scores.get(key)),
                certificate=certificate,
                enrolment_id=e.enrolment_id,
                plan_group=e.plan_group,
            )
        )
    return scope, [r for r in rows if _matches(r, filters, settings.today)], people_count


def _matches(row: PeopleRow, filters: ReportFilters, today: date) -> bool:
    status = row.status
    if filters.status is not None and filters.status not in (status.progress, status.compliance):
        return False
    if filters.due_within is not None or filters.due_before is not None:
        if status.due_on is None or status.compliance == COMPLIANT:
            return False
        if filters.due_within is not None and not (
            today <= status.due_on <= today + timedelta(days=filters.due_within)
        ):
            return False
        if filters.due_before is not None and status.due_on > filters.due_before:
            return False
    return True


# Totals ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusTotals:
    """Counts of rows by status (one row = one person in one course)."""

    enrolments: int
    people: int
    #: By progress status, every key of ``PROGRESS_STATUSES`` present.
    progress: Mapping[str, int]
    mandatory: int
    #: Mandatory rows by compliance status, every key of ``COMPLIANCE_STATUSES`` present.
    compliance: Mapping[str, int]
    at_risk: int

    @property
    def compliance_rate(self) -> float | None:
        """Compliant / mandatory (None without mandatory rows)."""
        return self.compliance[COMPLIANT] / self.mandatory if self.mandatory else None

    @property
    def compliance_percent(self) -> int | None:
        rate = self.compliance_rate
        return None if rate is None else int(rate * 100 + 1e-9)

    @classmethod
    def of(cls, rows: Sequence[PeopleRow]) -> StatusTotals:
        progress = Counter(r.status.progress for r in rows)
        compliance = Counter(r.status.compliance for r in rows if r.status.compliance)
        return cls(
            enrolments=len(rows),
            people=len({r.user_id for r in rows}),
            progress={s: progress.get(s, 0) for s in PROGRESS_STATUSES},
            mandatory=sum(1 for r in rows if r.mandatory),
            compliance={s: compliance.get(s, 0) for s in COMPLIANCE_STATUSES},
            at_risk=sum(1 for r in rows if r.status.at_risk),
        )


# The people table --------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a report table: how to read, type and label its value."""

    key: str
    label: Any
    kind: str  # "text", "int", "percent", "date", "datetime"
    read: Callable[[Any], Any]
    sortable: bool = True
    #: A spreadsheet column width in characters (None: from the kind and the label).
    width: int | None = None


@dataclass(frozen=True)
class Table:
    """A titled table of typed columns: one sheet (XLSX) or section (CSV) of an export.
    It has the same reading interface as ``PeopleReport``: ``columns``, ``iter_rows()``,
    ``values(row)``."""

    key: str
    title: Any
    columns: tuple[Column, ...]
    rows: tuple[Any, ...]

    def iter_rows(self) -> Iterator[Any]:
        yield from self.rows

    def values(self, row: Any) -> list[Any]:
        return [column.read(row) for column in self.columns]


def _item(index: int) -> Callable[[Sequence[Any]], Any]:
    return lambda row: row[index]


PEOPLE_COLUMNS: tuple[Column, ...] = (
    Column("name", _l("Name"), "text", lambda r: r.full_name, width=28),
    Column("login", _l("E-mail address or username"), "text", lambda r: r.login, False, 32),
    Column("organisation", _l("Organisation"), "text", lambda r: r.organisation),
    Column("department", _l("Department"), "text", lambda r: r.department or ""),
    Column("kind", _l("Staff or volunteer"), "text", lambda r: str(KIND_LABELS[r.kind])),
    Column("course", _l("Course"), "text", lambda r: r.course_title),
    Column(
        "mandatory",
        _l("Mandatory or voluntary"),
        "text",
        lambda r: str(MANDATORY_LABELS[r.mandatory]),
    ),
    Column("due", _l("Due date"), "date", lambda r: r.status.due_on),
    Column("status", _l("Status"), "text", lambda r: str(STATUS_LABELS[r.status.progress])),
    Column(
        "compliance",
        _l("Deadline"),
        "text",
        lambda r: str(STATUS_LABELS[r.status.compliance]) if r.status.compliance else "",
    ),
    Column("percent", _l("Progress"), "percent", lambda r: r.status.percent),
    Column("modules", _l("Modules completed"), "int", lambda r: r.modules_done),
    Column("modules_total", _l("Modules in the course"), "int", lambda r: r.modules_total, False),
    Column("last_activity", _l("Last activity"), "datetime", lambda r: r.last_activity_at),
    Column("best_score", _l("Best test score"), "percent", lambda r: r.best_score),
    Column(
        "certificate",
        _l("Certificate issued on"),
        "datetime",
        lambda r: r.certificate.issued_at if r.certificate else None,
    ),
    Column(
        "certificate_code",
        _l("Certificate code"),
        "text",
        lambda r: _display_code(r.certificate.code) if r.certificate else "",
        False,
    ),
    Column(
        "plan_group",
        _l("Plan prompt experiment"),
        "text",
        lambda r: str(PLAN_GROUP_LABELS[r.plan_group]) if r.plan_group else "",
        False,
    ),
)


def _display_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@dataclass(frozen=True)
class PageInfo:
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        """1-based position of the page's first row (0 when empty)."""
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.number * self.size, self.total)


@dataclass(frozen=True)
class PeopleReport:
    """The people table: see the module docstring for every field."""

    filters: ReportFilters
    scope: ReportScope
    rows: tuple[PeopleRow, ...]
    totals: StatusTotals
    sort: str
    descending: bool
    page: PageInfo
    generated_at: datetime
    people_in_scope: int
    columns: tuple[Column, ...] = PEOPLE_COLUMNS
    _all_rows: tuple[PeopleRow, ...] = field(default=(), repr=False)
    #: The language of course titles and labels (the request's).
    language: str = "nl"

    def iter_rows(self) -> Iterator[PeopleRow]:
        """Every row matching the filters, in the table's order, without pages."""
        yield from self._all_rows

    def values(self, row: PeopleRow) -> list[Any]:
        """The row's typed values in ``columns`` order (for exports)."""
        return [column.read(row) for column in self.columns]

    def applied_filters(self) -> list[tuple[Any, str]]:
        """The filters in force, in words (label, value), to state in an export."""
        return describe_filters(self.filters, self.scope, self.language)

    @property
    def title(self) -> str:
        """The report's name and place, to state in an export."""
        return f"{_l('People and courses')}: {self.scope.place}"

    def applied_order(self) -> str:
        """The order of the rows in words, to state in an export."""
        label = next(c.label for c in self.columns if c.key == self.sort)
        if self.descending:
            return str(_l("%(column)s, descending", column=label))
        return str(_l("%(column)s, ascending", column=label))


def people_report(
    session: Session,
    actor: User,
    filters: ReportFilters,
    settings: StatusSettings,
    *,
    language: str,
    page_size: int = 50,
) -> PeopleReport:
    """Build the people table. A page beyond the end shows the last page."""
    scope, rows, people_count = build_rows(session, actor, filters, settings, language=language)
    ordered = tuple(sort_rows(rows, filters.sort, filters.descending))
    pages = max(1, math.ceil(len(ordered) / page_size))
    number = min(filters.page, pages)
    start = (number - 1) * page_size
    return PeopleReport(
        filters=filters,
        scope=scope,
        rows=ordered[start : start + page_size],
        totals=StatusTotals.of(ordered),
        sort=filters.sort,
        descending=filters.descending,
        page=PageInfo(number, page_size, len(ordered)),
        generated_at=utcnow(),
        people_in_scope=people_count,
        _all_rows=ordered,
        language=language,
    )


# The dashboard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentCounts:
    """Status counts of one department (``department_id`` None: people without one)."""

    organisation_id: int
    organisation: str
    department_id: int | None
    department: str | None
    totals: StatusTotals


@dataclass(frozen=True)
class FunnelStep:
    module_id: str
    title: str
    #: People in the course who finished this module.
    count: int


@dataclass(frozen=True)
class ModuleFunnel:
    """Per course: how many are enrolled, finished each module, completed, are certified."""

    course_id: int
    course_slug: str
    course_title: str
    enrolled: int
    steps: tuple[FunnelStep, ...]
    completed: int
    certified: int


@dataclass(frozen=True)
class DashboardReport:
    """The organisation dashboard: see the module docstring for every field."""

    filters: ReportFilters
    scope: ReportScope
    totals: StatusTotals
    people_in_scope: int
    departments: tuple[DepartmentCounts, ...]
    funnels: tuple[ModuleFunnel, ...]
    generated_at: datetime
    language: str = "nl"

    def applied_filters(self) -> list[tuple[Any, str]]:
        """The filters in force, in words (label, value), to state in an export."""
        return describe_filters(self.filters, self.scope, self.language)

    @property
    def title(self) -> str:
        """The report's name and place, to state in an export."""
        return f"{_l('Progress')}: {self.scope.place}"

    def sheets(self) -> tuple[Table, ...]:
        """The dashboard as three tables (the figures, per department, per module), each a
        sheet of the XLSX export and a section of the CSV export."""
        return (self.figures_table(), self.departments_table(), self.funnel_table())

    def figures_table(self) -> Table:
        totals = self.totals
        rows: list[tuple[Any, int, int | None]] = [
            (_l("People"), self.people_in_scope, None),
            (_l("Courses followed"), totals.enrolments, None),
        ]
        rows += [(STATUS_LABELS[s], totals.progress[s], None) for s in PROGRESS_STATUSES]
        rows.append((_l("Mandatory courses"), totals.mandatory, None))
        rows += [
            (
                STATUS_LABELS[s],
                totals.compliance[s],
                totals.compliance_percent if s == COMPLIANT else None,
            )
            for s in COMPLIANCE_STATUSES
        ]
        rows.append((_l("At risk"), totals.at_risk, None))
        columns = (
            Column("figure", _l("Figure"), "text", lambda r: str(r[0]), width=30),
            Column("number", _l("Number"), "int", _item(1)),
            Column("percent", _l("Percentage"), "percent", _item(2)),
        )
        return Table("figures", _l("In numbers"), columns, tuple(rows))

    def departments_table(self) -> Table:
        columns = [
            Column("organisation", _l("Organisation"), "text", lambda d: d.organisation),
            Column(
                "department",
                _l("Department"),
                "text",
                lambda d: d.department if d.department is not None else str(_l("No department")),
            ),
        ]
        columns += [
            Column(s, STATUS_LABELS[s], "int", lambda d, s=s: d.totals.progress[s])
            for s in PROGRESS_STATUSES
        ]
        columns += [
            Column(OVERDUE, STATUS_LABELS[OVERDUE], "int", lambda d: d.totals.compliance[OVERDUE]),
            Column(
                "compliant_percent",
                _l("Mandatory in order"),
                "percent",
                lambda d: d.totals.compliance_percent,
            ),
        ]
        return Table("departments", _l("Per department"), tuple(columns), self.departments)

    def funnel_table(self) -> Table:
        rows: list[tuple[str, str, str, int, int | None]] = []
        for funnel in self.funnels:
            for key, step, count in funnel_steps(funnel):
                rows.append((funnel.course_title, key, step, count, share(count, funnel.enrolled)))
        columns = (
            Column("course", _l("Course"), "text", _item(0)),
            Column("step", _l("Step"), "text", _item(2), width=40),
            Column("people", _l("People"), "int", _item(3)),
            Column("share", _l("Share of those who follow the course"), "percent", _item(4)),
        )
        return Table("modules", _l("Per module"), columns, tuple(rows))


def share(part: int, whole: int) -> int | None:
    """``part`` as a whole percentage of ``whole``, rounded down (None when ``whole`` is 0),
    as the dashboard shows it."""
    return part * 100 // whole if whole else None


def funnel_steps(funnel: ModuleFunnel) -> list[tuple[str, str, int]]:
    """The funnel's steps in order as (key, label in words, people): following the course,
    each module finished, the course finished, a valid certificate."""
    steps = [("enrolled", str(_l("Follow the course")), funnel.enrolled)]
    steps += [
        (step.module_id, str(_l("Finished: %(module)s", module=step.title)), step.count)
        for step in funnel.steps
    ]
    steps.append(("completed", str(_l("Finished the course")), funnel.completed))
    steps.append(("certified", str(_l("Hold a valid certificate")), funnel.certified))
    return steps


def dashboard_report(
    session: Session,
    actor: User,
    filters: ReportFilters,
    settings: StatusSettings,
    *,
    language: str,
) -> DashboardReport:
    scope, rows, people_count = build_rows(
        session, actor, filters, settings, language=language, with_scores=False
    )
    return DashboardReport(
        filters=filters,
        scope=scope,
        totals=StatusTotals.of(rows),
        people_in_scope=people_count,
        departments=_department_counts(scope, rows),
        funnels=_funnels(scope, rows, language),
        generated_at=utcnow(),
        language=language,
    )


def _department_counts(scope: ReportScope, rows: list[PeopleRow]) -> tuple[DepartmentCounts, ...]:
    grouped: dict[tuple[int, int | None], list[PeopleRow]] = {}
    for row in rows:
        grouped.setdefault((row.organisation_id, row.department_id), []).append(row)
    names = {o.id: o.name for o in scope.organisations}
    result = []
    departments = [d for d in scope.departments if scope.department in (None, d)]
    for department in departments:
        result.append(
            DepartmentCounts(
                department.organisation_id,
                names.get(department.organisation_id, ""),
                department.id,
                department.name,
                StatusTotals.of(grouped.pop((department.organisation_id, department.id), [])),
            )
        )
    for (organisation_id, _none), group in sorted(grouped.items(), key=lambda kv: kv[0][0]):
        result.append(
            DepartmentCounts(
                organisation_id, names.get(organisation_id, ""), None, None, StatusTotals.of(group)
            )
        )
    return tuple(result)


def _funnels(scope: ReportScope, rows: list[PeopleRow], language: str) -> tuple[ModuleFunnel, ...]:
    by_course: dict[int, list[PeopleRow]] = {}
    for row in rows:
        by_course.setdefault(row.course_id, []).append(row)
    funnels = []
    for course in scope.courses:
        group = by_course.get(course.course_id)
        if not group:
            continue
        lang = _language(course, language)
        steps = tuple(
            FunnelStep(
                module.id,
                course.text(module.title, lang),
                sum(1 for r in group if module.id in r.module_ids_done),
            )
            for module in course.modules
        )
        funnels.append(
            ModuleFunnel(
                course_id=course.course_id,
                course_slug=course.slug,
                course_title=course.text(course.title, lang),
                enrolled=len(group),
                steps=steps,
                completed=sum(1 for r in group if r.status.progress in (COMPLETED, CERTIFIED)),
                certified=sum(1 for r in group if r.status.progress == CERTIFIED),
            )
        )
    return tuple(funnels)
