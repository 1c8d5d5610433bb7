"""Forms of the administration pages."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.validators import Email as EmailValidator

from lms.accounts.forms import language_choices
from lms.core.forms import CheckboxesField, LMSForm, options
from lms.core.i18n import lazy_gettext as _l
from lms.organisations.models import LEVEL_LABELS, LEVELS

ROLE_LABELS = {
    "learner": _l("Learner: takes courses"),
    "trainer": _l("Trainer: looks after courses, forums and sessions"),
    "admin": _l("Administrator: manages everything"),
}


class OrganisationForm(LMSForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter the name of the organisation.")), Length(max=200)],
    )
    level = RadioField(
        _l("Level"),
        choices=options((k, LEVEL_LABELS[k]) for k in LEVELS),
        default="municipality",
        validators=[DataRequired(_l("Choose the level of the organisation."))],
    )
    parent = SelectField(
        _l("Part of"),
        description=_l(
            "For an agency: its municipality (an OCMW or social house). For a municipality: its "
            "province. The national overview shows them together."
        ),
        coerce=str,
        validators=[Optional()],
    )
    sso_provider = SelectField(
        _l("Sign-in service (single sign-on)"),
        description=_l(
            "The organisation's own accounts, such as Microsoft Entra ID. The services are set "
            "up by the operator of the platform. “None”: people log in with a password."
        ),
        coerce=str,
        validators=[Optional()],
    )
    sso_domains = StringField(
        _l("E-mail domains of the organisation"),
        description=_l(
            "Separated by commas, for example gemeente.be, ocmw-gemeente.be. Only addresses at "
            "these domains can sign in with the service, and the domain finds the organisation."
        ),
        validators=[Optional(), Length(max=2000)],
        render_kw={"spellcheck": "false", "autocapitalize": "none"},
    )
    sso_create_accounts = BooleanField(
        _l("Make an account when someone signs in for the first time"),
        description=_l(
            "Otherwise only people who already have an account with the same e-mail address "
            "can sign in."
        ),
    )
    sso_passwords_off = BooleanField(
        _l("Switch off passwords of the learning platform for its people"),
        description=_l(
            "They can only sign in with their organisation's account. “Forgot your password?” "
            "sends them there."
        ),
    )


class DepartmentForm(LMSForm):
    name = StringField(
        _l("Name of the department"),
        description=_l("For example: Onthaal, Burgerzaken, Sociaal huis."),
        validators=[DataRequired(_l("Enter the name of the department.")), Length(max=200)],
    )


class PersonForm(LMSForm):
    full_name = StringField(
        _l("Full name"), validators=[DataRequired(_l("Enter the person's name.")), Length(max=200)]
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[
            Optional(),
            EmailValidator(_l("Enter an e-mail address like name@example.be.")),
        ],
        render_kw={"spellcheck": "false"},
    )
    username = StringField(
        _l("Username"),
        description=_l("Only needed for people without an e-mail address."),
        validators=[Optional(), Length(max=64)],
        render_kw={"spellcheck": "false", "autocapitalize": "none"},
    )
    organisation = SelectField(_l("Organisation"), coerce=str, validators=[Optional()])
    department = SelectField(_l("Department"), coerce=str, validators=[Optional()])
    preferred_language = RadioField(
        _l("Language"),
        choices=language_choices(),
        default="nl",
        validators=[DataRequired(_l("Choose a language."))],
    )
    kind = RadioField(
        _l("Staff or volunteer"),
        description=_l(
            "Volunteers (digihelpers) take the same courses and are counted apart in the reports."
        ),
        choices=options([("staff", _l("Staff member")), ("volunteer", _l("Volunteer"))]),
        default="staff",
        validators=[Optional()],  # left out of a POST: staff when new, unchanged when not
    )
    roles = CheckboxesField(_l("Roles"), choices=options(ROLE_LABELS.items()))
    managed_organisations = CheckboxesField(
        _l("Coordinator of"),
        description=_l(
            "A coordinator follows the progress of the people of these "
            "organisations, and of no others."
        ),
        coerce=str,
    )
    send_invitation = BooleanField(
        _l("Send an invitation by e-mail"),
        description=_l(
            "The person gets an e-mail in their language with a link to choose their password."
        ),
        default=True,
    )
