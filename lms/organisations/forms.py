"""Forms of the coordinator's pages."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired

from lms.core.forms import LMSForm
from lms.core.i18n import lazy_gettext as _l


class PeopleImportForm(LMSForm):
    organisation = SelectField(
        _l("Organisation"),
        coerce=str,
        validators=[DataRequired(_l("Choose the organisation."))],
    )
    file = FileField(
        _l("A CSV file of the people"),
        description=_l(
            "One person per row. Columns: full_name, email, username (for people without "
            "e-mail), department, language (nl, fr, de or en), kind (staff or volunteer). "
            "Excel's \u201cCSV UTF-8\u201d works."
        ),
        validators=[FileRequired(_l("Choose a CSV file."))],
    )
    invite = BooleanField(
        _l("Send each person an invitation by e-mail"),
        description=_l(
            "Each person gets an e-mail in their language with a link to choose their password."
        ),
        default=True,
    )
