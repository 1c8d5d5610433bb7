"""Forms of the test pages (answers are read by the question types, not by WTForms)."""

from __future__ import annotations

from wtforms import IntegerField, RadioField
from wtforms.validators import DataRequired, NumberRange, Optional

from lms.assessment.models import Accommodation
from lms.core.forms import LMSForm, options
from lms.core.i18n import lazy_gettext as _l

STANDARD, EXTRA, UNLIMITED = "standard", "extra", "unlimited"


class AccommodationForm(LMSForm):
    time = RadioField(
        _l("Time in tests"),
        choices=options(
            [
                (STANDARD, _l("The time limit of each test")),
                (EXTRA, _l("Extra time")),
                (UNLIMITED, _l("No time limit")),
            ]
        ),
        validators=[DataRequired(_l("Choose how much time this person gets."))],
    )
    extra_percent = IntegerField(
        _l("Extra time, in percent"),
        description=_l("For extra time only. 50 gives one and a half times the time."),
        validators=[
            Optional(),
            NumberRange(5, 400, _l("Enter a percentage between 5 and 400.")),
        ],
    )

    def load(self, current: Accommodation | None) -> None:
        if current is None:
            self.time.data = STANDARD
        elif current.no_time_limit:
            self.time.data = UNLIMITED
        else:
            self.time.data = EXTRA
            self.extra_percent.data = current.extra_time_percent

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.time.data == EXTRA and not self.extra_percent.data:
            self.extra_percent.errors = [_l("Enter how much extra time, in percent.")]
            return False
        return valid

    def values(self) -> tuple[int, bool]:
        """(extra time in percent, no time limit)."""
        if self.time.data == UNLIMITED:
            return 0, True
        if self.time.data == EXTRA:
            return int(self.extra_percent.data or 0), False
        return 0, False
