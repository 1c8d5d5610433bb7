"""The public look-up of a label's verification code."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError

from lms.certification.codes import normalise_code
from lms.core.forms import LMSForm
from lms.core.i18n import lazy_gettext as _l


class VerifyLabelForm(LMSForm):
    """Sent with GET, so that the label's link is the same page with the answer."""

    code = StringField(
        _l("Verification code"),
        description=_l("12 letters and digits, shown with the label, like K7QM-2XRD-9TPA."),
        validators=[DataRequired(_l("Enter the verification code."))],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )

    def validate_code(self, field: StringField) -> None:
        if normalise_code(field.data) is None:
            raise ValidationError(
                _l("A verification code has 12 letters and digits, like K7QM-2XRD-9TPA.")
            )
