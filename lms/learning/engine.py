"""The completion engine: the one source of truth for every status and percentage.

Given a course version (``CourseDef``) and a learner's records (section visits, recorded
completions, and what other activity types report), it computes the state of every activity,
module and the course. The learner's pages, the coordinators' reports and the exports all read
these numbers; nothing else computes progress.

Rules (docs/architecture.md, "Completion"):

- e-learning: progress = sections opened / sections of the current version; done when all are
  opened;
- other activity types report through a progress provider (tests: passed; forums: posts;
  sessions: attended). Without one, an activity is done once its completion is recorded;
- module: by its ``completion`` rule (all, any, or the listed activities); progress = mean of
  its counted activities' progress ("any": the best of them);
- course: the same over its modules;
- a recorded completion is a fact: an activity, module or course whose completion was recorded
  stays done (100%) when the course later grows, while a learner who has not finished sees new
  required items as still to do.

Pure functions only: callers load the records (a fixed number of queries) and pass them in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from lms.catalog.readmodel import ActivityDef, CourseDef, ModuleDef

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
PASSED = "passed"
FAILED = "failed"
DONE_STATUSES = frozenset({COMPLETED, PASSED})


@dataclass(frozen=True)
class ActivityReport:
    """What an activity type reports about one learner's activity (for providers)."""

    progress: float
    status: str


@dataclass(frozen=True)
class State:
    """The state of one activity, module or the course for one learner."""

    progress: float  # 0.0 .. 1.0
    status: str
    completed_at: datetime | None = None
    #: For e-learnings: sections opened and sections in all, for "7 of 12".
    done_count: int = 0
    total_count: int = 0

    @property
    def done(self) -> bool:
        return self.status in DONE_STATUSES

    @property
    def percent(self) -> int:
        """Whole percent, rounded down so that 99.9% never shows as 100%."""
        return int(self.progress * 100 + 1e-9)


@dataclass(frozen=True)
class LearnerRecords:
    """Everything the engine needs about one learner in one course."""

    visited_sections: frozenset[str] = frozenset()
    #: (kind, item id) -> time, kind in "activity", "module", "course".
    completions: Mapping[tuple[str, str], datetime] = field(default_factory=dict)
    #: Reports of activity types with a provider, by activity id.
    reports: Mapping[str, ActivityReport] = field(default_factory=dict)


@dataclass(frozen=True)
class CourseState:
    course: State
    modules: Mapping[str, State]
    activities: Mapping[str, State]
    lessons: Mapping[str, State]

    def module(self, module_id: str) -> State:
        return self.modules[module_id]


def _ratio(done: int, total: int) -> float:
    return done / total if total else 0.0


def _status_from_progress(progress: float) -> str:
    if progress >= 1.0:
        return COMPLETED
    return IN_PROGRESS if progress > 0 else NOT_STARTED


def _combine(rule: str | tuple[str, ...], states: list[State]) -> tuple[bool, float]:
    """Apply a completion rule to the counted children: (rule met, progress)."""
    if not states:
        return False, 0.0
    if rule == "any":
        return any(s.done for s in states), max(s.progress for s in states)
    return all(s.done for s in states), sum(s.progress for s in states) / len(states)


def _recorded(records: LearnerRecords, kind: str, item_id: str) -> datetime | None:
    return records.completions.get((kind, item_id))


def elearning_state(activity: ActivityDef, records: LearnerRecords) -> State:
    sections = activity.section_ids
    opened = len(activity.section_id_set & records.visited_sections)
    recorded = _recorded(records, "activity", activity.id)
    if recorded is not None:
        return State(1.0, COMPLETED, recorded, opened, len(sections))
    progress = _ratio(opened, len(sections))
    return State(progress, _status_from_progress(progress), None, opened, len(sections))


def activity_state(activity: ActivityDef, records: LearnerRecords) -> State:
    if activity.type == "elearning":
        return elearning_state(activity, records)
    recorded = _recorded(records, "activity", activity.id)
    report = records.reports.get(activity.id)
    if recorded is not None:
        status = PASSED if report is not None and report.status == PASSED else COMPLETED
        return State(1.0, status, recorded)
    if report is not None:
        return State(min(max(report.progress, 0.0), 1.0), report.status)
    return State(0.0, NOT_STARTED)


def module_state(
    module: ModuleDef, activities: Mapping[str, State], records: LearnerRecords
) -> State:
    recorded = _recorded(records, "module", module.id)
    if recorded is not None:
        return State(1.0, COMPLETED, recorded)
    met, progress = _combine(
        module.completion, [activities[a.id] for a in module.counted_activities]
    )
    if met:
        return State(1.0, COMPLETED)
    any_started = any(activities[a.id].status != NOT_STARTED for a in module.activities)
    return State(progress, IN_PROGRESS if progress > 0 or any_started else NOT_STARTED)


def compute(course: CourseDef, records: LearnerRecords, *, lessons: bool = True) -> CourseState:
    """Every state of one learner in one course version. ``lessons=False`` leaves the lessons'
    states out (``CourseState.lessons`` empty; nothing else changes): the reports, which
    compute thousands of learners and show no lesson, do not pay for them."""
    activities: dict[str, State] = {}
    lesson_states: dict[str, State] = {}
    modules: dict[str, State] = {}
    for module in course.modules:
        for activity in module.activities:
            activities[activity.id] = activity_state(activity, records)
            for lesson in activity.lessons if lessons else ():
                opened = len(lesson.section_id_set & records.visited_sections)
                progress = _ratio(opened, len(lesson.sections))
                lesson_states[lesson.id] = State(
                    progress, _status_from_progress(progress), None, opened, len(lesson.sections)
                )
        modules[module.id] = module_state(module, activities, records)
    recorded = _recorded(records, "course", course.slug)
    if recorded is not None:
        course_state = State(1.0, COMPLETED, recorded)
    else:
        met, progress = _combine(course.completion, [modules[m.id] for m in course.counted_modules])
        if met:
            course_state = State(1.0, COMPLETED)
        else:
            started = any(s.status != NOT_STARTED for s in modules.values())
            course_state = State(progress, IN_PROGRESS if progress > 0 or started else NOT_STARTED)
    return CourseState(course_state, modules, activities, lesson_states)


@dataclass(frozen=True)
class NewCompletion:
    kind: str  # "activity", "module", "course"
    item_id: str


def new_completions(
    course: CourseDef, state: CourseState, records: LearnerRecords
) -> list[NewCompletion]:
    """Completions that the rules now meet but that are not recorded yet, innermost first."""
    found = []
    for module in course.modules:
        for activity in module.activities:
            if state.activities[activity.id].done and (
                ("activity", activity.id) not in records.completions
            ):
                found.append(NewCompletion("activity", activity.id))
    for module in course.modules:
        if state.modules[module.id].done and ("module", module.id) not in records.completions:
            found.append(NewCompletion("module", module.id))
    if state.course.done and ("course", course.slug) not in records.completions:
        found.append(NewCompletion("course", course.slug))
    return found


#: Activity-type progress providers: type name -> function(session, user_ids, course_ids)
#: returning {(user_id, course_id, activity_id): ActivityReport}. ``user_ids`` is a list of
#: ids or a SELECT of ids (a coordinator's scope), so that one query per type serves one
#: learner's page or a report over a thousand people: pages and reports stay at a constant
#: number of queries.
ProgressProvider = Callable[
    [object, Iterable[int] | object, Iterable[int]], Mapping[tuple[int, int, str], ActivityReport]
]
_providers: dict[str, ProgressProvider] = {}


def register_progress_provider(activity_type: str, provider: ProgressProvider) -> None:
    """Called once per activity type by the feature that owns it (at import)."""
    existing = _providers.get(activity_type)
    if existing is not None and existing is not provider:
        raise ValueError(f"a progress provider for {activity_type!r} is already registered")
    _providers[activity_type] = provider


def providers() -> Mapping[str, ProgressProvider]:
    return dict(_providers)


#: The SQL twin of a provider, for reports that count in SQL instead of computing every
#: learner's state (the national overview): function(user_id column, course_id column) ->
#: a boolean SQL expression (an EXISTS correlated to the two columns) that is true when the
#: provider would report something begun (status other than not started) for that person in
#: that course. Registered next to the provider by the feature that owns the type.
StartedCondition = Callable[[object, object], object]
_started_conditions: dict[str, StartedCondition] = {}


def register_started_condition(activity_type: str, condition: StartedCondition) -> None:
    """Called once per activity type with a provider, by the feature that owns it."""
    existing = _started_conditions.get(activity_type)
    if existing is not None and existing is not condition:
        raise ValueError(f"a started condition for {activity_type!r} is already registered")
    _started_conditions[activity_type] = condition


def started_conditions() -> Mapping[str, StartedCondition]:
    return dict(_started_conditions)
