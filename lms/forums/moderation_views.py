"""The trainers' forum pages: pinning, locking, hiding and restoring, and reported posts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.core.auth import role_required
from lms.core.db import db
from lms.core.i18n import gettext as _
from lms.core.i18n import ngettext
from lms.core.navigation import MenuEntry, register_menu_entry
from lms.forums import queries, services
from lms.forums.access import MODERATOR_ROLES, is_moderator
from lms.forums.blueprint import back_to, bp, moderates, post_for, thread_for
from lms.forums.models import ForumReport

# Trainers find the reported posts from every page, with the number waiting for them.
register_menu_entry(
    MenuEntry(
        endpoint="lms.forums.reports",
        label=lambda: _("Reported posts"),
        shown_to=is_moderator,
        count=lambda: queries.count_open_reports(db.session),
        count_text=lambda num: ngettext("%(num)d waiting", "%(num)d waiting", num),
    )
)

THREAD_ACTIONS = {
    "pin": ("pinned", True),
    "unpin": ("pinned", False),
    "lock": ("locked", True),
    "unlock": ("locked", False),
}


@bp.post("/courses/<slug>/forums/<activity_id>/threads/<id:thread_id>/moderate")
@login_required
def moderate_thread(slug: str, activity_id: str, thread_id: int):
    access, thread = thread_for(slug, activity_id, thread_id, moderates)
    action = THREAD_ACTIONS.get(request.form.get("action", ""))
    if action is None:
        abort(400)
    services.set_thread_flag(db.session, access, thread, *action)
    db.session.commit()
    flash(_("The thread is changed."), "success")
    return redirect(url_for(".thread", slug=slug, activity_id=activity_id, thread_id=thread.id))


@bp.post("/courses/<slug>/forums/<activity_id>/posts/<id:post_id>/moderate")
@login_required
def moderate_post(slug: str, activity_id: str, post_id: int):
    access, post = post_for(slug, activity_id, post_id, moderates)
    action = request.form.get("action")
    if action not in ("hide", "restore"):
        abort(400)
    services.set_hidden(db.session, access, post, action == "hide")
    db.session.commit()
    if action == "hide":
        flash(_("The post is hidden. Only trainers see it now."), "success")
    else:
        flash(_("The post is shown again."), "success")
    return back_to(access, post)


# Reported posts ----------------------------------------------------------------------------


@bp.get("/forums/reports")
@role_required(*MODERATOR_ROLES)
def reports():
    return render_template(
        "lms/forums/reports.html",
        rows=queries.open_reports(db.session),
        open_count=queries.count_open_reports(db.session),
    )


@bp.post("/forums/reports/<id:report_id>/resolve")
@role_required(*MODERATOR_ROLES)
def resolve_report(report_id: int):
    report = db.session.get(ForumReport, report_id)
    if report is None:
        abort(404)
    services.resolve_report(db.session, current_user, report)
    db.session.commit()
    flash(_("The report is closed."), "success")
    return redirect(url_for(".reports"))
