"""The audit log pages: browse and filter with pages, download as CSV or XLSX."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from lms.auditlog import labels, queries
from lms.core.auth import role_required
from lms.core.db import db, writes
from lms.core.i18n import lazy_gettext as _l
from lms.core.navigation import MenuEntry, register_menu_entry
from lms.core.pagination import paginate
from lms.core.params import page_arg
from lms.reporting import exports

bp = Blueprint("auditlog", __name__, template_folder="templates")

EXPORTS = {"csv": exports.csv_response, "xlsx": exports.xlsx_response}

register_menu_entry(
    MenuEntry(
        "lms.auditlog.index",
        lambda: str(_l("Audit log")),
        lambda user: user.is_admin or bool(user.managed_organisation_ids),
    )
)


def _downloading() -> bool:
    """A download writes its own audit entry: that request takes the write lock."""
    return bool(request.args.get("format"))


@bp.get("/")
@role_required("manager")
@writes(when=_downloading)
def index():
    export = request.args.get("format")
    if export is not None and export not in EXPORTS:
        abort(404)
    filters = queries.read_filters(request.args)
    timezone = current_app.config["LMS_TIMEZONE"]
    query = queries.filtered(current_user, filters, timezone)
    if filters.errors:
        return render_template(
            "lms/auditlog/index.html",
            filters=filters,
            page=None,
            names={},
            **_choices_and_helpers(),
        ), 400
    if export:
        rows = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        report = queries.AuditReport(db.session, query, filters)
        day = exports.local_day(report.generated_at, timezone)
        filename = exports.export_filename([str(_l("Audit log"))], day, export)
        response = EXPORTS[export](report, filename)
        exports.record_export(
            db.session,
            current_user.id,
            report="audit_log",
            format=export,
            filters=filters.args(),
            rows=rows or 0,
            organisations=[]
            if current_user.is_admin
            else sorted(current_user.managed_organisation_ids),
        )
        db.session.commit()
        # The rows are read while the body is sent, in a new transaction: a read one, so
        # that a long download never holds SQLite's write lock.
        g._lms_write_intent = False
        return response
    page = paginate(db.session, query, page_arg(), current_app.config["LMS_AUDIT_PAGE_SIZE"])
    return render_template(
        "lms/auditlog/index.html",
        filters=filters,
        page=page,
        names=queries.names_on_page(db.session, page.items),
        **_choices_and_helpers(),
    )


def _choices_and_helpers() -> dict[str, Any]:
    """The filter's choices (code and label, in the order of the labels) and the helpers the
    template names entries with."""
    return {
        "actions": labels.by_label(
            queries.action_names(db.session, current_user), labels.action_label
        ),
        "target_types": labels.by_label(
            queries.target_types(db.session, current_user), labels.target_label
        ),
        "action_label": labels.action_label,
        "target_label": labels.target_label,
        "detail_items": labels.detail_items,
    }
