"""``lms forums digest``: e-mail followers about new replies (run it from cron)."""

from __future__ import annotations

import click
from flask import current_app, url_for
from flask.cli import with_appcontext

from lms.core.db import db
from lms.forums.digest import send_digest


@click.group("forums")
def forums_group() -> None:
    """Module forums."""


@forums_group.command("digest")
@with_appcontext
def digest_cmd() -> None:
    """Queue one e-mail per person with the new replies in the threads they follow.

    Mail is sent by `lms mail send`. Running it again sends only what is new since."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with app.test_request_context(base_url=app.config["LMS_BASE_URL"]):
        count = send_digest(
            db.session,
            secret_key=app.config["SECRET_KEY"],
            url_for_thread=lambda slug, activity_id, thread_id: url_for(
                "lms.forums.thread",
                slug=slug,
                activity_id=activity_id,
                thread_id=thread_id,
                _external=True,
            ),
            url_for_unfollow=lambda token: url_for(
                "lms.forums.unfollow", token=token, _external=True
            ),
        )
        db.session.commit()
    click.echo(f"{count} digest(s) queued")
