"""Snapshots for audits ("Progress" > "Snapshots"): the list of a coordinator's snapshots, one
snapshot's figures as they were, and its CSV and Excel downloads.

A coordinator sees the snapshots of her own organisations only (``organisations_visible_to``);
any other id, or one that does not exist, is a 404. A download renders the stored data
(``snapshots.SnapshotReport``) with the exports module and is recorded in the audit log.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import defer

from lms.core.auth import role_required
from lms.core.db import db, writes
from lms.core.i18n import gettext as _
from lms.core.pagination import paginate
from lms.core.params import page_arg
from lms.learning.statuses import COMPLIANCE_STATUSES, PROGRESS_STATUSES, STATUS_LABELS
from lms.organisations.models import Organisation
from lms.organisations.queries import organisations_visible_to
from lms.reporting import exports
from lms.reporting.models import ReportSnapshot
from lms.reporting.snapshots import SnapshotReport, month_name
from lms.reporting.views import EXPORTS, UnknownFormat, _export_format, _unknown_format

bp = Blueprint("snapshots", __name__, template_folder="templates")
bp.register_error_handler(UnknownFormat, _unknown_format)

PAGE_SIZE = 50


@bp.before_request
@role_required("manager")
def _only_coordinators() -> None:
    """Coordinators (and administrators) only."""


def _visible_organisation_ids():
    """The ids of the caller's organisations, as a SELECT (the one tenancy filter)."""
    return organisations_visible_to(current_user).with_only_columns(Organisation.id).order_by(None)


@bp.context_processor
def _helpers() -> dict:
    return {
        "month_name": month_name,
        "status_labels": STATUS_LABELS,
        "progress_statuses": PROGRESS_STATUSES,
        "compliance_statuses": COMPLIANCE_STATUSES,
    }


@bp.get("/")
def index() -> ResponseReturnValue:
    query = (
        select(ReportSnapshot)
        .options(defer(ReportSnapshot.people))
        .where(ReportSnapshot.organisation_id.in_(_visible_organisation_ids()))
        .order_by(ReportSnapshot.period.desc(), ReportSnapshot.organisation_name)
    )
    page = paginate(db.session, query, page_arg(), PAGE_SIZE)
    return render_template("lms/reporting/snapshots.html", page=page)


def _get_snapshot(snapshot_id: int) -> ReportSnapshot:
    snapshot = db.session.scalar(
        select(ReportSnapshot).where(
            ReportSnapshot.id == snapshot_id,
            ReportSnapshot.organisation_id.in_(_visible_organisation_ids()),
        )
    )
    if snapshot is None:
        abort(404)  # another organisation's snapshot, or none: do not say which
    return snapshot


@bp.get("/<id:snapshot_id>")
@writes  # a download records itself in the audit log
def snapshot(snapshot_id: int) -> ResponseReturnValue:
    export = _export_format()
    item = _get_snapshot(snapshot_id)
    if export:
        report = SnapshotReport(item)
        # The file is named after the snapshot's own day: it is the same file every time.
        filename = exports.export_filename(
            [_("Snapshot"), item.organisation_name], item.taken_on, export
        )
        response = EXPORTS[export](report, filename, timezone=current_app.config["LMS_TIMEZONE"])
        exports.record_export(
            db.session,
            current_user.id,
            report="snapshot",
            format=export,
            filters={"snapshot": item.id, "period": item.period},
            rows=item.row_count,
            organisations=[item.organisation_id],
        )
        db.session.commit()
        return response
    return render_template("lms/reporting/snapshot.html", snapshot=item)
