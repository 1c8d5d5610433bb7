"""Forum pages cost a fixed number of queries, and threads are paginated."""

from __future__ import annotations

import pytest

from lms.catalog.queries import get_course_def
from lms.core.db import db
from lms.forums import services
from lms.forums.access import forum_access
from tests.conftest import login
from tests.forums.conftest import forum_url

#: Measured: 10 for a forum page (login, course, enrolment and the engine's records, the
#: count and the page of threads) and 14 for a thread page (which also moves the reader's
#: read marker), whether the forum has 3 threads or 45.
FORUM_MAX = 10
THREAD_MAX = 14


def make_threads(app, world, count, replies=2):
    from lms.accounts.models import User

    with app.app_context():
        course = get_course_def(db.session, world.course.slug)
        activity = course.activities_by_id["f-course"]
        pieter = db.session.get(User, world["pieter"].id)
        nadia = db.session.get(User, world["nadia"].id)
        starter = forum_access(db.session, pieter, course, activity)
        replier = forum_access(db.session, nadia, course, activity)
        for n in range(count):
            thread = services.start_thread(db.session, starter, f"Draad {n:03d}", "Tekst.")
            for _ in range(replies):
                services.reply(db.session, replier, thread, "Antwoord.")
        db.session.commit()


@pytest.mark.parametrize("threads", [3, 45])
def test_forum_page_queries_do_not_grow(app, client, world, count_queries, threads):
    make_threads(app, world, threads)
    login(client, world["els"])
    client.get(forum_url(world))  # warm the course cache
    with count_queries() as counter:
        html = client.get(forum_url(world)).get_data(as_text=True)
    shown = min(threads, app.config["LMS_FORUM_THREADS_PER_PAGE"])
    assert html.count('class="thread-item thread-unread"') == shown
    assert counter.count <= FORUM_MAX, counter.statements
    with count_queries() as counter:
        client.get(forum_url(world, rest="/threads/1"))
    assert counter.count <= THREAD_MAX, counter.statements


def test_threads_are_paginated_newest_first(app, client, world):
    make_threads(app, world, 25, replies=0)
    login(client, world["els"])
    first = client.get(forum_url(world)).get_data(as_text=True)
    assert "Draad 024" in first and "Draad 004" not in first
    assert 'rel="next"' in first
    second = client.get(forum_url(world, rest="?page=2")).get_data(as_text=True)
    assert "Draad 004" in second and "Draad 024" not in second
