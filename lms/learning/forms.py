"""Forms of the learning pages."""

from __future__ import annotations

from wtforms import DateField, RadioField, SelectField
from wtforms.validators import DataRequired, Optional

from lms.core.forms import CheckboxesField, LMSForm
from lms.core.i18n import lazy_gettext as _l


class EnrolPeopleForm(LMSForm):
    course = RadioField(_l("Course"), validators=[DataRequired(_l("Choose a course."))])
    department = SelectField(
        _l("A whole department"),
        description=_l("Everyone who works there now and can log in."),
        validators=[Optional()],
    )
    people = CheckboxesField(_l("Or choose people"), coerce=str)
    due_date = DateField(
        _l("To finish by (optional)"),
        description=_l("For example 30/06/2027. Leave empty when there is no deadline."),
        validators=[Optional()],
        format=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"],
    )
