"""The administrator's form for a platform registration."""

from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from lms.core.forms import LMSForm
from lms.core.i18n import lazy_gettext as _l


class RegistrationForm(LMSForm):
    name = StringField(
        _l("Name"),
        description=_l("So that you recognise it, for example “Moodle of Regio Westhoek”."),
        validators=[DataRequired(_l("Enter a name for this platform.")), Length(max=200)],
    )
    issuer = StringField(
        _l("Platform ID (issuer)"),
        description=_l("The platform shows it, for example https://moodle.example.be."),
        validators=[DataRequired(_l("Enter the platform's issuer.")), Length(max=255)],
    )
    client_id = StringField(
        _l("Client ID"),
        description=_l("The platform made it when you added this tool there."),
        validators=[DataRequired(_l("Enter the client ID.")), Length(max=255)],
    )
    auth_login_url = StringField(
        _l("Authentication request URL"),
        validators=[DataRequired(_l("Enter the authentication request URL.")), Length(max=1000)],
    )
    auth_token_url = StringField(
        _l("Access token URL"),
        validators=[DataRequired(_l("Enter the access token URL.")), Length(max=1000)],
    )
    key_set_url = StringField(
        _l("Public keyset URL"),
        validators=[DataRequired(_l("Enter the public keyset URL.")), Length(max=1000)],
    )
    deployment_ids = StringField(
        _l("Deployment IDs"),
        description=_l("One or more, separated by spaces or commas."),
        validators=[DataRequired(_l("Enter at least one deployment ID."))],
    )
    organisation = SelectField(
        _l("Organisation of the people it sends"),
        description=_l("People who come from this platform for the first time join it."),
        coerce=str,
        validators=[DataRequired(_l("Choose an organisation."))],
    )
    active = BooleanField(_l("Launches from this platform are allowed"), default=True)
