"""The typed view of a stored version, and its cache."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lms.authoring.importer import import_paths
from lms.catalog import queries
from lms.catalog.queries import get_course_def, get_course_version_def
from lms.catalog.readmodel import localise
from tests.catalog.conftest import CourseTree


def test_course_view_has_lookups_in_reading_order(db_session: Session, tree: CourseTree) -> None:
    import_paths(db_session, tree.paths, tree.certificates)
    course = get_course_def(db_session, "demo")
    assert course is not None
    assert course.languages == ("nl", "fr")
    assert course.certificate_template == "demo"
    assert [m.id for m in course.modules] == ["m1", "m2"]
    assert [s.id for s in course.sections] == ["inleiding", "aan-het-loket"]
    assert [s.index for s in course.sections] == [0, 1]
    section = course.sections_by_id["aan-het-loket"]
    assert (section.module_id, section.activity_id, section.lesson_id) == (
        "m1",
        "m1-elearning",
        "wat-is-het",
    )
    assert section.video["url"] == "https://video.example.org/loket.mp4"
    test = course.activities_by_id["m1-test"]
    assert test.settings == {
        "quiz": "demo-bank",
        "questions": 2,
        "pass_mark": 0.7,
        "max_attempts": 3,
    }
    module = course.modules_by_id["m1"]
    assert module.completion == ("m1-elearning", "m1-test")
    assert [a.id for a in module.counted_activities] == ["m1-elearning", "m1-test"]
    assert [a.id for a in course.modules_by_id["m2"].counted_activities] == [
        "webinar-1",
        "terugkommoment",
    ]
    assert course.text(course.title, "de") == "Demo-opleiding"
    assert course.text(course.title, "fr") == "Formation démo"


def test_localise_falls_back_to_the_default_language() -> None:
    assert localise({"nl": "Hallo", "fr": "Bonjour"}, "fr", "nl") == "Bonjour"
    assert localise({"nl": "Hallo"}, "en", "nl") == "Hallo"
    assert localise({"fr": "Bonjour"}, "en", "nl") == "Bonjour"
    assert localise(None, "nl", "nl") == ""


def test_views_are_cached_per_version(db_session: Session, tree: CourseTree, monkeypatch) -> None:
    queries.clear_cache()
    import_paths(db_session, tree.paths, tree.certificates)
    built = []
    original = queries.build_course_def
    monkeypatch.setattr(
        queries, "build_course_def", lambda *a, **kw: built.append(1) or original(*a, **kw)
    )
    first = get_course_def(db_session, "demo")
    again = get_course_def(db_session, "demo")
    assert again is first
    assert get_course_version_def(db_session, first.version_id) is first
    assert len(built) == 1

    tree.edit("courses/demo.yaml", lambda s: s.replace("Samen leren", "Samen verder leren"))
    import_paths(db_session, tree.paths, tree.certificates)
    second = get_course_def(db_session, "demo")
    assert second is not first
    assert second.version_number == 2
    assert len(built) == 2
    assert get_course_def(db_session, "no-such-course") is None


def test_several_current_courses_in_a_constant_number_of_queries(
    db_session: Session, tree: CourseTree
) -> None:
    from sqlalchemy import event

    tree.write(
        "courses/second.yaml",
        "id: second\ntitle: Tweede\nlanguages: [nl]\nmodules:\n  - id: m1\n    title: M\n"
        "    activities:\n      - {id: f, type: forum, title: Forum, prompt: Deel iets.}\n",
    )
    import_paths(db_session, tree.paths, tree.certificates)
    queries.clear_cache()
    ids = [get_course_def(db_session, slug).course_id for slug in ("demo", "second")]
    queries.clear_cache()
    statements: list[str] = []
    connection = db_session.connection()

    def count(*args) -> None:
        statements.append(args[2])

    event.listen(connection, "before_cursor_execute", count)
    try:
        cold = queries.get_current_course_defs(db_session, ids)
        assert len(statements) == 2
        warm = queries.get_current_course_defs(db_session, ids)
        assert len(statements) == 3
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert sorted(c.slug for c in cold.values()) == ["demo", "second"]
    assert all(warm[i] is cold[i] for i in ids)
    assert queries.get_current_course_defs(db_session, []) == {}


def test_derived_lists_are_built_once_per_version(db_session: Session, tree: CourseTree) -> None:
    """Reports run the engine for every person and course: what it derives from the
    (immutable) version must be built once and shared, not rebuilt per person."""
    import_paths(db_session, tree.paths, tree.certificates)
    course = get_course_def(db_session, "demo")
    elearning = course.activities_by_id["m1-elearning"]
    lesson = elearning.lessons[0]
    module = course.modules_by_id["m1"]
    for owner, name in (
        (elearning, "sections"),
        (elearning, "section_ids"),
        (elearning, "section_id_set"),
        (lesson, "section_id_set"),
        (module, "counted_activities"),
        (course, "counted_modules"),
    ):
        assert getattr(owner, name) is getattr(owner, name), name
    assert elearning.section_id_set == frozenset(elearning.section_ids)
    assert lesson.section_id_set == {s.id for s in lesson.sections}
    # The cache is the shared one: a second read of the version gives the same objects.
    again = get_course_def(db_session, "demo").activities_by_id["m1-elearning"]
    assert again.section_id_set is elearning.section_id_set
