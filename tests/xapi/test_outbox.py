"""The transactional outbox: statement rows live and die with the learning records."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import func, select

from lms.core import signals
from lms.core.db import db
from lms.xapi import listeners
from lms.xapi.models import XapiStatement
from lms.xapi.validation import problems
from lms.xapi.vocabulary import VERBS
from tests.xapi.conftest import rows
from tests.xapi.learner import WALK_COUNTS, WALK_TOTAL, walk

NAMES = {iri: name for name, iri in VERBS.items()}


def test_a_walk_through_the_course_fills_the_outbox(app, db_session, course, make_learner):
    learner = make_learner()
    walk(db_session, learner.enrolment, learner.user, course)
    db_session.commit()
    found = rows(db_session)
    assert Counter(NAMES[row.verb] for row in found) == WALK_COUNTS
    assert len(found) == WALK_TOTAL
    for row in found:
        statement = json.loads(row.payload)
        assert problems(statement) == []
        assert str(row.statement_id) == statement["id"]
        assert row.user_id == learner.user.id
        assert row.enrolment_id == learner.enrolment.id
        assert row.sequence is None  # stamped by the worker after commit


def test_statements_roll_back_with_the_learning_record(app, db_session, course, make_learner):
    learner = make_learner()
    savepoint = db_session.begin_nested()
    walk(db_session, learner.enrolment, learner.user, course, sections=2)
    assert db_session.scalar(select(func.count()).select_from(XapiStatement)) == 4
    savepoint.rollback()
    assert db_session.scalar(select(func.count()).select_from(XapiStatement)) == 0


def test_only_elearnings_report_completed(app, db_session, course, make_learner):
    learner = make_learner()
    forum = course.activities_by_id["m1-forum"]
    signals.activity_completed.send(
        learner.enrolment,
        user=learner.user,
        course=course,
        at=datetime.now(UTC),
        activity=forum,
        module=course.modules_by_id["m1"],
    )
    assert rows(db_session) == []


def test_connecting_twice_listens_once(app, db_session, course, make_learner):
    listeners.connect()
    listeners.connect()
    learner = make_learner()
    walk(db_session, learner.enrolment, learner.user, course, sections=1)
    assert len(rows(db_session)) == 2  # experienced + progressed


def test_export_writes_json_lines(app, db_session, course, make_learner, tmp_path):
    learner = make_learner()
    walk(db_session, learner.enrolment, learner.user, course, sections=2)
    db_session.commit()
    ids = [str(row.statement_id) for row in rows(db_session)]
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "xapi", "export"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ids

    target = tmp_path / "statements.jsonl"
    result = runner.invoke(args=["lms", "xapi", "export", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert f"{len(ids)} statement(s) written" in result.output
    assert target.read_text().splitlines() == lines

    result = runner.invoke(args=["lms", "xapi", "export", "--since", "2999-01-01"])
    assert result.exit_code == 0 and result.output == ""
    result = runner.invoke(args=["lms", "xapi", "export", "--since", "yesterday"])
    assert result.exit_code != 0 and "ISO" in result.output


def test_deliver_without_an_lrs_keeps_the_statements(app, db_session, course, make_learner):
    learner = make_learner()
    walk(db_session, learner.enrolment, learner.user, course, sections=1)
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["lms", "xapi", "deliver", "--once"])
    assert result.exit_code == 0
    assert "No LRS configured" in result.output
    with app.app_context():
        assert len(rows(db.session)) == 2
