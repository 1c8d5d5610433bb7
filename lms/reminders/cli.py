"""``lms reminders send``: the daily reminder job (and the weekly summaries)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.core.db import db
from lms.learning.statuses import StatusSettings
from lms.reminders import jobs
from lms.reminders.services import ReminderSettings


@click.group("reminders")
def reminders_group() -> None:
    """Reminders to people who fall behind."""


@reminders_group.command("send")
@click.option(
    "--summaries",
    is_flag=True,
    help="Also send each coordinator the week's summary of who is overdue (once a week).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1, max=10000),
    default=jobs.BATCH_SIZE,
    show_default=True,
    help="Enrolments per transaction.",
)
@with_appcontext
def send_cmd(summaries: bool, batch_size: int) -> None:
    """Queue the reminders due today (run daily from cron; `lms mail send` sends them).

    Before the due day (LMS_REMINDER_DAYS_BEFORE) and while overdue
    (LMS_REMINDER_OVERDUE_EVERY_DAYS). Running it again, or twice at once, sends nobody a
    reminder twice."""
    config = current_app.config
    settings = StatusSettings.from_config(config)
    count = jobs.send_automatic(
        db.session, settings, ReminderSettings.from_config(config), batch_size=batch_size
    )
    click.echo(f"{count} reminder(s) queued")
    if summaries:
        sent = jobs.send_summaries(db.session, settings)
        click.echo(f"{sent} weekly summary(ies) queued")
