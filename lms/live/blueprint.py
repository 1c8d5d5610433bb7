"""The live sessions' blueprint and what its pages share: finding the activity and the date
a URL names (404 or 403 otherwise), the sentences for refusals, the page context, the addresses
put in e-mails.

The pages are in ``views`` (the dates, registering, the invitation), ``planning_views``
(planning, changing and cancelling a date) and ``attendance_views``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, abort, url_for

from lms.core.db import db
from lms.core.i18n import current_language
from lms.core.i18n import lazy_gettext as _l
from lms.learning.rendering import render_markdown
from lms.learning.views import activity_access, activity_page_context
from lms.live import dates, queries
from lms.live.access import LIVE_TYPES, LiveAccess, live_access
from lms.live.models import LiveSession
from lms.live.services import LiveError, SessionLinks

bp = Blueprint("live", __name__, template_folder="templates")

T = TypeVar("T")

#: What each refusal of the services (``LiveError``) says to the person.
REFUSALS = {
    "not-allowed": _l("You cannot register for this date."),
    "past": _l("This date has passed."),
    "already-registered": _l("You are already registered for this date."),
    "other-date": _l("You are already registered for another date. Unregister there first."),
    "already-attended": _l("You already took part in this activity."),
    "not-registered": _l("You were not registered for this date."),
    "organisation-not-allowed": _l("Choose one of your own organisations."),
    "ends-before-start": _l("The end must be after the start."),
    "start-in-past": _l("Choose a date in the future."),
    "capacity": _l("Enter a number above 0."),
    "cancelled": _l("This date is cancelled."),
}


def refusal(exc_or_key: Exception | str) -> str:
    """The sentence for a refusal, in the reader's language."""
    return str(REFUSALS[str(exc_or_key)])


@bp.context_processor
def _helpers() -> dict:
    return {"render_markdown": render_markdown, **dates.template_helpers(current_language())}


def get_access(slug: str, activity_id: str) -> LiveAccess:
    return activity_access(slug, activity_id, LIVE_TYPES, live_access)


def session_for(
    slug: str,
    activity_id: str,
    session_id: int,
    may: Callable[[LiveAccess, LiveSession], bool] | None = None,
) -> tuple[LiveAccess, LiveSession]:
    """The activity and the date a URL names: 404 when the person does not see the date
    (another organisation's), 403 if ``may(access, date)`` says they may not do what the
    page does."""
    access = get_access(slug, activity_id)
    live = queries.get_session(db.session, access, session_id)
    if live is None:
        abort(404)
    if may is not None and not may(access, live):
        abort(403)
    return access, live


def managed_session(slug: str, activity_id: str, session_id: int):
    """A date the current person manages: changes, cancels, marks attendance for."""
    return session_for(slug, activity_id, session_id, lambda access, live: access.manages(live))


def session_links(slug: str, live: LiveSession) -> SessionLinks:
    """The addresses of the date's activity page and invitation (needs a request context;
    the commands make one from ``LMS_BASE_URL``)."""
    return SessionLinks(
        activity_url=url_for(
            "lms.live.activity", slug=slug, activity_id=live.activity_id, _external=True
        ),
        ics_url=url_for(
            "lms.live.invitation",
            slug=slug,
            activity_id=live.activity_id,
            session_id=live.id,
            _external=True,
        ),
    )


def change_date(action: Callable[..., T], access: LiveAccess, live: LiveSession, **arguments) -> T:
    """Run ``services.edit`` or ``services.cancel`` on ``live`` as the first write of a new
    transaction (see ``lms.live.services``) and commit; a refusal rolls back and is raised
    again. Needs a request context for the addresses in the e-mails."""
    db.session.commit()  # what was read so far: nothing is written yet
    try:
        result = action(
            db.session, access, live, links=session_links(access.course.slug, live), **arguments
        )
    except LiveError:
        db.session.rollback()
        raise
    db.session.commit()
    return result


def page_context(access: LiveAccess) -> dict:
    return {"access": access, **activity_page_context(access.course, access.activity)}
