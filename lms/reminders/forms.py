"""Forms of the reminder pages."""

from __future__ import annotations

from wtforms import RadioField
from wtforms.validators import AnyOf, InputRequired

from lms.core.forms import LMSForm, options
from lms.core.i18n import lazy_gettext as _l
from lms.reminders.models import FREQUENCIES, NONE, NORMAL, ONLY_OVERDUE


class PreferenceForm(LMSForm):
    voluntary = RadioField(
        _l("Reminders about voluntary courses"),
        description=_l(
            "Courses you follow because you want to. You always get reminders about "
            "mandatory courses."
        ),
        choices=options(
            [
                (NORMAL, _l("Before the date to finish them, and when it has passed")),
                (ONLY_OVERDUE, _l("Only when the date to finish them has passed")),
                (NONE, _l("No reminders")),
            ]
        ),
        validators=[
            InputRequired(_l("Choose how often you want reminders.")),
            AnyOf(FREQUENCIES, message=_l("Choose how often you want reminders.")),
        ],
        validate_choice=False,
    )
