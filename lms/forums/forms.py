"""Forms of the forum pages."""

from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lms.core.forms import LMSForm
from lms.core.i18n import lazy_gettext as _l
from lms.forums.services import BODY_MAX, TITLE_MAX

MARKDOWN_HINT = _l(
    "You can use Markdown: *italic*, **bold**, a list with - at the start of each line, "
    "and links like [text](https://example.be). Do not name citizens or share their data."
)


def _body_field(label, missing, too_long) -> TextAreaField:
    """The Markdown text of a post (a thread's opening post, a reply, an edit)."""
    return TextAreaField(
        label,
        description=MARKDOWN_HINT,
        render_kw={"rows": 8},
        validators=[DataRequired(missing), Length(max=BODY_MAX, message=too_long)],
    )


def _message_field() -> TextAreaField:
    return _body_field(
        _l("Your message"), _l("Write your message."), _l("Your message is too long.")
    )


class ThreadForm(LMSForm):
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Enter a title.")),
            Length(max=TITLE_MAX, message=_l("Keep the title under 200 characters.")),
        ],
    )
    body = _message_field()


class PostForm(LMSForm):
    body = _body_field(_l("Your reply"), _l("Write your reply."), _l("Your reply is too long."))


class ReportForm(LMSForm):
    reason = TextAreaField(
        _l("What is wrong with this post? (optional)"),
        description=_l("Only the trainers read this."),
        validators=[Optional(), Length(max=2000)],
    )


class EditPostForm(LMSForm):
    body = _message_field()
