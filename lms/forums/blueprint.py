"""The forums' blueprint and what its pages share: finding the forum, thread or post a URL
names (404 or 403 otherwise), the error sentences, the page context.

The pages themselves are in ``views`` (reading and writing) and ``moderation_views``
(trainers: hiding, pinning, locking, reports).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, abort, redirect, url_for

from lms.core.db import db
from lms.core.i18n import current_language
from lms.core.i18n import gettext as _
from lms.forums import queries
from lms.forums.access import ForumAccess, forum_access
from lms.forums.models import ForumPost, ForumThread
from lms.learning.rendering import render_markdown
from lms.learning.views import activity_access, activity_page_context
from lms.live.dates import template_helpers

bp = Blueprint("forums", __name__, template_folder="templates")

T = TypeVar("T")
#: What a page asks of the person about a thread or post: ``may(access, item)``.
Rule = Callable[[ForumAccess, T], bool]

ERRORS = {
    "empty": lambda: _("Write your message."),
    "too-long": lambda: _("Your message is too long."),
    "no-title": lambda: _("Enter a title."),
    "title-too-long": lambda: _("Keep the title under 200 characters."),
    "read-only": lambda: _("You can read this forum, but not write in it."),
    "locked": lambda: _("This thread is closed: nobody can reply any more."),
    "not-editable": lambda: _("You can no longer change this post."),
    "not-yours": lambda: _("You can only delete your own posts."),
    "not-moderator": lambda: _("Only trainers can do this."),
    "already-reported": lambda: _("You already reported this post. The trainers will look at it."),
}


@bp.context_processor
def _helpers() -> dict:
    return {"render_markdown": render_markdown, **template_helpers(current_language())}


def get_access(slug: str, activity_id: str) -> ForumAccess:
    return activity_access(slug, activity_id, ("forum",), forum_access)


def _found(find, slug: str, activity_id: str, item_id: int, may):
    access = get_access(slug, activity_id)
    item = find(db.session, access, item_id)
    if item is None:
        abort(404)
    if may is not None and not may(access, item):
        abort(403)
    return access, item


def thread_for(
    slug: str, activity_id: str, thread_id: int, may: Rule[ForumThread] | None = None
) -> tuple[ForumAccess, ForumThread]:
    """The forum and the thread a URL names: 404 if the person does not see the thread, 403
    if ``may(access, thread)`` says they may not do what the page does."""
    return _found(queries.get_thread, slug, activity_id, thread_id, may)


def post_for(
    slug: str, activity_id: str, post_id: int, may: Rule[ForumPost] | None = None
) -> tuple[ForumAccess, ForumPost]:
    """The forum and the post a URL names (like ``thread_for``)."""
    return _found(queries.get_post, slug, activity_id, post_id, may)


def moderates(access: ForumAccess, _item: object) -> bool:
    return access.can_moderate


def page_context(access: ForumAccess) -> dict:
    return {"access": access, **activity_page_context(access.course, access.activity)}


def back_to(access: ForumAccess, post: ForumPost):
    """Back to ``post`` in its thread."""
    return redirect(
        url_for(
            ".thread",
            slug=access.course.slug,
            activity_id=access.activity.id,
            thread_id=post.thread_id,
            _anchor=f"post-{post.id}",
        )
    )
