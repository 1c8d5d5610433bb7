"""Statuses of an enrolment (a person in a course), defined once, next to the completion engine.

The learner's own pages, the coordinators' reports, the exports, and later the reminders, the
snapshots and the national overview all read these functions; nothing else decides whether
someone is "overdue". Inputs are the engine's course state, the enrolment's terms (mandatory,
due date, renewal) and the person's current certificate for the course; ``today`` is the
calendar day in ``LMS_TIMEZONE``. Exact definitions (also in docs/monitoring.md):

Progress (every enrolment):

- **not started**: the engine's course state is "not started" (nothing opened, posted or tried);
- **in progress**: the engine's course state is "in progress"; the percentage is the engine's,
  the number the learner sees;
- **completed**: the course's completion rule is met (or was recorded as met), and the person
  holds no certificate for it that is valid today;
- **certified**: the person's latest certificate for the course is valid today (not revoked,
  not replaced, not past its last valid day).

Compliance (mandatory enrolments only; voluntary ones have none):

- the **due day** is the enrolment's due date; when the rule asks for renewal and the course
  is done with a certificate that has a last valid day, it is that day instead ("due again");
- **compliant**: completed or certified, except after the last valid day of a certificate
  that must be renewed;
- **overdue**: not compliant and the due day is before today;
- **due soon**: not compliant and the due day is today or within ``soon_days`` days
  (``LMS_DUE_SOON_DAYS``, default 30);
- **on track**: not compliant, and no due day or a due day further away.

"At risk" (a dashboard figure): due soon and below ``LMS_AT_RISK_BELOW_PERCENT`` percent
(default 75): little time left and far from done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lms.core.i18n import lazy_gettext as _l
from lms.learning import engine

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
CERTIFIED = "certified"
#: Every enrolment has one of these, in this order (reports count them in this order).
PROGRESS_STATUSES = (NOT_STARTED, IN_PROGRESS, COMPLETED, CERTIFIED)

COMPLIANT = "compliant"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
ON_TRACK = "on_track"
#: Mandatory enrolments have one of these.
COMPLIANCE_STATUSES = (COMPLIANT, ON_TRACK, DUE_SOON, OVERDUE)

DEFAULT_DUE_SOON_DAYS = 30
DEFAULT_AT_RISK_BELOW_PERCENT = 75

#: The moment a due date ends: "by 30 June" means until 30 June 23:59 (stored in UTC).
DUE_TIME = time(23, 59)


def end_of_day(day: date) -> datetime:
    """The ``due_at`` stored for the due day ``day``."""
    return datetime.combine(day, DUE_TIME, tzinfo=UTC)


def due_day(due_at: datetime | None) -> date | None:
    """The due day of a stored ``due_at`` (``end_of_day`` backwards)."""
    if due_at is None:
        return None
    if due_at.tzinfo is None:
        due_at = due_at.replace(tzinfo=UTC)
    return due_at.astimezone(UTC).date()


def local_today(timezone: str, now: datetime | None = None) -> date:
    """Today's date where the organisations are (``LMS_TIMEZONE``)."""
    now = now or datetime.now(UTC)
    return now.astimezone(ZoneInfo(timezone)).date()


@dataclass(frozen=True)
class CertificateFact:
    """What the statuses need of a person's latest certificate for a course."""

    code: str
    issued_at: datetime
    #: Last valid day; None: no end.
    valid_until: date | None
    #: Stored status: "valid", "revoked" or "replaced".
    status: str

    def valid_on(self, day: date) -> bool:
        return self.status == "valid" and (self.valid_until is None or day <= self.valid_until)

    def expired_on(self, day: date) -> bool:
        return self.status == "valid" and self.valid_until is not None and day > self.valid_until


@dataclass(frozen=True)
class Terms:
    """An enrolment's terms: read from ``Enrolment`` (``terms_of``)."""

    mandatory: bool = False
    due_on: date | None = None
    renews: bool = False


def terms_of(enrolment) -> Terms:
    return Terms(
        mandatory=bool(enrolment.mandatory),
        due_on=due_day(enrolment.due_at),
        renews=bool(enrolment.renews),
    )


@dataclass(frozen=True)
class EnrolmentStatus:
    """The statuses of one person in one course on one day."""

    progress: str  # one of PROGRESS_STATUSES
    percent: int  # the engine's whole percent (what the learner sees)
    mandatory: bool
    compliance: str | None  # one of COMPLIANCE_STATUSES, None for voluntary enrolments
    #: The day it is due (after renewal: the certificate's last valid day); None: no due day.
    due_on: date | None
    #: True when ``due_on`` comes from an expired (or expiring) certificate's renewal.
    renewal: bool
    #: Days from today to ``due_on`` (negative when overdue); None without a due day.
    days_left: int | None
    at_risk: bool

    @property
    def done(self) -> bool:
        return self.progress in (COMPLETED, CERTIFIED)

    @property
    def overdue(self) -> bool:
        return self.compliance == OVERDUE


def progress_status(
    course_state: engine.State, certificate: CertificateFact | None, today: date
) -> str:
    """not started, in progress, completed or certified (see the module docstring)."""
    if certificate is not None and certificate.valid_on(today):
        return CERTIFIED
    if course_state.done:
        return COMPLETED
    if course_state.status == engine.NOT_STARTED:
        return NOT_STARTED
    return IN_PROGRESS


def enrolment_status(
    course_state: engine.State,
    terms: Terms,
    certificate: CertificateFact | None,
    today: date,
    *,
    soon_days: int = DEFAULT_DUE_SOON_DAYS,
    at_risk_below: int = DEFAULT_AT_RISK_BELOW_PERCENT,
) -> EnrolmentStatus:
    """Every status of one enrolment on ``today`` (see the module docstring)."""
    progress = progress_status(course_state, certificate, today)
    done = progress in (COMPLETED, CERTIFIED)
    percent = course_state.percent
    due_on = terms.due_on
    # Renewal: once the course is done, the certificate's last valid day is the next due day;
    # after it, the expired certificate no longer makes the person compliant.
    renewal = bool(
        terms.renews
        and done
        and certificate is not None
        and certificate.status == "valid"
        and certificate.valid_until is not None
    )
    if renewal:
        due_on = certificate.valid_until
    compliant = done and not (renewal and certificate.expired_on(today))
    days_left = (due_on - today).days if due_on is not None else None
    compliance = None
    if terms.mandatory:
        if compliant:
            compliance = COMPLIANT
        elif days_left is None or days_left > soon_days:
            compliance = ON_TRACK
        elif days_left < 0:
            compliance = OVERDUE
        else:
            compliance = DUE_SOON
    return EnrolmentStatus(
        progress=progress,
        percent=percent,
        mandatory=terms.mandatory,
        compliance=compliance,
        due_on=due_on,
        renewal=renewal,
        days_left=days_left,
        at_risk=compliance == DUE_SOON and percent < at_risk_below,
    )


@dataclass(frozen=True)
class StatusSettings:
    """``today`` and the two thresholds, read once per request from the app's config."""

    today: date
    soon_days: int = DEFAULT_DUE_SOON_DAYS
    at_risk_below: int = DEFAULT_AT_RISK_BELOW_PERCENT

    @classmethod
    def from_config(cls, config: Mapping, now: datetime | None = None) -> StatusSettings:
        return cls(
            today=local_today(config.get("LMS_TIMEZONE", "Europe/Brussels"), now),
            soon_days=int(config.get("LMS_DUE_SOON_DAYS", DEFAULT_DUE_SOON_DAYS)),
            at_risk_below=int(
                config.get("LMS_AT_RISK_BELOW_PERCENT", DEFAULT_AT_RISK_BELOW_PERCENT)
            ),
        )

    def status(
        self, course_state: engine.State, terms: Terms, certificate: CertificateFact | None
    ) -> EnrolmentStatus:
        return enrolment_status(
            course_state,
            terms,
            certificate,
            self.today,
            soon_days=self.soon_days,
            at_risk_below=self.at_risk_below,
        )


# Certificates --------------------------------------------------------------------------------
# Certificates belong to a feature above learning; it tells this module how to read them, so
# that the learner's pages (here) and the reports (above) read the same facts.

#: function(session, user_ids (ids or a SELECT of ids), course_ids) ->
#: {(user_id, course_id): CertificateFact of the latest edition}; one query.
CertificateReader = Callable[[object, Iterable[int] | object, Iterable[int]], Mapping]
_certificate_reader: list[CertificateReader] = []


def register_certificate_reader(reader: CertificateReader) -> None:
    """Called once by the certification feature (at import)."""
    if _certificate_reader and _certificate_reader[0] is not reader:
        raise ValueError("a certificate reader is already registered")
    _certificate_reader[:] = [reader]


def load_certificates(
    session, user_ids: Iterable[int] | object, course_ids: Iterable[int]
) -> Mapping[tuple[int, int], CertificateFact]:
    """The latest certificate of each (person, course), in one query (none without reader)."""
    course_ids = list(course_ids)
    if not _certificate_reader or not course_ids:
        return {}
    return _certificate_reader[0](session, user_ids, course_ids)


def due_at_after(start: datetime, days: int) -> datetime:
    """The ``due_at`` of "within ``days`` days of ``start``" (the end of that day)."""
    return end_of_day(due_day(start) + timedelta(days=days))


# Words for people (the same on the learner's pages, in the reports and in the exports) -------

STATUS_LABELS = {
    NOT_STARTED: _l("Not started"),
    IN_PROGRESS: _l("In progress"),
    COMPLETED: _l("Completed"),
    CERTIFIED: _l("Certified"),
    COMPLIANT: _l("In order"),
    ON_TRACK: _l("On track"),
    DUE_SOON: _l("Due soon"),
    OVERDUE: _l("Overdue"),
}
