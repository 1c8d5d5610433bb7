"""A submitted test writes its xAPI statements (one per question, then the result) with one
INSERT, in the order they describe, each checked before any is written."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event, func, select

from lms.core.db import db, utcnow
from lms.xapi import builder
from lms.xapi.erasure import voiding_statement
from lms.xapi.models import XapiStatement
from lms.xapi.validation import InvalidStatement
from tests.assessment.conftest import RIGHT


def test_a_submission_writes_its_statements_with_one_insert(app, engine, make_test, learner):
    make_test(pass_mark="0.8", max_attempts=3)
    person = learner()
    person.start()
    person.answer_all(RIGHT)
    inserts: list[str] = []

    def on_statement(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT INTO LMS_XAPI_STATEMENT"):
            inserts.append(statement)

    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        assert person.submit().status_code == 302
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
    # The submission's statements (7 answered + passed); the completions that follow (the
    # activity, its module and the course) are their own signals' statements.
    assert len(inserts) <= 4, inserts
    with app.app_context():
        rows = db.session.scalars(
            select(XapiStatement.payload)
            .where(XapiStatement.user_id == person.user.id)
            .order_by(XapiStatement.id)
        ).all()
    verbs = [json.loads(p)["verb"]["id"].rsplit("/", 1)[-1] for p in rows]
    first = verbs.index("answered")
    assert verbs[first : first + 8] == ["answered"] * 7 + ["passed"]


def test_enqueue_many_keeps_the_order_and_checks_every_statement_first(app, make_user):
    user = make_user()
    with app.test_request_context("/"):
        ok = [voiding_statement(f"{i:08d}-0000-4000-8000-000000000000", utcnow()) for i in range(3)]
        ids = builder.enqueue_many(db.session, ok, user_id=user.id)
        stored = db.session.scalars(
            select(XapiStatement.statement_id)
            .where(XapiStatement.user_id == user.id)
            .order_by(XapiStatement.id)
        ).all()
        assert [str(i) for i in stored] == [str(i) for i in ids] == [s["id"] for s in ok]
        broken = {**voiding_statement(ok[0]["id"], utcnow()), "verb": {"id": "not an IRI"}}
        fresh = voiding_statement("00000009-0000-4000-8000-000000000000", utcnow())
        with pytest.raises(InvalidStatement):
            builder.enqueue_many(db.session, [fresh, broken], user_id=user.id)
        count = select(func.count()).where(XapiStatement.user_id == user.id)
        assert db.session.scalar(count) == 3  # nothing of the refused batch was written
