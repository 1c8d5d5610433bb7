"""``lms reports snapshot``: keep this month's reports of every organisation (cron, monthly)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.core.db import db
from lms.learning import summary
from lms.learning.statuses import StatusSettings
from lms.organisations.queries import find_organisation
from lms.reporting.snapshots import parse_period, period_of, run_snapshot_job


@click.group("reports")
def reports_group() -> None:
    """Progress reports."""


@reports_group.command("snapshot")
@click.option("--period", help="The month to file it under, YYYY-MM (default: this month).")
@click.option(
    "--organisation",
    "organisations",
    multiple=True,
    help="Only this organisation (slug or name); may be repeated.",
)
@with_appcontext
def snapshot_cmd(period: str | None, organisations: tuple[str, ...]) -> None:
    """Store each organisation's dashboard and people table as they are today.

    One snapshot per organisation and month: running it again in the same month (or two runs
    at once) adds nothing. Coordinators download them under Progress > Snapshots."""
    settings = StatusSettings.from_config(current_app.config)
    try:
        month = parse_period(period) if period else period_of(settings.today)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--period") from None
    chosen = None
    if organisations:
        chosen = []
        for key in organisations:
            found = find_organisation(db.session, key)
            if found is None:
                raise click.BadParameter(f"no organisation {key!r}", param_hint="--organisation")
            chosen.append(found)
    language = current_app.config["LMS_LANGUAGES"][0]
    made, skipped = run_snapshot_job(
        db.session, settings, period=month, organisations=chosen, language=language
    )
    click.echo(f"{made} snapshot(s) of {month} made, {skipped} already there")


@reports_group.command("refresh-summaries")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 100_000),
    default=1000,
    show_default=True,
    help="Enrolments computed and committed at a time.",
)
@with_appcontext
def refresh_summaries_cmd(batch_size: int) -> None:
    """Compute the progress summaries the reports read, where they are missing or were
    computed for an older course version (cron, and after importing a new course version).

    The reports are right without it (they compute what is missing); this makes them fast.
    Running it again computes only what changed since."""
    total = summary.refresh(
        db.session,
        size=batch_size,
        commit=True,
        echo=lambda done: click.echo(f"  {done} computed ..."),
    )
    db.session.commit()
    click.echo(f"{total} progress summary(ies) computed; every other one was up to date.")
