"""Posting, replying, unread markers, completion and the commented statements."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from lms.core.db import db
from lms.forums.models import ForumPost, ForumThread
from lms.learning.models import Completion
from lms.xapi.models import XapiStatement
from tests.conftest import login
from tests.forums.conftest import forum_url
from tests.forums.conftest import send as post_form


def start(
    client,
    world,
    title="Een burger zonder itsme",
    body="Ik hielp **vandaag** iemand.",
    activity="f-course",
):
    response = post_form(
        client, forum_url(world, activity, "/threads"), {"title": title, "body": body}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def reply(client, world, thread_id, body, activity="f-course"):
    response = post_form(
        client, forum_url(world, activity, f"/threads/{thread_id}/reply"), {"body": body}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def test_post_reply_and_complete(app, client, world):
    login(client, world["els"])
    html = client.get(forum_url(world)).get_data(as_text=True)
    assert ("Deel een ervaring." in html and "No thread yet" in html) or "Nog geen" in html
    thread_id = start(client, world)
    page = client.get(forum_url(world, rest=f"/threads/{thread_id}")).get_data(as_text=True)
    assert "<strong>vandaag</strong>" in page
    with app.app_context():
        assert db.session.scalar(select(Completion).where(Completion.item_id == "f-course")) is None
    reply(client, world, thread_id, "En nog een tweede bericht.")
    with app.app_context():
        done = db.session.scalar(
            select(Completion).where(
                Completion.item_id == "f-course", Completion.kind == "activity"
            )
        )
        assert done is not None and done.user_id == world["els"].id
        verbs = [
            json.loads(s.payload)["verb"]["id"]
            for s in db.session.scalars(
                select(XapiStatement).where(XapiStatement.user_id == world["els"].id)
            )
        ]
        assert sum(v.endswith("/commented") for v in verbs) == 2
    # The course page shows the forum as done.
    course_page = client.get(f"/courses/{world.course.slug}").get_data(as_text=True)
    forum_item = re.search(
        r'<li class="activity[^"]*">(?:(?!</li>).)*f-course(?:(?!</li>).)*', course_page, re.S
    ).group(0)
    assert "activity-done" in course_page and "status-green" in forum_item


def test_replies_and_unread_counts_newest_activity_first(app, client, world):
    login(client, world["els"])
    first = start(client, world, title="Eerste draad")
    second = start(client, world, title="Tweede draad")
    other = app.test_client()
    login(other, world["pieter"])
    reply(other, world, first, "Een antwoord van Koksijde.")
    reply(other, world, first, "Nog een antwoord.")
    html = client.get(forum_url(world)).get_data(as_text=True)
    # The thread with the newest activity comes first, with its two new replies.
    assert html.index("Eerste draad") < html.index("Tweede draad")
    assert re.search(r"Eerste draad</a>\s*<strong class=\"tag tag-blue\">2 ", html)
    client.get(forum_url(world, rest=f"/threads/{first}"))
    html = client.get(forum_url(world)).get_data(as_text=True)
    assert "tag tag-blue" not in html
    assert second


def test_locked_thread_refuses_replies_and_pinned_comes_first(app, client, world):
    login(client, world["els"])
    first = start(client, world, title="Oud maar belangrijk")
    start(client, world, title="Nieuwer")
    trainer = app.test_client()
    login(trainer, world["trainer"])
    url = forum_url(world, rest=f"/threads/{first}/moderate")
    assert post_form(trainer, url, {"action": "pin"}).status_code == 302
    assert post_form(trainer, url, {"action": "lock"}).status_code == 302
    html = client.get(forum_url(world)).get_data(as_text=True)
    assert html.index("Oud maar belangrijk") < html.index("Nieuwer")
    response = post_form(
        client, forum_url(world, rest=f"/threads/{first}/reply"), {"body": "Mag dit nog?"}
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(ForumThread).where(ForumThread.id == first)).locked
        assert (
            len(db.session.scalars(select(ForumPost).where(ForumPost.thread_id == first)).all())
            == 1
        )


def test_empty_post_shows_the_error_summary(client, world):
    login(client, world["els"])
    response = post_form(client, forum_url(world, rest="/threads"), {"title": "", "body": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html and 'href="#title"' in html and 'href="#body"' in html
