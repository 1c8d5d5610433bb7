"""`lms import --dry-run`: what a re-import changes, by id, and which learners it affects."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.assessment.models import Attempt
from lms.authoring.importer import import_paths, plan_import
from lms.catalog.models import CourseVersion, QuestionBankVersion
from lms.catalog.queries import get_course, get_course_def
from lms.certification.models import REVOKED, Certificate, SigningKey
from lms.core.db import db
from lms.learning.models import Completion, Enrolment, SectionVisit
from lms.versions.cli import import_cmd
from lms.versions.impact import plan_impact
from tests.versions.conftest import Content

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def records(app: Flask, content: Content, make_user) -> dict[str, int]:
    """Version 1 imported, and learners' records of it (see each learner's comment)."""
    content.write(1)
    people = {name: make_user(name=name).id for name in "ABCDEF"}
    with app.app_context():
        session = db.session
        import_paths(session, content.paths, content.certificates)
        course = get_course_def(session, "dry")
        assert course is not None
        cid = course.course_id

        def visit(person: str, *sections: str) -> None:
            for section in sections:
                session.add(SectionVisit(user_id=people[person], course_id=cid, section_id=section))

        visit("A", "s1", "s2")  # opened s2, which disappears
        visit("B", "s5")  # opened s5 (disappears with m2) and completed e2
        session.add(Completion(user_id=people["B"], course_id=cid, kind="activity", item_id="e2"))
        visit("C", "s1", "s3", "s4")  # only ids that stay
        enrolment = Enrolment(user_id=people["D"], course_id=cid)
        session.add(enrolment)
        session.flush()
        session.add(  # inside an open attempt of t1, whose bank changes
            Attempt(
                user_id=people["D"],
                course_id=cid,
                activity_id="t1",
                enrolment_id=enrolment.id,
                number=1,
                status="open",
                course_version_id=course.version_id,
                rules={},
                questions=[],
            )
        )
        key = SigningKey(kid="k1", public_key="x")
        session.add(key)
        session.flush()
        for person, status in (("E", "valid"), ("F", REVOKED)):
            session.add(
                Certificate(
                    code=f"CODE{person}",
                    user_id=people[person],
                    course_id=cid,
                    course_version_id=course.version_id,
                    course_version=1,
                    holder_name=person,
                    language="nl",
                    course_title="Proef",
                    template="demo",
                    issuer="FOD BOSA",
                    completed_at=NOW,
                    summary={},
                    payload="{}",
                    signature="s",
                    key_id=key.id,
                    status=status,
                )
            )
        session.commit()
    content.write(2)
    return people


def _versions(session: Session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count()).select_from(CourseVersion)),
        session.scalar(select(func.count()).select_from(QuestionBankVersion)),
    )


def test_the_plan_lists_changes_by_id_and_counts_the_learners(
    app: Flask, content: Content, records: dict[str, int]
) -> None:
    with app.app_context():
        plan = plan_import(db.session, content.paths, content.certificates)
        changes = {item.slug: item.changes.to_json() for item in plan.changed}
        assert changes["dry"]["levels"] == {
            "modules": {"added": [], "removed": ["m2"], "changed": [], "moved": []},
            "activities": {"added": [], "removed": ["e2"], "changed": [], "moved": []},
            "lessons": {"added": [], "removed": ["les-c"], "changed": [], "moved": []},
            "sections": {
                "added": ["s6"],
                "removed": ["s2", "s5"],
                "changed": ["s3"],
                "moved": ["s4"],
            },
        }
        assert changes["dry"]["settings"] == []
        assert changes["bank-a"]["levels"] == {
            "questions": {"added": ["q4"], "removed": ["q1"], "changed": ["q2"], "moved": []}
        }
        impact = plan_impact(db.session, plan)["dry"]
        assert impact.removed_sections_opened == {"s2": 1, "s5": 1}
        assert impact.removed_items_completed == {"e2": 1}
        assert impact.learners_losing_ids == 2  # A and B
        assert impact.open_attempts == 1  # D
        assert impact.changed_tests == ["t1"]
        assert impact.certificate_holders == 1  # E (F's certificate is revoked)
        assert impact.needs_allow_removal


def test_dry_run_reports_and_writes_nothing(
    app: Flask, content: Content, records: dict[str, int]
) -> None:
    with app.app_context():
        before = _versions(db.session)
    result = content.configure(app).test_cli_runner().invoke(import_cmd, ["--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:5] == [
        "bank bank-a: changes version 1",
        "  questions added: q4",
        "  questions removed: q1",
        "  questions changed: q2",
        "course dry: changes version 1",
    ]
    assert "  sections removed: s2, s5" in lines
    assert "  sections moved: s4" in lines
    assert "  1 learner(s) opened removed section s2" in lines
    assert "  1 learner(s) completed removed e2" in lines
    assert any(
        line.startswith("  2 learner(s) in all: their progress percentage") for line in lines
    )
    assert any(
        line.startswith("  1 learner(s) inside an open attempt of a changed test (t1)")
        for line in lines
    )
    assert any(
        line.startswith("  1 learner(s) hold a certificate of the version") for line in lines
    )
    assert "dry run: nothing was imported" in result.stderr
    with app.app_context():
        assert _versions(db.session) == before


def test_removing_completed_ids_needs_allow_removal(
    app: Flask, content: Content, records: dict[str, int]
) -> None:
    runner = content.configure(app).test_cli_runner()
    refused = runner.invoke(import_cmd, [])
    assert refused.exit_code == 1
    assert (
        "nothing was imported: dry remove ids that learners opened or completed" in refused.stderr
    )
    assert "progress percentages" in refused.stderr and "--allow-removal" in refused.stderr
    with app.app_context():
        assert get_course(db.session, "dry").current_version.number == 1
    done = runner.invoke(import_cmd, ["--allow-removal"])
    assert done.exit_code == 0, done.output
    assert "course dry: new version 2" in done.stdout.splitlines()
    with app.app_context():
        version = get_course(db.session, "dry").current_version
        assert version.number == 2
        assert version.imported_by == "lms import"
        # The summary stored with the version is the one the dry run printed.
        assert version.changes["levels"]["sections"]["removed"] == ["s2", "s5"]
        assert version.changes["affected"]["learners_losing_ids"] == 2
        assert version.changes["affected"]["certificate_holders"] == 1


def test_removing_ids_nobody_completed_needs_no_flag(
    app: Flask, content: Content, make_user
) -> None:
    content.write(1)
    runner = content.configure(app).test_cli_runner()
    assert runner.invoke(import_cmd, []).exit_code == 0
    content.write(2)
    result = runner.invoke(import_cmd, [])
    assert result.exit_code == 0, result.output
    assert "course dry: new version 2" in result.stdout.splitlines()
