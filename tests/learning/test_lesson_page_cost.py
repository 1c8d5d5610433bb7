"""What the lesson page costs: it reads the learner's records once, in the transaction that
records the visit, and touches the database no more once that is committed (so on SQLite the
write lock is not held while the page renders). Its section bodies are rendered once per
worker, with a cache whose key holds everything the HTML depends on."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.core.db import db
from lms.learning import queries, services
from lms.learning.models import Enrolment
from lms.learning.rendering import clear_render_cache, render_markdown, render_markdown_cached
from tests.conftest import csrf_token, login
from tests.learning.conftest import course_yaml

WRITES_OR_READS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


def _enrol(client, slug):
    client.post(
        f"/courses/{slug}/enrol", data={"csrf_token": csrf_token(client, f"/courses/{slug}")}
    )


@pytest.fixture
def timeline(engine):
    """Every SQL statement and the end of every session transaction (not its savepoints),
    in order, while the test runs."""
    events: list[str] = []

    def on_statement(_conn, _cursor, statement, *_args):
        if statement.lstrip().split(" ", 1)[0].upper() in WRITES_OR_READS:
            events.append(statement)

    def on_end(_session, transaction):
        if transaction.parent is None:
            events.append("END")

    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(Session, "after_transaction_end", on_end)
    yield events
    event.remove(engine, "before_cursor_execute", on_statement)
    event.remove(Session, "after_transaction_end", on_end)


@pytest.mark.parametrize("first_visit", [True, False])
def test_nothing_is_read_after_the_visit_is_committed(
    client, make_user, import_course, timeline, first_visit
):
    course = import_course(course_yaml("lock", 1, lessons=1, sections=3))
    login(client, make_user())
    _enrol(client, "lock")
    target = course.sections[1].id
    client.get(f"/courses/lock/learn/{course.sections[0].id}")
    if not first_visit:
        client.get(f"/courses/lock/learn/{target}")
    timeline.clear()
    page = client.get(f"/courses/lock/learn/{target}")
    assert page.status_code == 200
    # The view commits once; the session then ends without another transaction.
    assert "END" in timeline
    after = [s[:80] for s in timeline[timeline.index("END") + 1 :] if s != "END"]
    assert after == [], after


def test_a_first_visit_reads_the_records_once(client, make_user, import_course, timeline):
    course = import_course(course_yaml("once", 1, lessons=2, sections=2))
    login(client, make_user())
    _enrol(client, "once")
    client.get(f"/courses/once/learn/{course.sections[0].id}")
    timeline.clear()
    client.get(f"/courses/once/learn/{course.sections[1].id}")  # a first visit, no completion
    completions = [s for s in timeline if s.lstrip().startswith("SELECT") and "lms_completion" in s]
    visits = [
        s
        for s in timeline
        if s.lstrip().startswith("SELECT")
        and "FROM lms_section_visit" in s
        and "section_id IN" in s
    ]
    assert len(completions) == 1, completions
    assert len(visits) == 0, visits  # the lesson's progress comes from the records read once


@pytest.mark.parametrize("sections_opened", [1, 2, 4])
def test_the_view_of_a_visit_equals_the_view_read_afresh(
    app, make_user, import_course, sections_opened
):
    """The state the lesson page shows (records read in the visit's transaction) is the one
    read from the database afterwards: after a plain first visit, after the visit that
    completes an activity, a module and the course, and after a repeat visit."""
    course = import_course(course_yaml("same", 2, lessons=1, sections=2))
    user = make_user()
    with app.app_context():
        enrolment, _ = services.enrol(db.session, user, course)
        sections = [s.id for s in course.sections[:sections_opened]]
        for section_id in [*sections, sections[0]]:
            view = services.visit_section(db.session, enrolment, user, course, section_id)
            db.session.commit()
            afresh = queries.enrolment_view(db.session, user.id, course)
            assert afresh is not None
            assert view.records == afresh.records
            assert view.state == afresh.state
            assert view.enrolment.id == afresh.enrolment.id
        done = db.session.get(Enrolment, enrolment.id)
        assert (done.completed_at is not None) == (sections_opened == 4)


def test_section_bodies_render_once_and_follow_a_new_version(client, make_user, import_course):
    clear_render_cache()
    course = import_course(course_yaml("body", 1, lessons=1, sections=2))
    login(client, make_user())
    _enrol(client, "body")
    section = course.sections[0].id
    assert "Tekst van m1-l1-s1." in client.get(f"/courses/body/learn/{section}").get_data(True)
    newer = course_yaml("body", 1, lessons=1, sections=2).replace(
        "Tekst van m1-l1-s1.", "Nieuwe tekst van m1-l1-s1."
    )
    import_course(newer)
    html = client.get(f"/courses/body/learn/{section}").get_data(as_text=True)
    assert "Nieuwe tekst van m1-l1-s1." in html


def test_the_cached_rendering_equals_the_rendering_in_each_ui_language(app):
    clear_render_cache()
    text = "Zie ![kaart](img/kaart.png).\n\n::: tip\nNeem uw tijd.\n:::\n"

    def image_url(path):
        return f"/media/{path}"

    for language in ("nl", "fr", "en", "nl"):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            from lms.core.i18n import current_language

            assert current_language() == language
            expected = render_markdown(text, base_file="m1/deel.md", image_url=image_url)
            for _ in range(2):
                cached = render_markdown_cached(text, base_file="m1/deel.md", image_url=image_url)
                assert cached == expected
    # Another URL for the images (another app or prefix) is another entry.
    with app.test_request_context("/", headers={"Accept-Language": "nl"}):
        other = render_markdown_cached(
            text, base_file="m1/deel.md", image_url=lambda p: f"/elders/{p}"
        )
        assert "/elders/m1/img/kaart.png" in other
