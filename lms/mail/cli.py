"""``lms mail send``: the worker that sends queued e-mail after it was committed."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from lms.core.db import db
from lms.mail.services import send_pending


@click.group("mail")
def mail_group() -> None:
    """The e-mail outbox."""


@mail_group.command("send")
@click.option("--once", is_flag=True, help="Send what is queued now, then stop (for cron).")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between rounds.")
@with_appcontext
def send_cmd(once: bool, interval: float) -> None:
    """Send queued e-mail, in a loop (or once)."""
    while True:
        sent, failed = send_pending(db.session)
        if sent or failed or once:
            click.echo(f"sent {sent}, failed {failed}")
        db.remove()
        if once:
            return
        time.sleep(interval)
