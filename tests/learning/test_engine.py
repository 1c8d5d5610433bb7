"""The completion engine: every rule, and what recorded completions mean after an edit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lms.catalog.readmodel import build_course_def
from lms.learning import engine
from lms.learning.engine import ActivityReport, LearnerRecords, compute, new_completions

T = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


def elearning(aid: str, lessons: dict[str, list[str]]) -> dict:
    return {
        "id": aid,
        "type": "elearning",
        "title": {"nl": aid},
        "description": None,
        "settings": {
            "lessons": [
                {
                    "id": lid,
                    "title": {"nl": lid},
                    "sections": [
                        {"id": sid, "title": {"nl": sid}, "body": {"nl": "tekst"}}
                        for sid in sections
                    ],
                }
                for lid, sections in lessons.items()
            ]
        },
    }


def other(aid: str, type_: str = "test") -> dict:
    return {"id": aid, "type": type_, "title": {"nl": aid}, "description": None, "settings": {}}


def course(modules: list[dict], completion="all") -> engine.CourseDef:
    definition = {
        "id": "c",
        "title": {"nl": "C"},
        "description": None,
        "languages": ["nl"],
        "completion": completion,
        "certificate": None,
        "enrolment": "open",
        "modules": modules,
        "assets": {},
    }
    return build_course_def(definition, course_id=1, version_id=1, number=1, content_hash="x")


def module(mid: str, activities: list[dict], completion="all") -> dict:
    return {
        "id": mid,
        "title": {"nl": mid},
        "description": None,
        "completion": completion,
        "activities": activities,
    }


def records(visited=(), completions=None, reports=None) -> LearnerRecords:
    return LearnerRecords(frozenset(visited), completions or {}, reports or {})


@pytest.fixture
def two_modules():
    return course(
        [
            module("m1", [elearning("e1", {"l1": ["s1", "s2", "s3", "s4"]}), other("t1")]),
            module("m2", [elearning("e2", {"l2": ["s5", "s6"], "l3": ["s7", "s8"]})]),
        ]
    )


def test_elearning_progress_is_sections_opened_over_sections(two_modules):
    state = compute(two_modules, records({"s1", "s2", "s3"}))
    e1 = state.activities["e1"]
    assert (e1.done_count, e1.total_count, e1.percent, e1.status) == (3, 4, 75, "in_progress")
    assert state.lessons["l1"].percent == 75
    assert state.activities["e2"].status == "not_started"


def test_elearning_done_when_all_sections_opened(two_modules):
    state = compute(two_modules, records({"s1", "s2", "s3", "s4"}))
    assert state.activities["e1"].status == "completed"
    # Module m1 also needs the test: not complete, progress is the mean of its activities.
    assert state.modules["m1"].status == "in_progress"
    assert state.modules["m1"].progress == pytest.approx(0.5)


def test_course_progress_is_mean_of_modules(two_modules):
    state = compute(two_modules, records({"s1", "s2", "s5"}))
    # m1: (0.5 + 0) / 2 = 0.25; m2: 1/4 = 0.25 -> course 0.25
    assert state.course.progress == pytest.approx(0.25)
    assert state.course.status == "in_progress"


def test_module_rule_all_any_and_list():
    acts = [elearning("e", {"l": ["s1", "s2"]}), other("t"), other("f", "forum")]
    all_ = course([module("m", acts, "all")])
    any_ = course([module("m", acts, "any")])
    listed = course([module("m", acts, ["e", "f"])])
    rec = records({"s1", "s2"})
    assert compute(all_, rec).modules["m"].status == "in_progress"
    assert compute(any_, rec).modules["m"].status == "completed"
    assert compute(listed, rec).modules["m"].status == "in_progress"
    assert compute(listed, rec).modules["m"].progress == pytest.approx(0.5)
    with_forum = records({"s1", "s2"}, {("activity", "f"): T})
    assert compute(listed, with_forum).modules["m"].status == "completed"
    # The unlisted test does not matter for the listed rule.
    assert compute(listed, with_forum).activities["t"].status == "not_started"


def test_course_rule_any_and_list():
    mods = [module("m1", [other("a")]), module("m2", [other("b")]), module("m3", [other("c")])]
    rec = records(completions={("activity", "b"): T})
    assert compute(course(mods, "any"), rec).course.status == "completed"
    assert compute(course(mods, ["m1", "m2"]), rec).course.status == "in_progress"
    assert compute(course(mods, ["m2"]), rec).course.status == "completed"
    assert compute(course(mods, "all"), rec).course.percent == 33


def test_other_activity_types_report_through_providers():
    c = course([module("m", [other("t"), other("f", "forum")])])
    rec = records(
        reports={"t": ActivityReport(0.0, "failed"), "f": ActivityReport(0.5, "in_progress")}
    )
    state = compute(c, rec)
    assert state.activities["t"].status == "failed"
    assert state.activities["f"].progress == 0.5
    passed = records(
        completions={("activity", "t"): T}, reports={"t": ActivityReport(1.0, "passed")}
    )
    assert compute(c, passed).activities["t"].status == "passed"


def test_new_completions_innermost_first_and_only_once(two_modules):
    rec = records({"s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"}, {("activity", "t1"): T})
    state = compute(two_modules, rec)
    found = [(n.kind, n.item_id) for n in new_completions(two_modules, state, rec)]
    assert found == [
        ("activity", "e1"),
        ("activity", "e2"),
        ("module", "m1"),
        ("module", "m2"),
        ("course", "c"),
    ]
    done = records(rec.visited_sections, {**rec.completions, **dict.fromkeys(found, T)})
    assert new_completions(two_modules, compute(two_modules, done), done) == []


def test_a_recorded_completion_survives_a_course_that_grows():
    before = course([module("m1", [elearning("e1", {"l1": ["s1", "s2"]})])])
    rec = records({"s1", "s2"}, {("activity", "e1"): T, ("module", "m1"): T, ("course", "c"): T})
    assert compute(before, rec).course.done
    grown = course(
        [
            module("m1", [elearning("e1", {"l1": ["s1", "s2", "s3"]})]),
            module("m2", [other("t2")]),
        ]
    )
    state = compute(grown, rec)
    assert state.course.status == "completed" and state.course.completed_at == T
    assert state.modules["m1"].done and state.activities["e1"].done
    # The new module is shown as still to do, but does not undo the completion.
    assert state.modules["m2"].status == "not_started"


def test_a_learner_who_has_not_finished_sees_new_items_as_to_do():
    grown = course(
        [
            module("m1", [elearning("e1", {"l1": ["s1", "s2", "s3"]})]),
            module("m2", [other("t2")]),
        ]
    )
    rec = records({"s1", "s2"})
    state = compute(grown, rec)
    assert state.activities["e1"].done_count == 2 and state.activities["e1"].total_count == 3
    assert not state.course.done
    assert state.course.progress == pytest.approx((2 / 3 + 0) / 2)


def test_visits_of_removed_sections_do_not_count():
    c = course([module("m1", [elearning("e1", {"l1": ["s1", "s2"]})])])
    state = compute(c, records({"s1", "gone"}))
    assert state.activities["e1"].done_count == 1 and state.activities["e1"].percent == 50


def test_percent_never_rounds_up_to_100():
    c = course([module("m1", [elearning("e1", {"l1": [f"s{i}" for i in range(1000)]})])])
    state = compute(c, records({f"s{i}" for i in range(999)}))
    assert state.activities["e1"].percent == 99


def test_provider_registration_refuses_a_second_provider():
    def first(*_):
        return {}

    engine.register_progress_provider("test-dummy-type", first)
    engine.register_progress_provider("test-dummy-type", first)  # the same: fine
    with pytest.raises(ValueError):
        engine.register_progress_provider("test-dummy-type", lambda *_: {})


def test_without_lessons_every_other_state_is_the_same(two_modules):
    """The reports compute without the lessons' states: nothing else may differ, whatever
    the records (sections opened, completions recorded, providers' reports)."""
    import itertools

    sections = ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "gone"]
    variants = [
        records(),
        records({"s1"}, reports={"t1": ActivityReport(0.0, engine.FAILED)}),
        records({"s1", "s2", "s3", "s4"}, reports={"t1": ActivityReport(1.0, engine.PASSED)}),
        records({"s5", "s6", "s7", "s8"}, {("module", "m2"): T}),
        records({"gone"}, {("activity", "e1"): T, ("course", "c"): T}),
    ]
    variants += [records(set(c)) for c in itertools.combinations(sections, 3)]
    for learner in variants:
        full = compute(two_modules, learner)
        lean = compute(two_modules, learner, lessons=False)
        assert lean.lessons == {}
        assert (lean.course, lean.modules, lean.activities) == (
            full.course,
            full.modules,
            full.activities,
        )
        assert full.lessons  # the default still computes them
