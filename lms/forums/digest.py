"""The follow digest: one e-mail per person with the new replies in the threads they follow.

``lms forums digest`` runs it (from cron, e.g. every morning). Each follow remembers the
newest post it told about, so running it twice sends nothing new, and a person who can no
longer read a thread (no longer enrolled, moved to another organisation) is not told about it.
Each mail is in the person's language and has a link to stop following each thread; the
link carries a signed token, so it works without logging in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.catalog.queries import get_current_course_defs
from lms.forums import queries
from lms.forums.access import forum_access
from lms.forums.models import ForumFollow, ForumPost, ForumThread
from lms.mail.services import queue_mail

TOKEN_SALT = "lms-forum-unfollow"


def unfollow_token(secret_key: str, user_id: int, thread_id: int) -> str:
    return URLSafeSerializer(secret_key, salt=TOKEN_SALT).dumps([user_id, thread_id])


def read_unfollow_token(secret_key: str, token: str) -> tuple[int, int] | None:
    try:
        user_id, thread_id = URLSafeSerializer(secret_key, salt=TOKEN_SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(thread_id, int):
        return None
    return user_id, thread_id


@dataclass(frozen=True)
class DigestItem:
    forum_title: str
    thread_title: str
    new_replies: int
    thread_url: str
    unfollow_url: str


def send_digest(
    session: Session,
    *,
    secret_key: str,
    url_for_thread: Callable[[str, str, int], str],
    url_for_unfollow: Callable[[str], str],
) -> int:
    """Queue one digest per person who has news; returns the number of mails queued."""
    news = session.execute(
        select(ForumFollow, func.count(ForumPost.id), func.max(ForumPost.id))
        .join(ForumThread, ForumThread.id == ForumFollow.thread_id)
        .join(ForumPost, ForumPost.thread_id == ForumThread.id)
        .where(
            ForumPost.id > ForumFollow.notified_post_id,
            ForumPost.author_id != ForumFollow.user_id,
            queries.visible_post(),
            ForumThread.hidden_at.is_(None),
        )
        .group_by(ForumFollow.id)
        .order_by(ForumFollow.user_id, ForumFollow.id)
    ).all()
    if not news:
        return 0
    users = {
        u.id: u
        for u in session.scalars(select(User).where(User.id.in_({f.user_id for f, _, _ in news})))
    }
    courses = get_current_course_defs(session, {f.thread.course_id for f, _, _ in news})
    by_user: dict[int, list[DigestItem]] = defaultdict(list)
    for follow_row, count, newest in news:
        follow_row.notified_post_id = newest
        user = users[follow_row.user_id]
        thread = follow_row.thread
        course = courses.get(thread.course_id)
        activity = course.activities_by_id.get(thread.activity_id) if course else None
        if not user.active or course is None or activity is None:
            continue
        access = forum_access(session, user, course, activity)
        if access is None or queries.get_thread(session, access, thread.id) is None:
            continue
        lang = user.preferred_language
        lang = lang if lang in course.languages else course.default_language
        by_user[user.id].append(
            DigestItem(
                forum_title=course.text(activity.title, lang),
                thread_title=thread.title,
                new_replies=count,
                thread_url=url_for_thread(course.slug, activity.id, thread.id),
                unfollow_url=url_for_unfollow(unfollow_token(secret_key, user.id, thread.id)),
            )
        )
    session.flush()
    sent = 0
    for user_id, items in by_user.items():
        user = users[user_id]
        if not user.email:
            continue
        queue_mail(
            session,
            recipient=user.email,
            template="forum_digest",
            language=user.preferred_language,
            name=user.full_name,
            items=items,
        )
        sent += 1
    return sent
