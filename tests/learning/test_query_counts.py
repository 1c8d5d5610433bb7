"""Pages cost a small, fixed number of queries whatever the size of the course or the number
of enrolments (the bound is stated in lms/learning/queries.py)."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token, login
from tests.learning.conftest import course_yaml

#: The lesson page (which also records the visit) and My learning stay at or under these
#: numbers of SQL statements (measured: 10 and 8, including the login's user lookup with its
#: roles, the xAPI outbox rows of a first visit (one INSERT), and on My learning one query for
#: the learning plans of every course card).
LESSON_MAX = 11
DASHBOARD_MAX = 9


@pytest.fixture
def learner(client, make_user):
    user = make_user()
    login(client, user)
    return user


def _enrol(client, slug):
    client.post(
        f"/courses/{slug}/enrol", data={"csrf_token": csrf_token(client, f"/courses/{slug}")}
    )


@pytest.mark.parametrize("modules", [5, 50])
def test_lesson_page_queries_do_not_grow_with_the_course(
    client, learner, import_course, count_queries, modules
):
    course = import_course(course_yaml(f"size{modules}", modules, lessons=2, sections=3))
    _enrol(client, course.slug)
    target = course.sections[len(course.sections) // 2].id
    client.get(f"/courses/{course.slug}/learn/{course.sections[0].id}")  # warm the cache
    with count_queries() as counter:
        assert client.get(f"/courses/{course.slug}/learn/{target}").status_code == 200
    assert counter.count <= LESSON_MAX, counter.statements
    with count_queries() as counter:
        assert client.get("/").status_code == 200
    assert counter.count <= DASHBOARD_MAX, counter.statements


@pytest.mark.parametrize("enrolments", [1, 20])
def test_my_learning_queries_do_not_grow_with_enrolments(
    client, learner, import_course, count_queries, enrolments
):
    for i in range(enrolments):
        course = import_course(course_yaml(f"c{enrolments}-{i}", 2))
        _enrol(client, course.slug)
        client.get(f"/courses/{course.slug}/learn/{course.sections[0].id}")
    client.get("/")
    with count_queries() as counter:
        html = client.get("/").get_data(as_text=True)
    assert html.count("/continue") == enrolments
    assert counter.count <= DASHBOARD_MAX, counter.statements


def test_the_bound_is_the_same_for_small_and_large(client, learner, import_course, count_queries):
    counts = []
    for modules in (5, 50):
        course = import_course(course_yaml(f"eq{modules}", modules))
        _enrol(client, course.slug)
        client.get(f"/courses/{course.slug}/learn/{course.sections[0].id}")
        with count_queries() as counter:
            client.get(f"/courses/{course.slug}/learn/{course.sections[1].id}")
        counts.append(counter.count)
    assert counts[0] == counts[1]
