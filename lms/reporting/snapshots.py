"""Snapshots for audits: taking them (``lms reports snapshot``) and reading them back.

Taking one runs the real report builders (``dashboard_report``, ``people_report``) for the
whole organisation, as an administrator would see it, and stores what they produced as data
(``models.ReportSnapshot``): typed values, with statuses, "mandatory or voluntary" and
"staff or volunteer" as keys (put into words in the reader's language when downloaded).

Idempotent per organisation and month: an organisation that already has the month's snapshot
is skipped, and the unique key (organisation, period) settles two runs at once: the second
insert fails in its savepoint and is counted as skipped. The job commits after each
organisation, so a run that is stopped half-way keeps what it made and the next run makes
the rest.

Reading: ``SnapshotReport`` renders a stored snapshot with the exports module (the same
``sheets()`` interface as the live reports). It reads nothing but the snapshot row, so later
progress, erased people or changed rules never change a download.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import format_date
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.certification.codes import format_code
from lms.core.db import utcnow
from lms.core.i18n import lazy_gettext as _l
from lms.learning.statuses import (
    COMPLIANCE_STATUSES,
    PROGRESS_STATUSES,
    STATUS_LABELS,
    StatusSettings,
)
from lms.organisations.models import Organisation
from lms.reporting.filters import ReportFilters
from lms.reporting.models import ReportSnapshot
from lms.reporting.reports import (
    KIND_LABELS,
    MANDATORY_LABELS,
    PEOPLE_COLUMNS,
    Column,
    DashboardReport,
    PeopleRow,
    Table,
    dashboard_report,
    people_report,
)

#: Rows of the people table are taken in one page.
ALL_ROWS = 2**31 - 1


@dataclass(frozen=True)
class Everyone:
    """The job's view: every person of the organisation, as an administrator sees them."""

    id: int | None = None
    is_admin: bool = True
    managed_organisation_ids: tuple[int, ...] = ()


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_period(text: str) -> str:
    """``YYYY-MM`` checked (raises ValueError with a message)."""
    try:
        day = date.fromisoformat(f"{text.strip()}-01")
    except ValueError:
        raise ValueError(f"{text!r} is not a month like 2026-12") from None
    return period_of(day)


# Storing -------------------------------------------------------------------------------------

#: The people table's columns as stored: key, kind, and for coded values the vocabulary
#: (``CODES``) that puts them into words when read back.
PEOPLE_FIELDS: tuple[tuple[str, str, str | None], ...] = (
    ("name", "text", None),
    ("login", "text", None),
    ("department", "text", None),
    ("kind", "text", "kind"),
    ("course", "text", None),
    ("course_slug", "text", None),
    ("mandatory", "text", "mandatory"),
    ("due", "date", None),
    ("status", "text", "status"),
    ("compliance", "text", "status"),
    ("percent", "percent", None),
    ("modules", "int", None),
    ("modules_total", "int", None),
    ("last_activity", "datetime", None),
    ("best_score", "percent", None),
    ("certificate", "datetime", None),
    ("certificate_code", "text", None),
)

_READ: dict[str, Callable[[PeopleRow], Any]] = {
    "name": lambda r: r.full_name,
    "login": lambda r: r.login,
    "department": lambda r: r.department or "",
    "kind": lambda r: r.kind,
    "course": lambda r: r.course_title,
    "course_slug": lambda r: r.course_slug,
    "mandatory": lambda r: "mandatory" if r.mandatory else "voluntary",
    "due": lambda r: r.status.due_on,
    "status": lambda r: r.status.progress,
    "compliance": lambda r: r.status.compliance or "",
    "percent": lambda r: r.status.percent,
    "modules": lambda r: r.modules_done,
    "modules_total": lambda r: r.modules_total,
    "last_activity": lambda r: r.last_activity_at,
    "best_score": lambda r: r.best_score,
    "certificate": lambda r: r.certificate.issued_at if r.certificate else None,
    "certificate_code": lambda r: format_code(r.certificate.code) if r.certificate else "",
}


def _plain(value: Any) -> Any:
    """A typed value as JSON: dates and datetimes as ISO 8601 text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _totals(totals) -> dict[str, Any]:
    return {
        "enrolments": totals.enrolments,
        "people": totals.people,
        "progress": dict(totals.progress),
        "mandatory": totals.mandatory,
        "compliance": dict(totals.compliance),
        "at_risk": totals.at_risk,
    }


def dashboard_data(report: DashboardReport) -> dict[str, Any]:
    return {
        "people_in_scope": report.people_in_scope,
        "totals": _totals(report.totals),
        "departments": [
            {"department": d.department, "totals": _totals(d.totals)} for d in report.departments
        ],
        "funnels": [
            {
                "course_slug": f.course_slug,
                "course": f.course_title,
                "enrolled": f.enrolled,
                "steps": [
                    {"module": s.module_id, "title": s.title, "count": s.count} for s in f.steps
                ],
                "completed": f.completed,
                "certified": f.certified,
            }
            for f in report.funnels
        ],
    }


def take_snapshot(
    session: Session,
    organisation: Organisation,
    settings: StatusSettings,
    *,
    period: str,
    generated_at: datetime | None = None,
    language: str = "nl",
) -> ReportSnapshot | None:
    """Store the organisation's reports for ``period``; None when it already has one
    (also when another run stored it at the same moment). Flushes, never commits."""
    exists = session.scalar(
        select(ReportSnapshot.id).where(
            ReportSnapshot.organisation_id == organisation.id, ReportSnapshot.period == period
        )
    )
    if exists is not None:
        return None
    filters = ReportFilters(organisation_id=organisation.id)
    dashboard = dashboard_report(session, Everyone(), filters, settings, language=language)  # type: ignore[arg-type]
    people = people_report(
        session,
        Everyone(),
        filters,
        settings,
        language=language,
        page_size=ALL_ROWS,  # type: ignore[arg-type]
    )
    rows = [
        [_plain(_READ[key](row)) for key, _kind, _codes in PEOPLE_FIELDS]
        for row in people.iter_rows()
    ]
    snapshot = ReportSnapshot(
        organisation_id=organisation.id,
        period=period,
        organisation_name=organisation.name,
        taken_on=settings.today,
        generated_at=generated_at or utcnow(),
        filters={
            "organisation": {"id": organisation.id, "name": organisation.name},
            "today": settings.today.isoformat(),
            "due_soon_days": settings.soon_days,
            "at_risk_below_percent": settings.at_risk_below,
            "language": language,
            "sort": "name",
        },
        dashboard=dashboard_data(dashboard),
        people={
            "columns": [
                {"key": key, "kind": kind, "codes": codes} for key, kind, codes in PEOPLE_FIELDS
            ],
            "rows": rows,
        },
        row_count=len(rows),
    )
    try:
        with session.begin_nested():
            session.add(snapshot)
            session.flush()
    except IntegrityError:
        return None  # another run stored this organisation's month a moment ago
    return snapshot


def run_snapshot_job(
    session: Session,
    settings: StatusSettings,
    *,
    period: str | None = None,
    organisations: Sequence[Organisation] | None = None,
    language: str = "nl",
    commit: bool = True,
    generated_at: datetime | None = None,
) -> tuple[int, int]:
    """Take the month's snapshot of every organisation (the job behind
    ``lms reports snapshot``); commits after each one. Returns (made, skipped)."""
    period = period or period_of(settings.today)
    ids = [o.id for o in organisations] if organisations is not None else None
    query = select(Organisation.id).order_by(Organisation.id)
    if ids is not None:
        query = query.where(Organisation.id.in_(ids))
    made = skipped = 0
    for organisation_id in list(session.scalars(query)):
        organisation = session.get(Organisation, organisation_id)
        if organisation is None:
            continue
        snapshot = take_snapshot(
            session,
            organisation,
            settings,
            period=period,
            language=language,
            generated_at=generated_at,
        )
        if snapshot is None:
            skipped += 1
        else:
            made += 1
        if commit:
            session.commit()
    return made, skipped


# Reading -------------------------------------------------------------------------------------

CODES: dict[str, dict[str, Any]] = {
    "status": STATUS_LABELS,
    "kind": KIND_LABELS,
    "mandatory": {"mandatory": MANDATORY_LABELS[True], "voluntary": MANDATORY_LABELS[False]},
}

#: Words for the stored columns, from the live table where it has them.
_PEOPLE_LABELS: dict[str, Any] = {c.key: c.label for c in PEOPLE_COLUMNS} | {
    "course_slug": _l("Course id"),
}


def _word(codes: str | None, value: Any) -> Any:
    if codes is None or value in (None, ""):
        return value
    label = CODES[codes].get(value)
    return str(label) if label is not None else value


def _typed(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if kind == "datetime" and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def _item(index: int) -> Callable[[Sequence[Any]], Any]:
    return lambda row: row[index]


@dataclass(frozen=True)
class SnapshotReport:
    """A stored snapshot as a report for the exports: four tables (the figures, the
    departments, the modules and the people), the filters and settings it was made with."""

    snapshot: ReportSnapshot

    @property
    def generated_at(self) -> datetime:
        return self.snapshot.generated_at

    @property
    def title(self) -> Any:
        return _l("Snapshot of %(month)s", month=month_name(self.snapshot.period))

    def applied_filters(self) -> list[tuple[Any, str]]:
        stored = self.snapshot.filters
        return [
            (_l("Organisation"), self.snapshot.organisation_name),
            (_l("Month"), month_name(self.snapshot.period)),
            (_l("Statuses on"), format_date(self.snapshot.taken_on, "long")),
            (_l("Due soon: within (days)"), str(stored.get("due_soon_days", ""))),
            (_l("At risk: less done than (%)"), str(stored.get("at_risk_below_percent", ""))),
        ]

    def sheets(self) -> tuple[Table, ...]:
        return (
            self.figures_table(),
            self.departments_table(),
            self.funnel_table(),
            self.people_table(),
        )

    def figures_table(self) -> Table:
        data = self.snapshot.dashboard
        totals = data["totals"]
        rows: list[tuple[Any, int | None]] = [
            (_l("People"), data["people_in_scope"]),
            (_l("Courses followed"), totals["enrolments"]),
        ]
        rows += [(STATUS_LABELS[s], totals["progress"].get(s)) for s in PROGRESS_STATUSES]
        rows.append((_l("Mandatory courses"), totals["mandatory"]))
        rows += [(STATUS_LABELS[s], totals["compliance"].get(s)) for s in COMPLIANCE_STATUSES]
        rows.append((_l("At risk"), totals["at_risk"]))
        columns = (
            Column("figure", _l("Figure"), "text", lambda r: str(r[0]), False, 30),
            Column("number", _l("Number"), "int", _item(1), False),
        )
        return Table("figures", _l("In numbers"), columns, tuple(rows))

    def departments_table(self) -> Table:
        columns = [
            Column(
                "department",
                _l("Department"),
                "text",
                lambda d: (
                    d["department"] if d["department"] is not None else str(_l("No department"))
                ),
                False,
            )
        ]
        columns += [
            Column(s, STATUS_LABELS[s], "int", lambda d, s=s: d["totals"]["progress"].get(s), False)
            for s in PROGRESS_STATUSES
        ]
        columns += [
            Column(
                s, STATUS_LABELS[s], "int", lambda d, s=s: d["totals"]["compliance"].get(s), False
            )
            for s in COMPLIANCE_STATUSES
        ]
        return Table(
            "departments",
            _l("Per department"),
            tuple(columns),
            tuple(self.snapshot.dashboard["departments"]),
        )

    def funnel_table(self) -> Table:
        rows: list[tuple[str, str, int]] = []
        for funnel in self.snapshot.dashboard["funnels"]:
            rows.append((funnel["course"], str(_l("Follow the course")), funnel["enrolled"]))
            rows += [
                (funnel["course"], str(_l("Finished: %(module)s", module=s["title"])), s["count"])
                for s in funnel["steps"]
            ]
            rows.append((funnel["course"], str(_l("Finished the course")), funnel["completed"]))
            rows.append(
                (funnel["course"], str(_l("Hold a valid certificate")), funnel["certified"])
            )
        columns = (
            Column("course", _l("Course"), "text", _item(0), False),
            Column("step", _l("Step"), "text", _item(1), False, 40),
            Column("people", _l("People"), "int", _item(2), False),
        )
        return Table("modules", _l("Per module"), columns, tuple(rows))

    def people_table(self) -> Table:
        stored = self.snapshot.people
        columns = []
        for index, spec in enumerate(stored["columns"]):
            key, kind, codes = spec["key"], spec["kind"], spec.get("codes")
            columns.append(
                Column(
                    key,
                    _PEOPLE_LABELS.get(key, key),
                    kind,
                    lambda row, i=index, k=kind, c=codes: _typed(k, _word(c, row[i])),
                    False,
                )
            )
        return Table("people", _l("People and courses"), tuple(columns), tuple(stored["rows"]))


def month_name(period: str) -> str:
    """``2026-12`` -> "December 2026" in the reader's language."""
    return str(format_date(date.fromisoformat(f"{period}-01"), "MMMM y"))
