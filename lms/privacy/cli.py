"""``lms users erase`` and ``lms users purge-inactive`` (added to the ``lms users`` group)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.accounts.models import User
from lms.accounts.services import find_by_login
from lms.core.db import db
from lms.core.params import MAX_ID
from lms.privacy import retention
from lms.privacy.erasure import ErasureError, ErasureReport, clean_up_after_erasure, erase_person


def _find(person: str) -> User:
    """By e-mail address, username, or number (``#12`` or ``12``)."""
    text = person.strip()
    number = text.removeprefix("#")
    found = None
    if number.isdigit():
        if int(number) > MAX_ID:
            raise click.ClickException(f"{text!r} is not a person's number (too large)")
        found = db.session.get(User, int(number))
    else:
        found = find_by_login(db.session, text)
    if found is None or found.erased_at is not None:
        raise click.ClickException(f"nobody with the login or number {text!r}")
    return found


def _erase(person: User) -> list[str]:
    try:
        report = erase_person(db.session, person)
    except ErasureError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    state = current_app.extensions["lms"]
    notes = clean_up_after_erasure(
        state.engine,
        current_app.config["LMS_INSTANCE_PATH"],
        report,
        vacuum=current_app.config["LMS_ERASURE_VACUUM"],
    )
    return report.lines() + notes


@click.command("erase")
@click.argument("person")
@click.option("--yes", is_flag=True, help="Erase without asking for confirmation.")
@with_appcontext
def erase_cmd(person: str, yes: bool) -> None:
    """Erase PERSON (e-mail address, username or #number) for good: name, e-mail and learning
    records removed, forum posts kept as "former participant", certificates kept for
    verification only, xAPI statements voided (see docs/privacy.md)."""
    found = _find(person)
    label = f"#{found.id} {found.full_name} <{found.login_name}>"
    if not yes and not click.confirm(f"Erase {label}? This cannot be undone", default=False):
        raise click.ClickException("nothing was erased")
    for line in _erase(found):
        click.echo(f"  {line}")
    click.echo(f"Erased person #{found.id}.")


@click.command("purge-inactive")
@click.option(
    "--days",
    type=int,
    help="Inactive for this many days (default: LMS_RETENTION_INACTIVE_DAYS).",
)
@click.option("--yes", is_flag=True, help="Erase them (without it, only list them).")
@with_appcontext
def purge_inactive_cmd(days: int | None, yes: bool) -> None:
    """List the accounts without a sign-in or learning activity for the retention period
    (a dry run), or erase them with --yes. Administrators are never listed."""
    try:
        chosen = retention.retention_days(
            days if days is not None else current_app.config.get("LMS_RETENTION_INACTIVE_DAYS")
        )
    except retention.RetentionError as exc:
        message = str(exc)
        if days is not None:
            message = message.replace("LMS_RETENTION_INACTIVE_DAYS", "--days")
        raise click.ClickException(message) from None
    if chosen is None:
        raise click.ClickException(
            "no retention period: set LMS_RETENTION_INACTIVE_DAYS or give --days"
        )
    people = retention.inactive_people(db.session, chosen)
    seen = retention.last_seen(db.session, people)
    if not people:
        click.echo(f"No account is inactive for {chosen} days.")
        return
    click.echo(f"{len(people)} account(s) inactive for {chosen} days:")
    for person in people:
        click.echo(f"  #{person.id}  {person.login_name}  last seen {seen[person.id]:%Y-%m-%d}")
    if not yes:
        click.echo("Dry run: nothing was erased. Add --yes to erase them.")
        return
    ids = [p.id for p in people]
    done = ErasureReport(user_id=0)
    for user_id in ids:
        person = db.session.get(User, user_id)
        if person is None or person.erased_at is not None:
            continue
        report = erase_person(db.session, person)
        db.session.commit()  # one person at a time: a stop half-way keeps what was done
        done.mail_ids |= report.mail_ids
        done.words += report.words
    state = current_app.extensions["lms"]
    for note in clean_up_after_erasure(
        state.engine,
        current_app.config["LMS_INSTANCE_PATH"],
        done,
        vacuum=current_app.config["LMS_ERASURE_VACUUM"],
    ):
        click.echo(f"  {note}")
    click.echo(f"Erased {len(ids)} account(s).")
