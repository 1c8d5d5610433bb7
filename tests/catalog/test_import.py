"""Importing course and bank files: versions, no-op re-imports, all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.authoring.importer import ImportFailed, import_paths
from lms.authoring.validate import validate_paths
from lms.catalog.models import Course, CourseVersion, QuestionBank, QuestionBankVersion
from lms.catalog.queries import (
    current_bank_sizes,
    get_bank_def,
    get_course,
    get_course_def,
    list_courses,
)
from tests.authoring.helpers import BROKEN, measured
from tests.catalog.conftest import CourseTree


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _import(session: Session, tree: CourseTree):
    return import_paths(session, tree.paths, tree.certificates)


def test_first_import_creates_course_and_bank(db_session: Session, tree: CourseTree) -> None:
    report = _import(db_session, tree)
    assert report.lines() == [
        "bank demo-bank: created (version 1)",
        "course demo: created (version 1)",
    ]
    course = get_course(db_session, "demo")
    assert course is not None
    assert course.current_version is not None
    assert course.current_version.number == 1
    assert len(course.current_version.content_hash) == 64
    assert course.current_version.source_path.endswith("courses/demo.yaml")
    definition = course.current_version.definition
    section = definition["modules"][0]["activities"][0]["settings"]["lessons"][0]["sections"][0]
    # Included Markdown is inlined, per language; the included images are listed with a hash.
    assert section["body"]["nl"].startswith("# Inleiding")
    assert section["body"]["fr"].startswith("# Introduction")
    assert section["body_path"] == {"nl": "demo/m1/intro.nl.md", "fr": "demo/m1/intro.fr.md"}
    assert list(definition["assets"]) == ["demo/img/counter.svg"]
    # Defaults are filled in.
    forum = definition["modules"][0]["activities"][1]
    assert forum["settings"] == {
        "prompt": {"nl": "Deel een ervaring.", "fr": "Partagez une expérience."},
        "required_posts": 1,
    }


def test_bank_answers_are_stored_as_flags(db_session: Session, tree: CourseTree) -> None:
    _import(db_session, tree)
    bank = get_bank_def(db_session, "demo-bank")
    assert bank is not None
    choices = bank.questions_by_id["apps"].settings["choices"]
    assert [(c["id"], c["correct"]) for c in choices] == [
        ("itsme", True),
        ("ebox", True),
        ("brief", False),
    ]
    assert bank.questions_by_id["itsme-gratis"].settings["answer"] is True


def test_unchanged_files_are_a_no_op(db_session: Session, tree: CourseTree) -> None:
    _import(db_session, tree)
    db_session.flush()
    versions = _count(db_session, CourseVersion)
    report = _import(db_session, tree)
    assert report.lines() == [
        "bank demo-bank: unchanged (version 1)",
        "course demo: unchanged (version 1)",
    ]
    assert not report.changed
    assert not db_session.new and not db_session.dirty
    assert _count(db_session, CourseVersion) == versions


def test_a_changed_course_becomes_a_new_version(db_session: Session, tree: CourseTree) -> None:
    _import(db_session, tree)
    first = get_course_def(db_session, "demo")
    tree.edit("courses/demo.yaml", lambda s: s.replace("Digitale inclusie", "Digitale insluiting"))
    report = _import(db_session, tree)
    assert "course demo: new version 2" in report.lines()
    assert "bank demo-bank: unchanged (version 1)" in report.lines()
    second = get_course_def(db_session, "demo")
    assert second.version_number == 2
    assert second.course_id == first.course_id
    assert second.modules[0].title["nl"] == "Digitale insluiting"
    # The first version is still there, unchanged.
    old = db_session.scalar(select(CourseVersion).where(CourseVersion.number == 1))
    assert old.definition["modules"][0]["title"]["nl"] == "Digitale inclusie"
    assert [c.version for c in list_courses(db_session)] == [2]


def test_a_changed_included_file_or_image_makes_a_new_version(
    db_session: Session, tree: CourseTree
) -> None:
    _import(db_session, tree)
    tree.edit("courses/demo/m1/intro.fr.md", lambda s: s + "\nUne phrase de plus.\n")
    assert "course demo: new version 2" in _import(db_session, tree).lines()
    tree.edit("courses/demo/img/counter.svg", lambda s: s.replace('width="10"', 'width="12"'))
    assert "course demo: new version 3" in _import(db_session, tree).lines()


def test_comments_and_layout_are_not_changes(db_session: Session, tree: CourseTree) -> None:
    _import(db_session, tree)
    tree.edit(
        "courses/demo.yaml",
        lambda s: (
            "# edited layout only\n"
            + s.replace(
                "title: {nl: Forum, fr: Forum}", "title:\n          nl: Forum\n          fr: Forum"
            )
        ),
    )
    assert "course demo: unchanged (version 1)" in _import(db_session, tree).lines()


def test_any_error_means_nothing_is_written(db_session: Session, tree: CourseTree) -> None:
    tree.write(
        "courses/other.yaml",
        "id: other\ntitle: Ander\nlanguages: [nl]\nmodules:\n  - id: m1\n    title: M\n"
        "    activities:\n      - {id: t, type: test, title: T, quiz: no-such-bank}\n",
    )
    with pytest.raises(ImportFailed) as failed:
        _import(db_session, tree)
    assert [(d.code, d.line, d.col) for d in failed.value.diagnostics if d.is_error] == [
        ("E302", 8, 45)
    ]
    assert _count(db_session, Course) == 0
    assert _count(db_session, QuestionBank) == 0
    assert _count(db_session, QuestionBankVersion) == 0


def test_a_billion_laughs_is_refused_fast_and_nothing_written(
    db_session: Session, tree: CourseTree
) -> None:
    # Warm up (models, imports, the first query), so that the bomb alone is measured.
    validate_paths(tree.paths, tree.certificates)
    current_bank_sizes(db_session)
    tree.write("courses/bomb.yaml", (BROKEN / "alias-expansion.yaml").read_text("utf-8"))

    def attempt() -> ImportFailed:
        with pytest.raises(ImportFailed) as failed:
            import_paths(db_session, [tree.courses / "bomb.yaml"], tree.certificates)
        return failed.value

    run = measured(attempt)
    print(
        f"\nimport: refused in {run.seconds * 1000:.1f} ms, peak {run.peak_bytes / 2**20:.2f} MiB"
    )
    assert [(d.code, d.line, d.col) for d in run.result.diagnostics if d.is_error] == [
        ("E106", 7, 45)
    ]
    assert run.result.diagnostics[0].file.endswith("courses/bomb.yaml")
    assert run.seconds < 0.5
    assert run.peak_bytes < 20 * 2**20
    assert _count(db_session, Course) == 0


def test_a_course_may_use_a_bank_imported_before(db_session: Session, tree: CourseTree) -> None:
    import_paths(db_session, [tree.quizzes], tree.certificates)
    report = import_paths(db_session, [tree.courses], tree.certificates)
    assert report.lines() == ["course demo: created (version 1)"]


def test_the_draw_count_is_checked_against_an_imported_bank(
    db_session: Session, tree: CourseTree
) -> None:
    import_paths(db_session, [tree.quizzes], tree.certificates)
    tree.edit("courses/demo.yaml", lambda s: s.replace("questions: 2", "questions: 4"))
    with pytest.raises(ImportFailed) as failed:
        import_paths(db_session, [tree.courses], tree.certificates)
    assert [d.code for d in failed.value.diagnostics if d.is_error] == ["E303"]
