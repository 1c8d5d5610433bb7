"""The base class of every LMS form."""

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectMultipleField, widgets


class LMSForm(FlaskForm):
    """A form bound to the request. CSRF is checked once for every unsafe request to an LMS
    page (see :mod:`lms.core.security`), so forms do not carry their own token field; templates
    add ``forms.csrf()``."""

    class Meta:
        csrf = False


def options(pairs: Iterable[tuple[str, Any]], optgroup: str | None = None) -> list[SelectChoice]:
    """Choices for a select, radio or checkbox field from ``(value, label)`` pairs."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]


class CheckboxesField(SelectMultipleField):
    """Several choices shown as a list of checkboxes (GOV.UK's checkboxes pattern)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
