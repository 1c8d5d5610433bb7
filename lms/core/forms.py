"""The base class of every LMS form."""

from flask_wtf import FlaskForm


class LMSForm(FlaskForm):
    """A form bound to the request. CSRF is checked once for every unsafe request to an LMS
    page (see :mod:`lms.core.security`), so forms do not carry their own token field; templates
    add ``forms.csrf()``."""

    class Meta:
        csrf = False
