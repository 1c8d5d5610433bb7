"""Forms of the certificate pages: the public look-up, revoking and re-issuing."""

from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from lms.certification.codes import normalise_code
from lms.core.forms import LMSForm
from lms.core.i18n import lazy_gettext as _l


class VerifyForm(LMSForm):
    """Sent with GET, so that the QR code's address is the same page with the answer."""

    code = StringField(
        _l("Verification code"),
        description=_l("12 letters and digits, printed on the certificate, like K7QM-2XRD-9TPA."),
        validators=[DataRequired(_l("Enter the verification code."))],
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
        },
    )

    def validate_code(self, field: StringField) -> None:
        if normalise_code(field.data) is None:
            raise ValidationError(
                _l("A verification code has 12 letters and digits, like K7QM-2XRD-9TPA.")
            )


class RevokeForm(LMSForm):
    reason = TextAreaField(
        _l("Reason for revoking"),
        description=_l(
            "Kept with the certificate for the holder and administrators. The public page "
            "shows only that it was revoked, and when."
        ),
        validators=[
            DataRequired(_l("Give the reason for revoking the certificate.")),
            Length(max=2000),
        ],
    )


class ReissueForm(LMSForm):
    """Only a button (and the CSRF token): the new certificate takes the current name."""
