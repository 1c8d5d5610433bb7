"""Forms of the live-session pages."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional

from lms.core.forms import LMSForm
from lms.core.i18n import lazy_gettext as _l


class ScheduleForm(LMSForm):
    day = DateField(
        _l("Date"),
        description=_l("For example 17/03/2027."),
        validators=[DataRequired(_l("Enter the date, for example 17/03/2027."))],
        format=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"],
    )
    start = TimeField(
        _l("Starts at"),
        description=_l("Belgian time, for example 14:00."),
        validators=[DataRequired(_l("Enter the start time, for example 14:00."))],
    )
    end = TimeField(
        _l("Ends at (optional)"),
        description=_l("Leave empty to use the length the course gives."),
        validators=[Optional()],
    )
    place = StringField(
        _l("Place"),
        description=_l("Address and room, for an in-person session."),
        validators=[Optional(), Length(max=300)],
    )
    link = StringField(
        _l("Link to join"),
        description=_l("The https:// address of the online meeting, for a webinar."),
        validators=[
            Optional(),
            Length(max=500),
            URL(require_tld=False, message=_l("Enter an address starting with https://")),
        ],
    )
    capacity = IntegerField(
        _l("Seats (optional)"),
        description=_l("Leave empty for no limit. When it is full, people join a waiting list."),
        validators=[Optional(), NumberRange(min=1, message=_l("Enter a number above 0."))],
    )
    organisation = SelectField(_l("For whom"))
    notes = TextAreaField(
        _l("What to bring or prepare (optional)"), validators=[Optional(), Length(max=2000)]
    )


class EditSessionForm(ScheduleForm):
    """Changing a planned date: everything but for whom it is."""

    organisation = None


class CancelForm(LMSForm):
    reason = TextAreaField(
        _l("Why is it cancelled? (optional)"),
        description=_l("The people who registered read this in their e-mail."),
        validators=[Optional(), Length(max=1000, message=_l("Keep it under 1000 characters."))],
    )


class AttendanceUploadForm(LMSForm):
    file = FileField(
        _l("A CSV file of the people who were there"),
        description=_l(
            "One person per row: their e-mail address (or username) in the first column, or "
            "in a column called email. Excel's \u201cCSV UTF-8\u201d works."
        ),
        validators=[FileRequired(_l("Choose a CSV file."))],
    )
