"""The per-enrolment progress summary: what the reports read from the completion engine.

The coordinators' reports show, for every person in every course, the course's progress and
status, the modules done and the latest completion. Computing them with the engine for 400
enrolments costs most of a report's time, so each enrolment keeps them (``Enrolment.summary_*``)
for the course version they were computed for.

- **Invalidation, in the same transaction as the progress.** Every record the engine reads
  (``load_records_for``: section visits, completions, and the records of each progress
  provider) is a *source*, registered here with the columns the engine reads
  (``register_source``; learning registers its own two, each feature with a provider its own).
  A session listener sets the summary of the enrolments concerned to NULL whenever a source
  row is inserted, deleted or has a read column changed through the ORM, in the same flush
  (before the row is written), and for ORM bulk UPDATE / DELETE / INSERT statements before they
  run. The UPDATE of the enrolment is unconditional: it takes the enrolment's row lock for the
  rest of the transaction (see filling).
- **Filling** (``store``): where a write transaction computes the engine's state anyway (a
  first visit, a completion recorded). The writer takes the enrolment's row lock
  (``lock``, ``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite serialises writers already) *before*
  it reads the records: a concurrent writer of a record has either committed (and is read) or
  waits for the lock and then sets the summary to NULL. ``lms reports refresh-summaries`` fills
  the NULL and outdated ones in batches.
- **Reading**: a summary counts only for the course's current version (``current_for``); the
  reports compute the others with the engine, and never write from a GET.

Writes that bypass the ORM (``lms.synthetic``'s bulk inserts) must set the summaries themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, event, inspect, or_, select, tuple_, update
from sqlalchemy.orm import InstrumentedAttribute, ORMExecuteState, Session
from sqlalchemy.orm.attributes import flag_modified

from lms.catalog.readmodel import CourseDef
from lms.learning import engine
from lms.learning.models import Completion, Enrolment, SectionVisit

SUMMARY_COLUMNS = (
    "summary_version_id",
    "summary_progress",
    "summary_status",
    "summary_modules_done",
    "summary_last_completion_at",
)


@dataclass(frozen=True)
class Source:
    """A record type the engine reads: how a row names its person and course (either may be
    None: then every enrolment of the person, or of the course, is concerned) and the columns
    whose change changes what the engine computes."""

    model: type
    user: InstrumentedAttribute | None
    course: InstrumentedAttribute | None
    columns: frozenset[str]
    #: False for a type whose new rows change nothing until other records refer to them
    #: (a live date: the engine reads it through its registrations).
    inserts: bool = True


_sources: dict[type, Source] = {}


def register_source(
    model: type,
    *,
    user: InstrumentedAttribute | None,
    course: InstrumentedAttribute | None,
    columns: Iterable[str],
    inserts: bool = True,
) -> None:
    """Declare a record type that ``load_records_for`` reads (at import, by its owner)."""
    if user is None and course is None:
        raise ValueError("a summary source needs a person or a course column")
    names = frozenset(columns)
    mapped = {c.key for c in model.__table__.columns}
    if names - mapped:
        raise ValueError(f"{model.__name__} has no column(s) {sorted(names - mapped)}")
    _sources[model] = Source(model, user, course, names, inserts)


def sources() -> dict[type, Source]:
    return dict(_sources)


register_source(
    SectionVisit,
    user=SectionVisit.user_id,
    course=SectionVisit.course_id,
    columns=("user_id", "course_id", "section_id"),
)
register_source(
    Completion,
    user=Completion.user_id,
    course=Completion.course_id,
    columns=("user_id", "course_id", "kind", "item_id", "completed_at"),
)


# The summary itself -------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """What a report row reads from the engine for one enrolment."""

    progress: float
    status: str
    modules_done: frozenset[str]
    last_completion_at: datetime | None

    @property
    def course_state(self) -> engine.State:
        return engine.State(self.progress, self.status)


def of(state: engine.CourseState, records: engine.LearnerRecords) -> Summary:
    """The summary of a fresh computation (``engine.compute``; lessons are not needed)."""
    moments = [t for t in records.completions.values() if isinstance(t, datetime)]
    return Summary(
        progress=state.course.progress,
        status=state.course.status,
        modules_done=frozenset(m for m, s in state.modules.items() if s.done),
        last_completion_at=max(moments) if moments else None,
    )


def current_for(values: Any, course: CourseDef) -> Summary | None:
    """The stored summary of an enrolment (an ``Enrolment`` or a row with the ``summary_*``
    names) if it was computed for ``course``'s version, else None."""
    if values.summary_version_id is None or values.summary_version_id != course.version_id:
        return None
    return Summary(
        progress=values.summary_progress,
        status=values.summary_status,
        modules_done=frozenset((values.summary_modules_done or "").split()),
        last_completion_at=values.summary_last_completion_at,
    )


def values_of(summary: Summary, course: CourseDef) -> dict[str, Any]:
    return {
        "summary_version_id": course.version_id,
        "summary_progress": summary.progress,
        "summary_status": summary.status,
        "summary_modules_done": " ".join(sorted(summary.modules_done)),
        "summary_last_completion_at": summary.last_completion_at,
    }


def _locks(session: Session) -> bool:
    """Whether rows must be locked: not on SQLite, whose writers hold the database's write
    lock from their first statement (``lms.core.db``)."""
    return session.get_bind().dialect.name != "sqlite"


def lock(session: Session, enrolment: Enrolment) -> None:
    """Take the enrolment's row lock (PostgreSQL; SQLite writers are serialised already):
    call it *before* reading the records a summary is computed from. ``FOR NO KEY UPDATE``,
    the lock an UPDATE of the row takes: ``FOR UPDATE`` would also wait for the transactions
    that only insert rows referring to the enrolment (their foreign key check holds a key
    share lock) while they wait for this one: a deadlock."""
    if _locks(session):
        session.execute(
            select(Enrolment.id).where(Enrolment.id == enrolment.id).with_for_update(key_share=True)
        )


def store(
    enrolment: Enrolment,
    course: CourseDef,
    state: engine.CourseState,
    records: engine.LearnerRecords,
) -> None:
    """Keep a fresh computation on the enrolment. The caller took ``lock`` before reading
    ``records`` in this transaction, and has written everything it writes to them."""
    for name, value in values_of(of(state, records), course).items():
        setattr(enrolment, name, value)


# Invalidation -------------------------------------------------------------------------------

Key = tuple[int | None, int | None]


def _key(source: Source, values: Any) -> Key:
    return (
        getattr(values, source.user.key) if source.user is not None else None,
        getattr(values, source.course.key) if source.course is not None else None,
    )


def _changed(obj: Any, columns: frozenset[str]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in columns)


def _concerns(key: Key, user_id: int, course_id: int) -> bool:
    return (key[0] is None or key[0] == user_id) and (key[1] is None or key[1] == course_id)


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def invalidate(session: Session, keys: set[Key], *, everything: bool = False) -> None:
    """Set to NULL the summaries of the enrolments named by ``keys`` (or of every enrolment),
    in the database and on the enrolments loaded in ``session``."""
    if not keys and not everything:
        return
    nulls = dict.fromkeys(SUMMARY_COLUMNS)
    loaded = [
        obj
        for obj in list(session.identity_map.values())
        if isinstance(obj, Enrolment)
        and (everything or any(_concerns(k, obj.user_id, obj.course_id) for k in keys))
    ]
    # The enrolments loaded in the session are written NULL by the ORM in this flush (or the
    # next one, for a bulk statement), with their other changes; always, even when the
    # session holds NULL already: it may be older than the database (sessions do not expire
    # on commit), and the UPDATE takes the row lock. Only the others need a statement here.
    for obj in loaded:
        for name in SUMMARY_COLUMNS:
            setattr(obj, name, None)
            flag_modified(obj, name)
    done = {(obj.user_id, obj.course_id) for obj in loaded}
    keys = {k for k in keys if k not in done}
    if not keys and not everything:
        return
    if everything:
        conditions = [True]
    else:
        pairs = sorted(k for k in keys if k[0] is not None and k[1] is not None)
        users = sorted({k[0] for k in keys if k[1] is None and k[0] is not None})
        courses = sorted({k[1] for k in keys if k[0] is None and k[1] is not None})
        conditions = [
            *(tuple_(Enrolment.user_id, Enrolment.course_id).in_(p) for p in _chunks(pairs)),
            *(Enrolment.user_id.in_(u) for u in _chunks(users)),
            *(Enrolment.course_id.in_(c) for c in _chunks(courses)),
        ]
    # Unconditional (even where already NULL): the row lock is what keeps a concurrent
    # writer from storing a summary computed without this transaction's records.
    for condition in conditions:
        session.execute(
            update(Enrolment)
            .where(condition)
            .values(**nulls)
            .execution_options(synchronize_session=False, lms_summary_internal=True)
        )


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    keys: set[Key] = set()
    for obj in session.new:
        source = _sources.get(type(obj))
        if source is not None and source.inserts:
            keys.add(_key(source, obj))
    for obj in session.deleted:
        source = _sources.get(type(obj))
        if source is not None:
            keys.add(_key(source, obj))
    for obj in session.dirty:
        source = _sources.get(type(obj))
        if source is not None and _changed(obj, source.columns):
            keys.add(_key(source, obj))
            # A row moved to another person or course: the old one is concerned too.
            old = inspect(obj).committed_state
            names = [a.key for a in (source.user, source.course) if a is not None]
            if any(name in old for name in names):
                keys.add(
                    tuple(  # type: ignore[arg-type]
                        old.get(a.key, getattr(obj, a.key)) if a is not None else None
                        for a in (source.user, source.course)
                    )
                )
    invalidate(session, keys)


def _statement_columns(statement: Any) -> set[str] | None:
    """The column names an UPDATE sets (None when they cannot be told)."""
    values = getattr(statement, "_values", None)
    if not values:
        return None
    return {getattr(k, "key", k) if not isinstance(k, str) else k for k in values}


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    if state.execution_options.get("lms_summary_internal"):
        return
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    mapper = state.bind_mapper
    source = _sources.get(mapper.class_) if mapper is not None else None
    if source is None:
        return
    statement = state.statement
    session = state.session
    if state.is_update:
        names = _statement_columns(statement)
        if names is not None and not names & source.columns:
            return
    if state.is_insert:
        if not source.inserts:
            return
        params = state.parameters
        rows = params if isinstance(params, list) else [params] if params else []
        if not rows:
            invalidate(session, set(), everything=True)
            return
        keys = {
            (
                row.get(source.user.key) if source.user is not None else None,
                row.get(source.course.key) if source.course is not None else None,
            )
            for row in rows
        }
        invalidate(session, keys)
        return
    columns = [a for a in (source.user, source.course) if a is not None]
    query = select(*columns).distinct()
    if statement.whereclause is not None:
        query = query.where(statement.whereclause)
    keys = set()
    for row in session.execute(query.execution_options(lms_summary_internal=True)):
        values = list(row)
        keys.add(
            (
                values.pop(0) if source.user is not None else None,
                values.pop(0) if source.course is not None else None,
            )
        )
    invalidate(session, keys)


# Filling in batches (``lms reports refresh-summaries``) -------------------------------------


def refresh_batch(session: Session, *, after_id: int = 0, size: int = 500) -> tuple[int, int]:
    """Compute and store the summaries of up to ``size`` enrolments whose summary is NULL or
    for another version than their course's current one, with ids above ``after_id`` (in a
    course with a current version). Returns (how many, the last id seen: 0 when none was
    left). Locks those enrolments (PostgreSQL) before reading their records; the caller
    commits."""
    from lms.catalog.queries import get_current_course_defs
    from lms.learning.queries import load_records_for

    courses = get_current_course_defs(session)
    if not courses:
        return 0, 0
    outdated = or_(
        Enrolment.summary_version_id.is_(None),
        *(
            and_(Enrolment.course_id == cid, Enrolment.summary_version_id != c.version_id)
            for cid, c in courses.items()
        ),
    )
    query = (
        select(Enrolment.id, Enrolment.user_id, Enrolment.course_id)
        .where(Enrolment.id > after_id, Enrolment.course_id.in_(list(courses)), outdated)
        .order_by(Enrolment.id)
        .limit(size)
    )
    if _locks(session):
        query = query.with_for_update(key_share=True)
    rows = session.execute(query).all()
    if not rows:
        return 0, 0
    course_ids = sorted({course_id for _, _, course_id in rows})
    wanted = {cid: courses[cid] for cid in course_ids}
    records = load_records_for(session, sorted({u for _, u, _ in rows}), course_ids, wanted)
    empty = engine.LearnerRecords()
    values = []
    for enrolment_id, user_id, course_id in rows:
        course = wanted[course_id]
        learner = records.get((user_id, course_id), empty)
        state = engine.compute(course, learner, lessons=False)
        values.append({"id": enrolment_id, **values_of(of(state, learner), course)})
    session.execute(update(Enrolment), values)
    return len(rows), rows[-1][0]


def refresh(session: Session, *, size: int = 500, commit: bool = False, echo=None) -> int:
    """Fill every NULL or outdated summary, ``size`` enrolments at a time (committing after
    each batch when ``commit``). Returns how many were computed."""
    total, after = 0, 0
    while True:
        count, after = refresh_batch(session, after_id=after, size=size)
        if not count:
            return total
        total += count
        if commit:
            session.commit()
        if echo is not None:
            echo(total)
