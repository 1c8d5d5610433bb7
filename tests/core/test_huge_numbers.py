"""Numbers beyond any id column, in every URL, query string and form: never a 500.

Every rule of ``app.url_map`` is walked (so a new page cannot escape), as a learner, a
coordinator, a trainer and an administrator, with GET and POST. An id in the path beyond the
integer range of the database is a 404; page numbers and ids in the query string or the form
are treated as invalid values (a default, the last page, or a clear message).
"""

from __future__ import annotations

import pytest

from lms.authoring.importer import import_paths
from lms.catalog.queries import get_course_def
from lms.core.db import db
from lms.core.params import MAX_ID, parse_int
from lms.learning.services import enrol
from tests.conftest import REPO, login

HUGE = [MAX_ID + 1, 2**63, 2**64, 10**30]

#: Real values for the string parts of a URL, so that the request reaches the view.
STRING_ARGUMENTS = {
    "slug": "connectoo-plus",
    "section_id": "p1-l1-houding",
    "code": "K7QM-2XRD-9TPA",
    "token": "not-a-token",
    "path": "nothing.svg",
    "filename": "lms.css",
    "lang": "nl",
    "code_lang": "nl",
}
ACTIVITY_BY_BLUEPRINT = {
    "forums": "p1-forum",
    "live": "p1-webinar-1",
    "assessment": "p1-test",
    "learning": "p1-elearning",
}
#: Names of query-string and form fields that carry numbers somewhere in the LMS.
NUMERIC_FIELDS = (
    "page",
    "organisation",
    "department",
    "person",
    "user",
    "attempt",
    "n",
    "session",
    "capacity",
    "users",
    "people",
)

app_config = pytest.fixture(lambda: {"WTF_CSRF_ENABLED": False})


@pytest.fixture
def people(app, make_organisation, make_user):
    org = make_organisation("De Panne")
    result = {
        "learner": make_user(organisation=org),
        "manager": make_user(organisation=org, roles=("learner", "manager"), manages=[org]),
        "trainer": make_user(roles=("learner", "trainer")),
        "admin": make_user(roles=("learner", "admin")),
    }
    with app.app_context():
        import_paths(db.session, [REPO / "courses", REPO / "quizzes"], certificates_dir=None)
        course = get_course_def(db.session, "connectoo-plus")
        for user in result.values():
            enrol(db.session, db.session.merge(user), course)
        db.session.commit()
    return result


def _string_value(rule, argument: str) -> str:
    if argument == "activity_id":
        blueprint = rule.endpoint.split(".")[1]
        return ACTIVITY_BY_BLUEPRINT.get(blueprint, "p1-elearning")
    return STRING_ARGUMENTS.get(argument, "x")


def _id_arguments(rule) -> list[str]:
    return [name for name, converter in rule._converters.items() if converter.regex == r"\d+"]


def test_parse_int_accepts_only_plain_numbers_in_range():
    assert parse_int("42") == 42
    assert parse_int(" 7 ") == 7
    for raw in ("", "0", "-1", "1e3", "0x10", "٣", "²", str(MAX_ID + 1), str(2**64), "9" * 400):
        assert parse_int(raw) is None, raw


def test_huge_ids_in_paths_are_not_found(app, client, people):
    rules = [r for r in app.url_map.iter_rules() if _id_arguments(r)]
    assert len(rules) >= 15  # people, organisations, departments, threads, posts, sessions...
    for role, user in people.items():
        client.post("/logout")
        login(client, user)
        for rule in rules:
            for number in HUGE:
                values = {
                    arg: number if arg in _id_arguments(rule) else _string_value(rule, arg)
                    for arg in rule.arguments
                }
                url = rule.build(values, append_unknown=False)[1]
                for method in sorted(rule.methods & {"GET", "POST"}):
                    response = client.open(url, method=method, data={"body": "x"})
                    response.close()
                    assert response.status_code == 404, (role, method, url)


def test_huge_numbers_in_query_strings_and_forms_never_fail(app, client, people):
    """Every rule, every role: huge numbers in every numeric-looking parameter. The pages may
    refuse the values (400, 404, 422) or ignore them, but never answer 500."""
    query = "&".join(f"{name}={number}" for name in NUMERIC_FIELDS for number in HUGE[1:2])
    form = {name: str(HUGE[-1]) for name in NUMERIC_FIELDS}
    checked = 0
    for role, user in people.items():
        client.post("/logout")
        login(client, user)
        for rule in app.url_map.iter_rules():
            if rule.endpoint in {"lms.accounts.logout", "lms.accounts.login"}:
                continue
            values = {
                arg: 1 if arg in _id_arguments(rule) else _string_value(rule, arg)
                for arg in rule.arguments
            }
            url = rule.build(values, append_unknown=False)[1]
            for method in sorted(rule.methods & {"GET", "POST"}):
                target = f"{url}?{query}"
                response = client.open(target, method=method, data=form)
                response.close()
                assert response.status_code < 500, (role, method, target)
                checked += 1
        client.post("/logout")
    assert checked > 200
