"""The coordinators' reports ("Progress" in the main menu): the dashboard, the people table
and a person's drill-down. Each view builds one report object (``reports.py``) and renders
it; the filters live in the URL (a GET form that works without JavaScript).

The same URL with ``format=csv`` or ``format=xlsx`` added downloads what the page shows
(every matching row, not just the page; ``exports.py``); each download is recorded in the
audit log before it is sent. Another ``format`` is a 400 with a clear message."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.core.auth import role_required
from lms.core.db import db, writes
from lms.core.i18n import current_language
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
from lms.learning.statuses import (
    COMPLIANCE_STATUSES,
    PROGRESS_STATUSES,
    STATUS_LABELS,
    StatusSettings,
)
from lms.reporting import charts, exports
from lms.reporting.filters import MAX_ID, SORT_KEYS, OutOfScope, ReportFilters
from lms.reporting.person import person_report
from lms.reporting.reports import (
    KIND_LABELS,
    MANDATORY_LABELS,
    dashboard_report,
    people_report,
)

bp = Blueprint("reporting", __name__, template_folder="templates")


@bp.before_request
@role_required("manager")
def _only_coordinators() -> None:
    """Coordinators (and administrators) only."""


def _translated(labels: dict) -> dict:
    """The lazy labels translated once for the page (a table shows them on every row)."""
    return {key: str(label) for key, label in labels.items()}


@bp.context_processor
def _labels() -> dict:
    return {
        "status_labels": _translated(STATUS_LABELS),
        "progress_statuses": PROGRESS_STATUSES,
        "compliance_statuses": COMPLIANCE_STATUSES,
        "kind_labels": _translated(KIND_LABELS),
        "mandatory_labels": _translated(MANDATORY_LABELS),
        "sort_keys": SORT_KEYS,
    }


def status_settings() -> StatusSettings:
    return StatusSettings.from_config(current_app.config)


def _filters() -> ReportFilters:
    return ReportFilters.from_args(request.args)


#: ``format=`` values: the renderer of each download.
EXPORTS = {"csv": exports.csv_response, "xlsx": exports.xlsx_response}


class UnknownFormat(Exception):
    pass


def _export_format() -> str | None:
    """The download asked for (None: the page). Raises ``UnknownFormat``."""
    value = request.args.get("format", "").strip().lower()
    if not value:
        return None
    if value not in EXPORTS:
        raise UnknownFormat(value)
    return value


@bp.errorhandler(UnknownFormat)
def _unknown_format(_error: UnknownFormat) -> ResponseReturnValue:
    return (
        render_template(
            "lms/error.html",
            code=400,
            title=_("This download does not exist"),
            explanation=_(
                "Downloads are in CSV or Excel. Go back and use the links Download CSV or "
                "Download Excel on the page."
            ),
        ),
        400,
    )


def _export(report, *, name: str, words: list, format: str, rows: int) -> ResponseReturnValue:
    """Render ``report`` as a download, record it in the audit log and commit."""
    scope = report.scope
    if scope.organisation is not None:
        place = scope.organisation.name
    elif len(scope.organisations) == 1:
        place = scope.organisations[0].name
    else:
        place = str(_l("All my organisations"))
    day = exports.local_day(report.generated_at, current_app.config["LMS_TIMEZONE"])
    filename = exports.export_filename([*words, place], day, format)
    response = EXPORTS[format](report, filename)
    exports.record_export(
        db.session,
        current_user.id,
        report=name,
        format=format,
        filters=report.filters.query_args(page=None),
        rows=rows,
        organisations=scope.organisation_ids,
    )
    db.session.commit()
    return response


def _downloading() -> bool:
    """A download writes its audit row: that request takes the write lock (core.db)."""
    return bool(request.args.get("format"))


@bp.get("/")
@writes(when=_downloading)
def dashboard():
    export = _export_format()
    filters = _filters()
    try:
        report = dashboard_report(
            db.session, current_user, filters, status_settings(), language=current_language()
        )
    except OutOfScope:
        abort(404)
    if export:
        return _export(
            report,
            name="dashboard",
            words=[_("Progress"), _("Overview")],
            format=export,
            rows=report.totals.enrolments,
        )
    return render_template(
        "lms/reporting/dashboard.html",
        report=report,
        filters=filters,
        department_chart=charts.department_chart(report),
        funnel_charts=[charts.funnel_chart(f) for f in report.funnels],
    )


@bp.get("/people")
@writes(when=_downloading)
def people():
    export = _export_format()
    filters = _filters()
    try:
        report = people_report(
            db.session,
            current_user,
            filters,
            status_settings(),
            language=current_language(),
            page_size=int(current_app.config["LMS_REPORT_PAGE_SIZE"]),
        )
    except OutOfScope:
        abort(404)
    if export:
        return _export(
            report, name="people", words=[_("Progress")], format=export, rows=report.page.total
        )
    return render_template("lms/reporting/people.html", report=report, filters=filters)


@bp.get("/people/<id:user_id>")
def person(user_id: int):
    report = (
        person_report(db.session, current_user, user_id, status_settings())
        if user_id <= MAX_ID
        else None
    )
    if report is None:
        abort(404)  # not 403: do not even confirm that the person exists
    return render_template("lms/reporting/person.html", report=report, lang=current_language())
