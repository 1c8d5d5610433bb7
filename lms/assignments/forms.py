"""Forms of the assignment-rule pages."""

from __future__ import annotations

from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField
from wtforms.validators import DataRequired, NumberRange, Optional

from lms.assignments.models import DUE_FIXED, DUE_NONE, DUE_RELATIVE
from lms.assignments.services import MAX_DUE_DAYS
from lms.core.forms import CheckboxesField, LMSForm, options
from lms.core.i18n import lazy_gettext as _l

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]


class RuleTermsForm(LMSForm):
    """Mandatory or not, the due date and renewal: what a rule says (and what can change)."""

    mandatory = RadioField(
        _l("Mandatory or voluntary?"),
        choices=options([("mandatory", _l("Mandatory")), ("voluntary", _l("Voluntary"))]),
        default="mandatory",
        validators=[DataRequired(_l("Choose mandatory or voluntary."))],
    )
    due_kind = RadioField(
        _l("By when?"),
        choices=options(
            [
                (DUE_NONE, _l("No due date")),
                (DUE_FIXED, _l("By a date")),
                (DUE_RELATIVE, _l("Within a number of days after being assigned")),
            ]
        ),
        default=DUE_NONE,
        validators=[DataRequired(_l("Choose how the due date is set."))],
    )
    due_date = DateField(
        _l("The date"),
        description=_l('For example 30/06/2027. Only for "By a date".'),
        validators=[Optional()],
        format=DATE_FORMATS,
    )
    due_days = IntegerField(
        _l("Number of days"),
        description=_l(
            "For example 60. Newcomers count from the day they join, the others from today."
        ),
        validators=[
            Optional(),
            NumberRange(1, MAX_DUE_DAYS, _l("Give a number of days from 1 to %(max)s.")),
        ],
    )
    renew_on_expiry = BooleanField(
        _l("When the certificate expires, the course is due again on its last valid day")
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.due_kind.data == DUE_FIXED and self.due_date.data is None:
            if not self.due_date.errors:
                self.due_date.errors = [_l("Give the date by which the course must be finished.")]
            ok = False
        if self.due_kind.data == DUE_RELATIVE and self.due_days.data is None:
            if not self.due_days.errors:
                self.due_days.errors = [_l("Give the number of days.")]
            ok = False
        return ok


class RuleForm(RuleTermsForm):
    """A new rule: which course, for whom, and its terms."""

    course = RadioField(_l("Course"), validators=[DataRequired(_l("Choose a course."))])
    target = RadioField(
        _l("For whom?"),
        choices=options(
            [
                ("organisation", _l("Everyone in the organisation")),
                ("departments", _l("The departments I choose")),
                ("people", _l("The people I choose")),
            ]
        ),
        default="departments",
        validators=[DataRequired(_l("Choose for whom."))],
    )
    organisation = SelectField(
        _l("Organisation"),
        description=_l('Only for "Everyone in the organisation".'),
        validators=[Optional()],
    )
    departments = CheckboxesField(
        _l("Departments"),
        description=_l('Only for "The departments I choose". One rule per department.'),
        coerce=str,
    )
    people = CheckboxesField(
        _l("People"),
        description=_l('Only for "The people I choose". One rule per person.'),
        coerce=str,
    )
