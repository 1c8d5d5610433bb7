"""A learner's recorded progress survives re-imports that reshape the course.

Visits are keyed by (course, section id). Version 2 of the course below adds a section,
reorders sections, retitles one, moves one to another lesson and removes one.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.authoring.importer import import_paths
from lms.catalog.queries import get_course_def
from lms.catalog.readmodel import CourseDef
from lms.core.db import utcnow
from lms.learning.models import SectionVisit

COURSE = """\
id: blended
title: Blended
languages: [nl]
modules:
  - id: m1
    title: Module 1
    activities:
      - id: m1-elearning
        type: elearning
        title: E-learning
        lessons:
{lessons}
"""

VERSION_1 = {
    "les-a": [("s1", "Eén"), ("s2", "Twee"), ("s3", "Drie")],
    "les-b": [("s4", "Vier"), ("s5", "Vijf")],
}
VERSION_2 = {
    # s2 and s1 swapped, s1 retitled, s4 moved here from les-b, s6 added; s5 removed.
    "les-a": [("s2", "Twee"), ("s1", "Eén (herzien)"), ("s4", "Vier"), ("s6", "Zes")],
    "les-b": [("s3", "Drie")],
}


def _write(folder: Path, lessons: dict[str, list[tuple[str, str]]]) -> None:
    lines = []
    for lesson, sections in lessons.items():
        lines += [
            f"          - id: {lesson}",
            f"            title: Les {lesson}",
            "            sections:",
        ]
        for ident, title in sections:
            lines += [
                f"              - id: {ident}",
                f"                title: {title}",
                f"                body: Tekst van {ident}.",
            ]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "blended.yaml").write_text(COURSE.format(lessons="\n".join(lines)), "utf-8")


def _visit(session: Session, user_id: int, course: CourseDef, *sections: str) -> None:
    for section in sections:
        assert section in course.sections_by_id
        now = utcnow()
        session.add(
            SectionVisit(
                user_id=user_id,
                course_id=course.course_id,
                section_id=section,
                first_visited_at=now,
                last_visited_at=now,
            )
        )
    session.flush()


def _visited(session: Session, user_id: int, course: CourseDef) -> set[str]:
    return set(
        session.scalars(
            select(SectionVisit.section_id).where(
                SectionVisit.user_id == user_id, SectionVisit.course_id == course.course_id
            )
        )
    )


def _progress(session: Session, user_id: int, course: CourseDef) -> tuple[list[str], int]:
    """Visited sections of the current version, in reading order, and the number of sections."""
    visited = _visited(session, user_id, course)
    return [s.id for s in course.sections if s.id in visited], len(course.sections)


def test_progress_survives_a_reshaped_course(db_session: Session, make_user, tmp_path: Path):
    learner = make_user()
    folder = tmp_path / "courses"
    _write(folder, VERSION_1)
    assert import_paths(db_session, [folder], None).lines() == [
        "course blended: created (version 1)"
    ]
    v1 = get_course_def(db_session, "blended")
    _visit(db_session, learner.id, v1, "s1", "s2", "s4", "s5")
    assert _progress(db_session, learner.id, v1) == (["s1", "s2", "s4", "s5"], 5)

    _write(folder, VERSION_2)
    assert import_paths(db_session, [folder], None).lines() == ["course blended: new version 2"]
    v2 = get_course_def(db_session, "blended")
    assert v2.version_number == 2
    assert v2.course_id == v1.course_id
    assert [s.id for s in v2.sections] == ["s2", "s1", "s4", "s6", "s3"]
    assert v2.sections_by_id["s4"].lesson_id == "les-a"
    assert v2.sections_by_id["s1"].title == {"nl": "Eén (herzien)"}

    # Reordered, retitled and moved sections keep their visits; the new one is still to do.
    assert _progress(db_session, learner.id, v2) == (["s2", "s1", "s4"], 5)
    lesson_a = v2.lessons_by_id["les-a"]
    visited = _visited(db_session, learner.id, v2)
    assert [s.id for s in lesson_a.sections if s.id in visited] == ["s2", "s1", "s4"]
    # The visit of the removed section is kept, not deleted ...
    assert "s5" in visited
    assert "s5" not in v2.sections_by_id
    # ... so it counts again if the section comes back.
    _write(folder, VERSION_1)
    assert import_paths(db_session, [folder], None).lines() == ["course blended: new version 3"]
    v3 = get_course_def(db_session, "blended")
    assert _progress(db_session, learner.id, v3) == (["s1", "s2", "s4", "s5"], 5)


def test_a_visit_stays_with_its_course(db_session: Session, make_user, tmp_path: Path):
    """Two courses may use the same section id; visits are per course."""
    learner = make_user()
    first, second = tmp_path / "first", tmp_path / "second"
    _write(first, VERSION_1)
    _write(second, VERSION_1)
    (second / "blended.yaml").write_text(
        (second / "blended.yaml").read_text("utf-8").replace("id: blended", "id: other"), "utf-8"
    )
    import_paths(db_session, [first, second], None)
    blended, other = get_course_def(db_session, "blended"), get_course_def(db_session, "other")
    _visit(db_session, learner.id, blended, "s1")
    assert _progress(db_session, learner.id, blended) == (["s1"], 5)
    assert _progress(db_session, learner.id, other) == ([], 5)
