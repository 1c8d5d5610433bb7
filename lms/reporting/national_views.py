"""The administrator's national overview ("Progress" > "National overview", admins only).

One report object (``overview.NationalOverview``) for the page, its CSV and Excel downloads
(``format=csv`` / ``format=xlsx`` on the same URL, recorded in the audit log) and its charts.
A coordinator gets 403: the overview shows every organisation's figures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel.numbers import format_decimal
from flask import Blueprint, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy.orm import Session

from lms.core.auth import admin_required
from lms.core.db import db, writes
from lms.core.i18n import current_language
from lms.core.i18n import gettext as _
from lms.learning.statuses import local_today
from lms.organisations.models import LEVEL_LABELS, LEVELS
from lms.reporting import exports
from lms.reporting.filters import OutOfScope
from lms.reporting.overview import (
    SORT_KEYS,
    NationalOverview,
    OverviewFilters,
    national_overview,
)
from lms.reporting.reports import KIND_LABELS
from lms.reporting.target_chart import target_chart
from lms.reporting.targets import parse_targets
from lms.reporting.views import EXPORTS, UnknownFormat, _export_format, _unknown_format

bp = Blueprint("national", __name__, template_folder="templates")
bp.register_error_handler(UnknownFormat, _unknown_format)


@bp.before_request
@admin_required
def _only_admins() -> None:
    """Administrators only (a coordinator gets 403)."""


def build_overview(session: Session, args) -> NationalOverview:
    config = current_app.config
    targets, problems = parse_targets(config.get("LMS_TARGETS"))
    return national_overview(
        session,
        OverviewFilters.from_args(args),
        today=local_today(config["LMS_TIMEZONE"]),
        targets=targets,
        target_problems=problems,
        language=current_language(),
        timezone=config["LMS_TIMEZONE"],
    )


@bp.get("/")
@writes  # a download records itself in the audit log
def overview() -> ResponseReturnValue:
    export = _export_format()
    try:
        report = build_overview(db.session, request.args)
    except OutOfScope:
        abort(404)
    if export:
        day = exports.local_day(report.generated_at, current_app.config["LMS_TIMEZONE"])
        filename = exports.export_filename([_("National overview")], day, export)
        response = EXPORTS[export](report, filename)
        exports.record_export(
            db.session,
            current_user.id,
            report="national",
            format=export,
            filters=report.filters.query_args(),
            rows=len(report.rows),
            organisations=[row.organisation_id for row in report.rows],
        )
        db.session.commit()
        return response
    return render_template(
        "lms/reporting/national.html",
        report=report,
        filters=report.filters,
        charts=[target_chart(progress) for progress in report.targets],
        levels=LEVELS,
        level_labels=LEVEL_LABELS,
        kind_labels=KIND_LABELS,
        sort_keys=SORT_KEYS,
        number=_number_formatter(),
    )


def _number_formatter():
    """Numbers as the reader writes them (10.000 in Dutch), the locale looked up once."""
    return number_formatter(get_locale())


def number_formatter(locale) -> Callable[[Any], str]:
    """``format_decimal(value, locale=locale)``, fast for whole numbers: the page shows
    thousands of counts, and Babel's formatting was half of its time. A whole number is
    grouped by threes with the locale's separator, read from Babel's own rendering of one
    number; a locale whose rendering is not that simple shape, a negative number or a
    fraction go to Babel (``tests/reporting/test_overview.py`` compares the two)."""
    sample = format_decimal(1234567, locale=locale)
    separator = sample[1 : 1 + (len(sample) - 7) // 2]
    simple = (
        separator.strip("0123456789") != ""
        and sample == f"1{separator}234{separator}567"
        and format_decimal(1234, locale=locale) == f"1{separator}234"
        and format_decimal(999, locale=locale) == "999"
    )
    if not simple:
        return lambda value: format_decimal(value, locale=locale)

    def number(value: Any) -> str:
        if type(value) is int and value >= 0:
            return f"{value:,}".replace(",", separator) if value >= 1000 else str(value)
        return format_decimal(value, locale=locale)

    return number
