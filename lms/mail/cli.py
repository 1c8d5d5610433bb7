"""``lms mail send``: the worker that sends queued e-mail after it was committed."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.core.db import db
from lms.core.workers import WorkerAlreadyRunning, single_worker, worker_id
from lms.mail.services import send_pending


@click.group("mail")
def mail_group() -> None:
    """The e-mail outbox."""


@mail_group.command("send")
@click.option("--once", is_flag=True, help="Send what is queued now, then stop (for cron).")
@click.option(
    "--interval",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds between rounds.",
)
@with_appcontext
def send_cmd(once: bool, interval: float) -> None:
    """Send queued e-mail, in a loop (or once).

    On PostgreSQL several workers may run at once, on several hosts: each claims its own
    messages. On SQLite only one may run; a second one stops with a message.
    """
    worker = worker_id()
    try:
        with single_worker(current_app.extensions["lms"].engine, "mail"):
            while True:
                total_sent = total_failed = 0
                while True:  # batch after batch, until the outbox is empty or fails
                    sent, failed = send_pending(db.session, worker=worker)
                    total_sent, total_failed = total_sent + sent, total_failed + failed
                    if failed or not sent:
                        break
                if total_sent or total_failed or once:
                    click.echo(f"sent {total_sent}, failed {total_failed}")
                db.remove()
                if once:
                    return
                time.sleep(interval)
    except WorkerAlreadyRunning as exc:
        raise click.ClickException(str(exc)) from None
