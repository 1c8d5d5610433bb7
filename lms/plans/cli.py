"""``lms plans nudge``: the hourly nudge at planned learning times."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.core.db import db
from lms.plans import jobs


@click.group("plans")
def plans_group() -> None:
    """Learning plans."""


@plans_group.command("nudge")
@with_appcontext
def nudge_cmd() -> None:
    """Queue a short e-mail at planned learning times (run hourly from cron) for people who
    have not been active in the course that week; `lms mail send` sends them."""
    config = current_app.config
    count = jobs.send_nudges(
        db.session,
        before_minutes=int(config["LMS_PLAN_NUDGE_BEFORE_MINUTES"]),
        late_hours=int(config["LMS_PLAN_NUDGE_LATE_HOURS"]),
    )
    click.echo(f"{count} nudge(s) queued")
