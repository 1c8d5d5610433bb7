"""The administrator's national overview: every organisation compared, grouped by level, and
the programme's progress toward its targets.

Like the coordinators' reports, the view builds ONE object (``NationalOverview``) and the page,
the CSV and XLSX exports and the chart render it. Unlike them it does not compute each
learner's state with the completion engine (at 100,000 learners that would take seconds): it
counts in SQL, one grouped statement for every organisation at once (``counts_by_organisation``),
with the statuses of ``learning.statuses`` written as SQL conditions:

- **started**: anything recorded for the person in the course: a section opened, a completion,
  or what an activity type's provider would report as begun (a test attempt, a forum post, a
  session registration; ``engine.register_started_condition``);
- **completed**: the course's completion is recorded, or the person holds a valid certificate
  (completed and certified together, as in the dashboard's funnel);
- **certified**: a certificate with the stored status valid whose last valid day is today or
  later (or that has none);
- **in order** (mandatory enrolments only): completed, unless the course must be renewed and
  the certificate's last valid day has passed.

These agree with the engine and the status functions on every recorded fact
(``tests/reporting/test_overview.py`` compares every organisation's row with its own
dashboard). The number of statements does not depend on the number of people.

Counts are of "a person in a course" (an enrolment of an active person), as on the dashboard;
with a course chosen, of people. **Assigned**: the courses a coordinator gave them (by a rule,
or on the "Enrol people" page); the others they chose themselves.

Targets (``LMS_TARGETS``) count the people who earned a course's certificate (the completion
date of their first certificate; a person whose certificates were all revoked does not count),
everywhere, whatever the filters.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, exists, false, func, literal, or_, select
from sqlalchemy.orm import Session

from lms.accounts.models import PERSON_KINDS, User
from lms.catalog.queries import get_current_course_defs
from lms.catalog.readmodel import CourseDef
from lms.certification.models import VALID, Certificate
from lms.core.db import utcnow
from lms.core.i18n import lazy_gettext as _l
from lms.learning import engine
from lms.learning.engine import started_conditions
from lms.learning.models import Completion, Enrolment, SectionVisit
from lms.organisations.models import LEVEL_LABELS, LEVELS, Organisation
from lms.reporting.filters import ArgReader, FilterProblem, OutOfScope, parse_id
from lms.reporting.reports import KIND_LABELS, Column, Table
from lms.reporting.targets import Target, TargetProgress, target_progress

#: Group headings, in the order the groups are shown.
GROUP_LABELS = {
    "federal": _l("Federal institutions"),
    "region": _l("Regions"),
    "province": _l("Provinces"),
    "municipality": _l("Municipalities and their agencies"),
    "agency": _l("Agencies"),
    "other": _l("Other organisations"),
}

#: Sortable columns (``sort=``), as shown.
SORT_KEYS = (
    "name",
    "people",
    "enrolments",
    "assigned",
    "started",
    "completed",
    "certified",
    "compliance",
)
DEFAULT_SORT = "name"


# Filters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewFilters:
    """What the overview shows, from the URL. ``level``: one of ``LEVELS``. ``within``: an
    organisation's id (it and everything part of it), or "invalid". ``course``: a course
    slug. ``kind``: "staff" or "volunteer". ``search``: part of an organisation's name."""

    level: str | None = None
    within: int | str | None = None
    course: str | None = None
    kind: str | None = None
    search: str = ""
    sort: str = DEFAULT_SORT
    descending: bool = False
    problems: tuple[FilterProblem, ...] = field(default=(), compare=False)

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> OverviewFilters:
        read = ArgReader(args)
        level = read.choice("level", LEVELS, _l("Unknown level. Every level is shown."))
        kind = read.choice(
            "kind", PERSON_KINDS, _l("Choose staff or volunteers. Everyone is shown.")
        )
        sort = read.choice(
            "sort", SORT_KEYS, _l("This column cannot be sorted. Sorted by name."), DEFAULT_SORT
        )
        descending = read.order()
        return cls(
            level=level,
            within=parse_id(args.get("within")),
            course=read.text("course") or None,
            kind=kind,
            search=read.text("q")[:200],
            sort=sort,
            descending=descending,
            problems=tuple(read.problems),
        )

    def query_args(self, **changes: object) -> dict[str, object]:
        """The URL arguments of this view (with ``changes``), defaults left out."""
        args: dict[str, object] = {
            "level": self.level,
            "within": self.within if isinstance(self.within, int) else None,
            "course": self.course,
            "kind": self.kind,
            "q": self.search or None,
            "sort": self.sort if self.sort != DEFAULT_SORT else None,
            "order": "desc" if self.descending else None,
        }
        args.update(changes)
        return {key: value for key, value in args.items() if value not in (None, "")}

    def sort_args(self, key: str) -> dict[str, object]:
        """The link of a column header: sort by ``key`` (numbers from high to low first), or
        reverse the current order."""
        descending = not self.descending if key == self.sort else key != "name"
        return self.query_args(
            sort=key if key != DEFAULT_SORT else None, order="desc" if descending else "asc"
        )

    def aria_sort(self, key: str) -> str:
        if key != self.sort:
            return "none"
        return "descending" if self.descending else "ascending"


# Counts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """The figures of one organisation (or a sum of them)."""

    people: int = 0
    enrolments: int = 0
    assigned: int = 0
    started: int = 0
    completed: int = 0
    certified: int = 0
    mandatory: int = 0
    compliant: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            *(getattr(self, name) + getattr(other, name) for name in self.__dataclass_fields__)
        )

    @property
    def compliance_rate(self) -> float | None:
        """In order / mandatory (None without mandatory courses)."""
        return self.compliant / self.mandatory if self.mandatory else None

    @property
    def compliance_percent(self) -> int | None:
        rate = self.compliance_rate
        return None if rate is None else int(rate * 100 + 1e-9)

    def sort_value(self, key: str) -> Any:
        return self.compliance_rate if key == "compliance" else getattr(self, key)


def _bit(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def _on(pairs: Any) -> Any:
    return and_(pairs.c.user_id == Enrolment.user_id, pairs.c.course_id == Enrolment.course_id)


def enrolment_facts(
    today: date, versions: Mapping[int, int] | None = None
) -> tuple[dict[str, Any], list[Any]]:
    """What the statuses need of one ``Enrolment`` row, as SQL (0 or 1 each), and the sets
    of (person, course) pairs to join for them (see the module docstring for how they make
    the statuses):

    - ``assigned``: given by a rule or a coordinator;
    - ``mandatory``: the enrolment's terms;
    - ``certified``: a certificate with status valid, not past its last valid day;
    - ``recorded``: the course's completion is recorded (``Enrolment.completed_at``, written
      with it);
    - ``begun``: anything recorded in the course: the above, the last activity noted on the
      enrolment, a section opened, a completion, or what an activity type's provider
      reports as begun. Cheapest first: most enrolments are settled by their own row. The
      others are read from the enrolment's progress summary when it is current (computed by
      the engine for the course's version in ``versions``, course id -> version id, and set
      to NULL in the same flush as any record it depends on: ``learning.summary``), and only
      without one looked up in the records (at 100,000 learners those look-ups of the
      enrolments nobody began were two thirds of the overview's time);
    - ``expired``: for a mandatory course to renew, a valid certificate past its last day.

    The certificates are few next to the enrolments: they are joined as one set of pairs
    (one pass over them) instead of being looked up enrolment by enrolment.
    """
    person, course = Enrolment.user_id, Enrolment.course_id
    # One row per (person, course) with a valid certificate: whether one is current, whether
    # one has passed its last valid day.
    certificates = (
        select(
            Certificate.course_id,
            Certificate.user_id,
            func.max(
                _bit(or_(Certificate.valid_until.is_(None), Certificate.valid_until >= today))
            ).label("current"),
            func.max(_bit(Certificate.valid_until < today)).label("lapsed"),
        )
        .where(Certificate.status == VALID)
        # In the order of the index made for it (``ix_lms_certificate_facts``).
        .group_by(Certificate.course_id, Certificate.user_id)
        .subquery()
    )
    certified = certificates.c.current == 1
    # The course's completion is recorded with the enrolment's ``completed_at``, in the same
    # flush (``learning.services``): read on the row, not looked up among every completion.
    recorded = Enrolment.completed_at.is_not(None)
    known = or_(
        certified,
        recorded,
        # Opening a section and starting a test note the moment on the enrolment.
        Enrolment.last_activity_at.is_not(None),
    )
    summarised = or_(
        false(),
        *(
            and_(Enrolment.course_id == course_id, Enrolment.summary_version_id == version_id)
            for course_id, version_id in (versions or {}).items()
        ),
    )
    looked_up = or_(
        exists().where(SectionVisit.user_id == person, SectionVisit.course_id == course),
        exists().where(Completion.user_id == person, Completion.course_id == course),
        # One look-up per condition (live sessions register one for webinars and sessions).
        *(condition(person, course) for condition in dict.fromkeys(started_conditions().values())),
    )
    facts = {
        "assigned": _bit(or_(Enrolment.due_source == "rule", Enrolment.source != "self")),
        "mandatory": _bit(Enrolment.mandatory.is_(True)),
        "certified": _bit(certified),
        "recorded": _bit(recorded),
        "begun": case(
            (known, 1),
            (summarised, _bit(Enrolment.summary_status != engine.NOT_STARTED)),
            (looked_up, 1),
            else_=0,
        ),
        "expired": _bit(
            and_(
                Enrolment.mandatory.is_(True),
                Enrolment.renews.is_(True),
                certificates.c.lapsed == 1,
            )
        ),
    }
    return facts, [certificates]


def counts_of(facts: Mapping[str, int], enrolments: int) -> Counts:
    """The figures of ``enrolments`` enrolments that share the same ``facts``."""
    done = bool(facts["recorded"] or facts["certified"])
    mandatory = bool(facts["mandatory"])
    return Counts(
        enrolments=enrolments,
        assigned=enrolments * bool(facts["assigned"]),
        started=enrolments * (done or bool(facts["begun"])),
        completed=enrolments * done,
        certified=enrolments * bool(facts["certified"]),
        mandatory=enrolments * mandatory,
        compliant=enrolments * (mandatory and done and not facts["expired"]),
    )


def counts_by_organisation(
    session: Session,
    *,
    today: date,
    course_ids: Sequence[int],
    kind: str | None = None,
    versions: Mapping[int, int] | None = None,
) -> dict[int, Counts]:
    """Every organisation's figures in two statements whatever the number of people: the
    active people per organisation, and the enrolments grouped by organisation and by their
    facts (``enrolment_facts``: each evaluated once per enrolment; a few thousand groups),
    which are then added up here. ``versions`` (course id -> current version id) lets the
    enrolments' current progress summaries stand in for looking records up."""
    people_query = (
        select(User.organisation_id, func.count())
        .where(User.active.is_(True), User.organisation_id.is_not(None))
        .group_by(User.organisation_id)
    )
    if kind is not None:
        people_query = people_query.where(User.kind == kind)
    people = dict(session.execute(people_query).tuples().all())
    figures: dict[int, Counts] = {org: Counts(people=count) for org, count in people.items()}
    if not course_ids:
        return figures
    facts, pairs = enrolment_facts(today, versions)
    # The facts as the bits of one number: one grouping key instead of six.
    code = sum((fact * 2**bit for bit, fact in enumerate(facts.values())), literal(0))
    query = select(User.organisation_id, code.label("facts"), func.count()).select_from(Enrolment)
    # An outer join to the people keeps SQLite going through the enrolments in their own
    # order (each person found by primary key) rather than through the people index and back
    # into the enrolments (five times slower at 100,000 learners); hence the person's filters
    # below are written so that they do not turn it into an inner join. PostgreSQL plans it
    # as a hash join either way.
    query = query.outerjoin(User, User.id == Enrolment.user_id)
    for subquery in pairs:
        query = query.outerjoin(subquery, _on(subquery))
    query = query.where(
        func.coalesce(User.active, False).is_(True), Enrolment.course_id.in_(list(course_ids))
    ).group_by(User.organisation_id, "facts")
    if kind is not None:
        query = query.where(func.coalesce(User.kind, "") == kind)
    # Thousands of groups but at most 2**6 combinations of facts: the figures of one
    # enrolment with each combination are made once, then multiplied and added as plain ints.
    fields = [name for name in Counts.__dataclass_fields__ if name != "people"]
    units: dict[int, tuple[int, ...]] = {}
    sums: dict[int, list[int]] = {}
    for organisation_id, bits, enrolments in session.execute(query):
        if organisation_id is None:
            continue  # people outside any organisation (trainers, administrators)
        bits, enrolments = int(bits), int(enrolments)
        unit = units.get(bits)
        if unit is None:
            known = {name: (bits >> bit) & 1 for bit, name in enumerate(facts)}
            one = counts_of(known, 1)
            unit = units[bits] = tuple(getattr(one, name) for name in fields)
        total = sums.setdefault(organisation_id, [0] * len(fields))
        for index, value in enumerate(unit):
            total[index] += value * enrolments
    for organisation_id, total in sums.items():
        figures[organisation_id] = replace(
            figures.get(organisation_id, Counts()), **dict(zip(fields, total, strict=True))
        )
    return figures


# Rows and groups -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationRow:
    """One organisation in the overview."""

    organisation_id: int
    name: str
    level: str
    parent_id: int | None
    parent_name: str | None
    counts: Counts
    #: 1 for an agency shown under its municipality, else 0.
    depth: int = 0


@dataclass(frozen=True)
class LevelGroup:
    """The organisations of one level, in the table's order, and their sum."""

    level: str
    rows: tuple[OrganisationRow, ...]
    totals: Counts

    @property
    def label(self) -> Any:
        return GROUP_LABELS[self.level]


def _sorted(rows: list[OrganisationRow], key: str, descending: bool) -> list[OrganisationRow]:
    rows = sorted(rows, key=lambda r: (r.name.casefold(), r.organisation_id))
    if key == "name":
        return list(reversed(rows)) if descending else rows
    present = [r for r in rows if r.counts.sort_value(key) is not None]
    missing = [r for r in rows if r.counts.sort_value(key) is None]
    present.sort(key=lambda r: r.counts.sort_value(key), reverse=descending)
    return present + missing


def group_rows(
    rows: Sequence[OrganisationRow], sort: str, descending: bool
) -> tuple[LevelGroup, ...]:
    """Rows grouped by level in ``LEVELS`` order; an agency whose municipality is shown comes
    right under it (in the municipalities' group), the others in the agencies' group."""
    shown = {r.organisation_id: r for r in rows}
    levels = {r.organisation_id: r.level for r in rows}
    nested: dict[int, list[OrganisationRow]] = {}
    top: dict[str, list[OrganisationRow]] = {level: [] for level in LEVELS}
    for row in rows:
        parent = row.parent_id
        if row.level == "agency" and parent in shown and levels[parent] == "municipality":
            nested.setdefault(parent, []).append(replace(row, depth=1))
        else:
            top[row.level].append(row)
    groups = []
    for level in LEVELS:
        ordered: list[OrganisationRow] = []
        for row in _sorted(top[level], sort, descending):
            ordered.append(row)
            ordered.extend(_sorted(nested.get(row.organisation_id, []), sort, descending))
        if ordered:
            total = sum((r.counts for r in ordered), Counts())
            groups.append(LevelGroup(level, tuple(ordered), total))
    return tuple(groups)


def _descendants(organisations: Sequence[Organisation], root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for o in organisations:
        if o.parent_id is not None:
            children.setdefault(o.parent_id, []).append(o.id)
    found, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


# The report object ---------------------------------------------------------------------------


OVERVIEW_COLUMNS: tuple[Column, ...] = (
    Column("group", _l("Group"), "text", lambda r: str(GROUP_LABELS[r[0]]), False, 28),
    Column("name", _l("Organisation"), "text", lambda r: r[1].name, True, 30),
    Column("level", _l("Level"), "text", lambda r: str(LEVEL_LABELS[r[1].level]), False),
    Column("parent", _l("Part of"), "text", lambda r: r[1].parent_name or "", False, 24),
    Column("people", _l("People"), "int", lambda r: r[1].counts.people),
    Column("enrolments", _l("Courses followed"), "int", lambda r: r[1].counts.enrolments),
    Column("assigned", _l("Assigned"), "int", lambda r: r[1].counts.assigned),
    Column("started", _l("Started"), "int", lambda r: r[1].counts.started),
    Column("completed", _l("Completed"), "int", lambda r: r[1].counts.completed),
    Column("certified", _l("Certified"), "int", lambda r: r[1].counts.certified),
    Column("mandatory", _l("Mandatory courses"), "int", lambda r: r[1].counts.mandatory, False),
    Column("compliant", _l("Mandatory in order"), "int", lambda r: r[1].counts.compliant, False),
    Column(
        "compliance", _l("Compliance rate"), "percent", lambda r: r[1].counts.compliance_percent
    ),
)


@dataclass(frozen=True)
class NationalOverview:
    """The national overview (see the module docstring). ``groups``: the organisations by
    level; ``totals``: their sum; ``targets``: progress toward each configured target;
    ``courses``: what the course filter offers; ``organisations``: every organisation (for
    the "part of" filter); ``course``: the chosen course (None: all)."""

    filters: OverviewFilters
    groups: tuple[LevelGroup, ...]
    totals: Counts
    targets: tuple[TargetProgress, ...]
    courses: tuple[CourseDef, ...]
    organisations: tuple[Organisation, ...]
    generated_at: datetime
    today: date
    course: CourseDef | None = None
    within: Organisation | None = None
    language: str = "nl"
    #: Problems of the configured targets, in words (shown to the administrator).
    target_problems: tuple[str, ...] = ()
    columns: tuple[Column, ...] = OVERVIEW_COLUMNS

    @property
    def title(self) -> Any:
        return _l("National overview")

    @property
    def rows(self) -> tuple[OrganisationRow, ...]:
        return tuple(row for group in self.groups for row in group.rows)

    def iter_rows(self) -> Iterator[tuple[str, OrganisationRow]]:
        """Every organisation in the table's order, as (group level, row)."""
        for group in self.groups:
            for row in group.rows:
                yield group.level, row

    def values(self, item: tuple[str, OrganisationRow]) -> list[Any]:
        return [column.read(item) for column in self.columns]

    def course_title(self, course: CourseDef) -> str:
        return course_title(course, self.language)

    def applied_filters(self) -> list[tuple[Any, str]]:
        pairs: list[tuple[Any, str]] = []
        if self.filters.level is not None:
            pairs.append((_l("Level"), str(LEVEL_LABELS[self.filters.level])))
        if self.within is not None:
            pairs.append((_l("Part of"), self.within.name))
        if self.course is not None:
            pairs.append((_l("Course"), self.course_title(self.course)))
        if self.filters.kind is not None:
            pairs.append((_l("Staff or volunteer"), str(KIND_LABELS[self.filters.kind])))
        if self.filters.search:
            pairs.append((_l("Name of the organisation"), self.filters.search))
        return pairs

    def applied_order(self) -> str:
        label = next(str(c.label) for c in self.columns if c.key == self.filters.sort)
        order = _l("descending") if self.filters.descending else _l("ascending")
        return f"{label}, {order}"

    def sheets(self) -> tuple[Any, ...]:
        """The organisations, the totals per level, and the targets with the certificates
        per month: one sheet each in Excel, one section each in CSV."""
        organisations = Table(
            "organisations", _l("Organisations"), self.columns, tuple(self.iter_rows())
        )
        return (organisations, self.totals_table(), self.targets_table(), self.months_table())

    def totals_table(self) -> Table:
        rows = [(g.label, g.totals) for g in self.groups]
        rows.append((_l("All organisations shown"), self.totals))
        columns = [Column("group", _l("Group"), "text", lambda r: str(r[0]), False, 34)]
        columns += [
            Column(c.key, c.label, c.kind, lambda r, key=c.key: _count(r[1], key), False)
            for c in self.columns[4:]
        ]
        return Table("totals", _l("Totals per level"), tuple(columns), tuple(rows))

    def targets_table(self) -> Table:
        columns = (
            Column("course", _l("Course"), "text", lambda t: t.course_title, False, 24),
            Column("target", _l("Target"), "int", lambda t: t.target.certified, False),
            Column("by", _l("By"), "date", lambda t: t.target.by, False),
            Column("earned", _l("Certified so far"), "int", lambda t: t.earned, False),
            Column("share", _l("Share of the target"), "percent", lambda t: t.percent, False),
            Column("expected", _l("On the target line today"), "int", lambda t: t.expected, False),
        )
        return Table("targets", _l("Targets"), columns, self.targets)

    def months_table(self) -> Table:
        rows = [(t, m) for t in self.targets for m in t.months]
        columns = (
            Column("course", _l("Course"), "text", lambda r: r[0].course_title, False, 24),
            Column("month", _l("Month"), "date", lambda r: r[1].month, False),
            Column("new", _l("New certificates"), "int", lambda r: r[1].new, False),
            Column("total", _l("Certified so far"), "int", lambda r: r[1].cumulative, False),
            Column("line", _l("On the target line"), "int", lambda r: r[1].expected_at_end, False),
        )
        return Table("months", _l("Certificates per month"), columns, tuple(rows))


def _count(counts: Counts, key: str) -> Any:
    return counts.compliance_percent if key == "compliance" else getattr(counts, key)


def national_overview(
    session: Session,
    filters: OverviewFilters,
    *,
    today: date,
    targets: Sequence[Target] = (),
    target_problems: Sequence[str] = (),
    language: str = "nl",
    timezone: str = "Europe/Brussels",
) -> NationalOverview:
    """Build the overview; raises ``OutOfScope`` for an unknown course or organisation."""
    courses = tuple(sorted(get_current_course_defs(session).values(), key=lambda c: c.slug))
    course = None
    if filters.course is not None:
        course = next((c for c in courses if c.slug == filters.course), None)
        if course is None:
            raise OutOfScope("course")
    organisations = tuple(session.scalars(select(Organisation).order_by(Organisation.name)))
    by_id = {o.id: o for o in organisations}
    within = None
    if filters.within is not None:
        within = by_id.get(filters.within)  # type: ignore[arg-type]
        if within is None:
            raise OutOfScope("organisation")
    chosen = [course] if course else list(courses)
    figures = counts_by_organisation(
        session,
        today=today,
        course_ids=[c.course_id for c in chosen],
        kind=filters.kind,
        versions={c.course_id: c.version_id for c in chosen},
    )
    allowed = _descendants(organisations, within.id) if within else set(by_id)
    search = filters.search.casefold()
    rows = [
        OrganisationRow(
            organisation_id=o.id,
            name=o.name,
            level=o.level,
            parent_id=o.parent_id,
            parent_name=by_id[o.parent_id].name if o.parent_id in by_id else None,
            counts=figures.get(o.id, Counts()),
        )
        for o in organisations
        if o.id in allowed
        and (filters.level is None or o.level == filters.level)
        and (not search or search in o.name.casefold())
    ]
    groups = group_rows(rows, filters.sort, filters.descending)
    by_slug = {c.slug: c for c in courses}
    progress = target_progress(
        session, [t for t in targets if t.course in by_slug], by_slug, today, timezone
    )
    return NationalOverview(
        filters=filters,
        groups=groups,
        totals=sum((g.totals for g in groups), Counts()),
        targets=tuple(
            replace(p, course_title=course_title(by_slug[p.target.course], language))
            for p in progress
        ),
        courses=courses,
        organisations=organisations,
        generated_at=utcnow(),
        today=today,
        course=course,
        within=within,
        language=language,
        target_problems=tuple(target_problems)
        + tuple(
            str(_l("The course %(course)s of a target does not exist.", course=t.course))
            for t in targets
            if t.course not in by_slug
        ),
    )


def course_title(course: CourseDef, language: str) -> str:
    lang = language if language in course.languages else course.default_language
    return course.text(course.title, lang)
