"""The coordinators' reports ("Progress" in the main menu): the dashboard, the people table
and a person's drill-down. Each view builds one report object (``reports.py``) and renders
it; the filters live in the URL (a GET form that works without JavaScript)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from lms.core.auth import role_required
from lms.core.db import db
from lms.core.i18n import current_language
from lms.learning.statuses import (
    COMPLIANCE_STATUSES,
    PROGRESS_STATUSES,
    STATUS_LABELS,
    StatusSettings,
)
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


@bp.context_processor
def _labels() -> dict:
    return {
        "status_labels": STATUS_LABELS,
        "progress_statuses": PROGRESS_STATUSES,
        "compliance_statuses": COMPLIANCE_STATUSES,
        "kind_labels": KIND_LABELS,
        "mandatory_labels": MANDATORY_LABELS,
        "sort_keys": SORT_KEYS,
    }


def status_settings() -> StatusSettings:
    return StatusSettings.from_config(current_app.config)


def _filters() -> ReportFilters:
    return ReportFilters.from_args(request.args)


@bp.get("/")
def dashboard():
    filters = _filters()
    try:
        report = dashboard_report(
            db.session, current_user, filters, status_settings(), language=current_language()
        )
    except OutOfScope:
        abort(404)
    return render_template("lms/reporting/dashboard.html", report=report, filters=filters)


@bp.get("/people")
def people():
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
