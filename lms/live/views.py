"""The pages of live activities for everyone: the dates, registering, the invitation.

Planning, changing and cancelling dates are in ``planning_views``; attendance is in
``attendance_views``.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.core.db import db, utcnow
from lms.core.i18n import gettext as _
from lms.learning.engine import register_progress_provider, register_started_condition
from lms.learning.queries import enrolment_view
from lms.learning.summary import register_source as register_summary_source
from lms.learning.views import course_language, register_activity_page
from lms.live import (
    attendance_views,  # noqa: F401  (its pages join the blueprint)
    ics,
    planning_views,  # noqa: F401  (its pages join the blueprint)
    queries,
    services,
)
from lms.live.access import LIVE_TYPES
from lms.live.blueprint import bp, get_access, page_context, refusal, session_for, session_links
from lms.live.models import CANCELLED, WAITING, LiveRegistration, LiveSession

__all__ = ["bp"]

# At start-up (the extension imports every feature's views): live activities report
# attendance to the completion engine, and the course page links them here.
for _type in LIVE_TYPES:
    register_progress_provider(_type, queries.live_progress)
    register_started_condition(_type, queries.live_started)
    register_activity_page(_type, "lms.live.activity")
# The records ``live_progress`` reads: the progress summaries they change are set to NULL.
register_summary_source(
    LiveRegistration,
    user=LiveRegistration.user_id,
    course=None,  # through the date: every course of the person (rare, and always correct)
    columns=("user_id", "session_id", "status", "attended_at"),
)
register_summary_source(
    LiveSession,
    user=None,
    course=LiveSession.course_id,
    columns=("course_id", "activity_id"),
    inserts=False,  # a new date has no registrations yet: scheduling one changes no summary
)


@bp.get("/courses/<slug>/sessions/<activity_id>")
@login_required
def activity(slug: str, activity_id: str):
    access = get_access(slug, activity_id)
    sessions = queries.sessions_of(db.session, access)
    registrations = queries.my_registrations(
        db.session, current_user.id, access.course.course_id, access.activity.id
    )
    # A registration for a cancelled date only says so; it holds nothing any more.
    mine = {sid: r for sid, r in registrations.items() if r.status != CANCELLED}
    positions = {
        sid: queries.waiting_position(db.session, r)
        for sid, r in mine.items()
        if r.status == WAITING
    }
    now = utcnow()
    return render_template(
        "lms/live/activity.html",
        **page_context(access),
        view=enrolment_view(db.session, current_user.id, access.course),
        upcoming=[s for s in sessions if s.ends_at > now],
        past=[s for s in sessions if s.ends_at <= now],
        mine=mine,
        was_registered={sid for sid, r in registrations.items() if r.status == CANCELLED},
        positions=positions,
        now=now,
    )


@bp.post("/courses/<slug>/sessions/<activity_id>/<id:session_id>/register")
@login_required
def register(slug: str, activity_id: str, session_id: int):
    access, live = session_for(slug, activity_id, session_id, lambda access, _: access.can_register)
    # End the read-only part of the request: taking a seat must be the first statement of
    # its transaction, so that SQLite waits for a concurrent registration instead of failing
    # (see lms.live.services). Nothing has been written yet.
    db.session.commit()
    try:
        registration = services.register(db.session, access, live)
    except services.LiveError as exc:
        db.session.rollback()
        flash(refusal(exc), "error")
    else:
        db.session.commit()
        if registration.status == "registered":
            flash(
                _("You are registered. Add the date to your calendar with the invitation."),
                "success",
            )
        else:
            flash(
                _(
                    "This date is full: you are on the waiting list. When a seat frees up, "
                    "you get it automatically and we send you an e-mail."
                ),
                "success",
            )
    return redirect(
        url_for(".activity", slug=slug, activity_id=activity_id, _anchor=f"session-{live.id}")
    )


@bp.post("/courses/<slug>/sessions/<activity_id>/<id:session_id>/unregister")
@login_required
def unregister(slug: str, activity_id: str, session_id: int):
    access, live = session_for(slug, activity_id, session_id)
    db.session.commit()  # as for register: the seat changes hands in a fresh transaction
    try:
        services.unregister(db.session, access, live, links=session_links(slug, live))
    except services.LiveError as exc:
        db.session.rollback()
        flash(refusal(exc), "error")
    else:
        db.session.commit()
        flash(_("You are no longer registered for this date."), "success")
    return redirect(url_for(".activity", slug=slug, activity_id=activity_id))


@bp.get("/courses/<slug>/sessions/<activity_id>/<id:session_id>/invite.ics")
@login_required
def invitation(slug: str, activity_id: str, session_id: int):
    access, live = session_for(slug, activity_id, session_id)
    lang = course_language(access.course)
    course, activity = access.course, access.activity
    page = url_for(".activity", slug=slug, activity_id=activity_id, _external=True)
    description = "\n\n".join(
        part
        for part in (
            course.text(activity.description, lang) if activity.description else "",
            live.notes,
            live.link or "",
            page,
        )
        if part
    )
    text = ics.invitation(
        uid=f"live-{live.id}@{request.host.split(':')[0]}",
        starts_at=live.starts_at,
        ends_at=live.ends_at,
        summary=f"{course.text(activity.title, lang)} ({course.text(course.title, lang)})",
        description=description,
        location=live.place or live.link or "",
        url=live.link or page,
        sequence=live.sequence,
        cancelled=live.cancelled,
    )
    response = Response(text, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{activity_id}.ics"'
    return response
