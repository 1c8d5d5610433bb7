"""Every signed-in request loads its person: with their roles, in one query."""

from __future__ import annotations

from sqlalchemy import event

from tests.conftest import login


def test_a_signed_in_request_loads_the_person_and_roles_with_one_query(client, engine, make_user):
    user = make_user()
    login(client, user)
    statements: list[str] = []

    def on_statement(_conn, _cursor, statement, *_args):
        if "lms_role_assignment" in statement or "FROM lms_user" in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        page = client.get("/")
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
    assert page.status_code == 200
    assert len(statements) == 1, statements
    assert "lms_role_assignment" in statements[0]
