"""The form of the public page that checks an uploaded credential."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import TextAreaField

from lms.core.forms import LMSForm
from lms.core.i18n import lazy_gettext as _l


class CheckBadgeForm(LMSForm):
    """A file (baked PNG, .json or .jwt) or the pasted text; the view says which is missing."""

    file = FileField(
        _l("The badge file"),
        description=_l("A badge image (PNG), or a .json or .jwt file you downloaded."),
    )
    text = TextAreaField(
        _l("Or paste the credential"),
        description=_l("The text of a .jwt or .json file, if you have no file to upload."),
        render_kw={"rows": 6, "spellcheck": "false", "autocomplete": "off"},
    )
