"""Forms of the databank: a proposal (and a trainer's edit of it), a rejection, a list."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from lms.core.forms import CheckboxesField, LMSForm, options
from lms.core.i18n import lazy_gettext as _l
from lms.databank.labels import GROUP_LABELS, LANGUAGE_LABELS, THEME_LABELS, TYPE_LABELS

TITLE_MAX = 200
DESCRIPTION_MAX = 600


def safe_link(value: str) -> bool:
    """Only http(s) addresses with a host: never javascript:, data:, file: or a bare path."""
    from urllib.parse import urlsplit

    value = value.strip()
    if any(c.isspace() or ord(c) < 32 for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


class ResourceFields(LMSForm):
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Enter a title.")),
            Length(max=TITLE_MAX, message=_l("Keep the title under 200 characters.")),
        ],
    )
    description = TextAreaField(
        _l("Short description"),
        description=_l("In 1 to 3 sentences: what is it, and who is it for?"),
        render_kw={"rows": 4},
        validators=[
            DataRequired(_l("Write a short description.")),
            Length(max=DESCRIPTION_MAX, message=_l("Keep the description under 600 characters.")),
        ],
    )
    type = RadioField(
        _l("What kind of material is it?"),
        choices=options(TYPE_LABELS.items()),
        validators=[DataRequired(_l("Choose the kind of material."))],
    )
    target_groups = CheckboxesField(
        _l("Who is it for?"),
        choices=options(GROUP_LABELS.items()),
        validators=[DataRequired(_l("Choose at least one target group."))],
    )
    languages = CheckboxesField(
        _l("In which language is the material?"),
        choices=options(LANGUAGE_LABELS.items()),
        validators=[DataRequired(_l("Choose at least one language."))],
    )
    themes = CheckboxesField(
        _l("Which themes or apps does it cover?"),
        choices=options(THEME_LABELS.items()),
        validators=[DataRequired(_l("Choose at least one theme."))],
    )
    url = StringField(
        _l("Link to the material"),
        description=_l("An address that starts with https://. Or upload a file below."),
        validators=[Optional(), Length(max=500, message=_l("This link is too long."))],
    )
    licence = StringField(
        _l("Licence (optional)"),
        description=_l("For example CC BY 4.0. Leave empty if you do not know."),
        validators=[Optional(), Length(max=80, message=_l("Keep the licence short."))],
    )

    def validate_url(self, field: StringField) -> None:
        if field.data and not safe_link(field.data):
            raise ValidationError(_l("Enter a link that starts with https:// or http://."))


class ProposalForm(ResourceFields):
    file = FileField(
        _l("Or upload a file"),
        description=_l("PDF, PNG or JPEG image, Word, Excel, PowerPoint or OpenDocument text."),
    )


class ReviewForm(ResourceFields):
    """A trainer's edit of a proposal before approving it."""


class RejectForm(LMSForm):
    reason = TextAreaField(
        _l("Why is it not accepted?"),
        description=_l("The person who proposed it gets this in an e-mail. Be kind and clear."),
        render_kw={"rows": 4},
        validators=[
            DataRequired(_l("Write the reason.")),
            Length(max=1000, message=_l("Keep the reason under 1000 characters.")),
        ],
    )


class ListForm(LMSForm):
    name = StringField(
        _l("Name of the list"),
        description=_l("For example: For the Wednesday digi-café."),
        validators=[
            DataRequired(_l("Enter a name for the list.")),
            Length(max=120, message=_l("Keep the name under 120 characters.")),
        ],
    )
