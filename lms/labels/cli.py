"""``lms labels update``: grant, warn about and withdraw counter labels (cron, daily)."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app, url_for
from flask.cli import with_appcontext

from lms.core.db import db
from lms.labels.services import LabelRules, LabelSettingsError, update_labels
from lms.learning.statuses import local_today


@click.group("labels")
def labels_group() -> None:
    """Labels for counters whose staff are trained."""


@labels_group.command("update")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Work as if today were this day (YYYY-MM-DD), to catch up after a pause.",
)
@with_appcontext
def update_cmd(today) -> None:
    """Grant labels to the counters that meet the rules, warn the coordinators of those that
    fell below, and withdraw the labels whose grace period is over.

    Running it again the same day changes nothing and sends no e-mail twice. E-mails are sent
    by `lms mail send`."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        rules = LabelRules.from_config(app.config)
    except LabelSettingsError as error:
        raise click.ClickException(str(error)) from None
    day: date = today.date() if today else local_today(app.config["LMS_TIMEZONE"])
    with app.test_request_context(base_url=app.config["LMS_BASE_URL"]):
        try:
            run = update_labels(
                db.session,
                rules,
                today=day,
                people_link=lambda department, course: url_for(
                    "lms.reporting.people",
                    organisation=department.organisation_id,
                    department=department.id,
                    course=course,
                    _external=True,
                ),
                verify_link=lambda label: url_for(
                    "lms.labels.verify", code=label.display_code, _external=True
                ),
            )
        except LabelSettingsError as error:
            raise click.ClickException(str(error)) from None
        db.session.commit()
    click.echo(f"Labels on {day.isoformat()}: {run.summary()}")
