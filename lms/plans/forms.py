"""Forms of the plan pages. The plan prompt's answers are checked by
``services.check_plan`` (every field at once, with messages that say what to do)."""

from __future__ import annotations

from wtforms import RadioField, StringField, TextAreaField

from lms.core.forms import CheckboxesField, LMSForm, options
from lms.core.i18n import lazy_gettext as _l
from lms.plans.services import DURATIONS, ONCE, WEEKLY

WEEKDAY_LABELS = (
    ("MO", _l("Monday")),
    ("TU", _l("Tuesday")),
    ("WE", _l("Wednesday")),
    ("TH", _l("Thursday")),
    ("FR", _l("Friday")),
    ("SA", _l("Saturday")),
    ("SU", _l("Sunday")),
)
PLACE_LABELS = (
    ("desk", _l("At my desk")),
    ("home", _l("At home")),
    ("training_room", _l("In the training room")),
    ("other", _l("Somewhere else")),
)


def _durations():
    return options((str(m), _l("%(num)d minutes", num=m)) for m in DURATIONS)


class PlanForm(LMSForm):
    when = RadioField(
        _l("When will you learn?"),
        choices=options(
            [
                (WEEKLY, _l("On set days, every week or every few weeks")),
                (ONCE, _l("Once, on a date")),
            ]
        ),
        validate_choice=False,
    )
    weekdays = CheckboxesField(
        _l("Which days?"), choices=options(WEEKDAY_LABELS), validate_choice=False
    )
    every = StringField(
        _l("Every how many weeks?"),
        description=_l("1 is every week, 2 is every other week."),
        default="1",
    )
    day = StringField(_l("Day"))
    month = StringField(_l("Month"))
    year = StringField(_l("Year"))
    time = StringField(
        _l("At what time?"),
        description=_l(
            "For example 09:30 or 14:00. Name a time of day: people who do, finish more often."
        ),
    )
    minutes = RadioField(_l("For how long?"), choices=_durations(), default="30",
                         validate_choice=False)  # fmt: skip
    place = RadioField(
        _l("Where will you learn?"), choices=options(PLACE_LABELS), validate_choice=False
    )
    place_other = StringField(_l("Where, then?"))
    first_step = TextAreaField(
        _l("What is your first step? (optional)"),
        description=_l("For example: open module 1 and read the first part."),
    )
    if_then = TextAreaField(
        _l("If something gets in the way, what will you do? (optional)"),
        description=_l(
            "For example: if a citizen comes to the desk, then I learn right after lunch."
        ),
    )


class DepartmentTimeForm(LMSForm):
    weekdays = CheckboxesField(
        _l("Which days?"), choices=options(WEEKDAY_LABELS), validate_choice=False
    )
    time = StringField(_l("At what time?"), description=_l("For example 09:30 or 14:00."))
    minutes = RadioField(_l("For how long?"), choices=_durations(), default="30",
                         validate_choice=False)  # fmt: skip


class ExperimentForm(LMSForm):
    share = StringField(
        _l("Share of new enrolments that see no prompt (per cent)"),
        description=_l("From 0 to 50, for example 20. The others see the prompt."),
    )
