"""``lms xapi ...``: deliver the outbox, look at and retry dead letters, export."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.core.db import db
from lms.core.workers import WorkerAlreadyRunning, single_worker
from lms.xapi import delivery, queries, transport
from lms.xapi.services import retry_issues


@click.group("xapi")
def xapi_group() -> None:
    """xAPI statements: delivery to the LRS, dead letters, export."""


@xapi_group.command("deliver")
@click.option("--once", is_flag=True, help="One round (send what is queued), then stop (cron).")
@click.option("--interval", type=float, default=None, help="Seconds between rounds.")
@with_appcontext
def deliver_cmd(once: bool, interval: float | None) -> None:
    """Send committed statements to every configured LRS, in a loop (or once).

    On PostgreSQL several workers may run at once, on several hosts: each LRS endpoint is
    served by one of them at a time (a lease), and a worker that dies is taken over. On
    SQLite only one may run; a second one stops with a message.
    """
    config = current_app.config
    endpoints = transport.endpoints_from_config(config)
    if not endpoints:
        click.echo("No LRS configured (LMS_LRS_ENDPOINTS): statements stay in the database.")
        click.echo("Use `lms xapi export` to write them out.")
        return
    state = current_app.extensions["lms"]
    try:
        with single_worker(state.engine, "xapi"):
            delivery.run(
                state.session_factory,
                endpoints,
                transport.Settings.from_config(config),
                once=once,
                interval=config["LMS_XAPI_POLL_INTERVAL"] if interval is None else interval,
                echo=click.echo,
            )
    except WorkerAlreadyRunning as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:  # pragma: no cover - interactive stop
        click.echo("stopped")


@xapi_group.command("failed")
@click.option("--all", "show_all", is_flag=True, help="Also the statements still being retried.")
@with_appcontext
def failed_cmd(show_all: bool) -> None:
    """List dead letters and conflicts (use their ids with `lms xapi retry`)."""
    statuses = queries.ISSUE_STATUSES if show_all else ("failed", "conflict")
    found = queries.issues(db.session, statuses)
    if not found:
        click.echo("No failed statements.")
        return
    for issue in found:
        click.echo(
            f"{issue.id}\t{issue.endpoint}\t{issue.status}\t{issue.statement_id}\t{issue.verb}"
            f"\tattempts {issue.attempts}\t{issue.last_error or ''}"
        )


@xapi_group.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "retry_all", is_flag=True, help="Every dead letter.")
@with_appcontext
def retry_cmd(ids: tuple[int, ...], retry_all: bool) -> None:
    """Send dead letters (or the issues named by id) again at the next round."""
    if bool(ids) == retry_all:
        raise click.UsageError("name issue ids (see `lms xapi failed`) or give --all")
    count = retry_issues(db.session, None if retry_all else list(ids))
    db.session.commit()
    click.echo(f"{count} statement(s) will be sent again at the next round.")


def _parse_since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter("use an ISO date or time, e.g. 2024-05-01") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@xapi_group.command("export")
@click.option("--since", help="Only statements stored since this ISO date/time (UTC if naive).")
@click.option(
    "--output", type=click.Path(dir_okay=False, writable=True), help="File (default: stdout)."
)
@with_appcontext
def export_cmd(since: str | None, output: str | None) -> None:
    """Write statements as JSON lines (for an LRS import, or when none is configured)."""
    start = _parse_since(since)
    count = 0
    handle = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    try:
        for line in queries.export_lines(db.session, start):
            handle.write(line + "\n")
            count += 1
    finally:
        if output:
            handle.close()
    if output:
        click.echo(f"{count} statement(s) written to {output}.")
