"""``lms users ...``: create people and import them from CSV."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from lms.accounts.models import ROLES, User
from lms.accounts.passwords import password_problems
from lms.accounts.services import AccountError, RoleSpec, create_user, find_by_login
from lms.core.db import db
from lms.organisations.invitations import InvitationError, invitable, invitation_states
from lms.organisations.invitations import invite as send_invitation
from lms.organisations.people_import import CsvImportError, import_users
from lms.organisations.queries import find_department, find_organisation


@click.group("users")
def users_group() -> None:
    """People and their accounts."""


@users_group.command("create")
@click.option("--name", "full_name", required=True, help="Full name.")
@click.option("--email", help="E-mail address (login).")
@click.option("--username", help="Username (login), for people without e-mail.")
@click.option("--organisation", help="Organisation name or slug.")
@click.option("--department", help="Department name within the organisation.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(ROLES),
    default=["learner"],
    show_default=True,
    help="Role; repeat for several. A manager manages --organisation.",
)
@click.option(
    "--language", type=click.Choice(["nl", "fr", "de", "en"]), default="nl", show_default=True
)
@click.option("--password", help="Password (asked when not given, unless --invite).")
@click.option(
    "--invite",
    is_flag=True,
    help="No password: e-mail an invitation to choose one (needs --email).",
)
@with_appcontext
def create_cmd(
    full_name, email, username, organisation, department, roles, language, password, invite
):
    """Create one person."""
    if invite and password:
        raise click.BadParameter("give --password or --invite, not both", param_hint="--invite")
    if invite and not email:
        raise click.BadParameter("an invitation needs --email", param_hint="--invite")
    if not invite and password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    org = dept = None
    if organisation:
        org = find_organisation(db.session, organisation)
        if org is None:
            raise click.BadParameter(
                f"no organisation called {organisation!r}", param_hint="--organisation"
            )
    if department:
        dept = find_department(db.session, org, department) if org else None
        if dept is None:
            raise click.BadParameter(
                f"no department {department!r} in that organisation", param_hint="--department"
            )
    problems = (
        password_problems(password, identifiers=(email or "", username or "")) if not invite else []
    )
    if problems:
        raise click.BadParameter(" ".join(problems), param_hint="--password")
    specs = []
    for role in roles:
        if role == "manager":
            if org is None:
                raise click.BadParameter("a manager needs --organisation", param_hint="--role")
            specs.append(RoleSpec("manager", org.id))
        else:
            specs.append(RoleSpec(role))
    try:
        user = create_user(
            db.session,
            full_name=full_name,
            email=email,
            username=username,
            password=password,
            organisation=org,
            department=dept,
            roles=specs,
            language=language,
        )
        if invite:
            send_invitation(db.session, user)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(
        f"Created {user.full_name} ({user.login_name}) with roles: {', '.join(sorted(user.roles))}."
    )
    if invite:
        click.echo(f"Invitation queued for {user.email} (sent by `lms mail send`).")


@users_group.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--invite",
    is_flag=True,
    help="E-mail each imported person with an e-mail address an invitation.",
)
@with_appcontext
def import_cmd(csv_file: Path, invite: bool) -> None:
    """Import people from CSV_FILE: all rows or none.

    Columns: full_name (required), email, username, organisation, department,
    roles (learner;trainer;manager;admin, default learner), language (nl, fr, de, en),
    kind (staff, volunteer).
    """
    try:
        users = import_users(db.session, csv_file.read_bytes())
    except CsvImportError as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(f"{csv_file}:{problem}", err=True)
        raise click.ClickException(
            f"{len(exc.problems)} problem(s) found; nobody was imported. "
            "Correct the file and import it again."
        ) from None
    invited = [u for u in users if invitable(db.session, u)] if invite else []
    for user in invited:
        send_invitation(db.session, user)
    db.session.commit()
    click.echo(f"Imported {len(users)} people from {csv_file}.")
    if invite:
        click.echo(f"Invitations queued for {len(invited)} (sent by `lms mail send`).")
        for user in users:
            if not user.email:
                click.echo(f"No invitation for {user.login_name}: no e-mail address.", err=True)
            elif user not in invited:
                click.echo(
                    f"No invitation for {user.login_name}: their organisation signs them in.",
                    err=True,
                )


@users_group.command("invite")
@click.argument("emails", nargs=-1)
@click.option(
    "--all-pending",
    is_flag=True,
    help="Everyone active without a password and without an open invitation.",
)
@with_appcontext
def invite_cmd(emails: tuple[str, ...], all_pending: bool) -> None:
    """E-mail an invitation to choose a password to EMAILS (or --all-pending).

    People who already have a password are left alone (they can use "forgot password").
    """
    if bool(emails) == all_pending:
        raise click.UsageError("give e-mail addresses or --all-pending (one of the two)")
    if all_pending:
        waiting = list(
            db.session.scalars(
                select(User)
                .where(User.active, User.password_hash.is_(None), User.email.is_not(None))
                .order_by(User.id)
            )
        )
        open_ = invitation_states(db.session, waiting)
        people = [p for p in waiting if p.id not in open_ or open_[p.id].expired]
    else:
        people = []
        for email in emails:
            person = find_by_login(db.session, email)
            if person is None:
                raise click.ClickException(f"nobody with the e-mail address {email!r}")
            people.append(person)
    sent, refused = 0, []
    for person in people:
        try:
            send_invitation(db.session, person)
        except InvitationError as exc:
            refused.append(f"{person.login_name}: {exc}")
        else:
            sent += 1
    db.session.commit()
    for line in refused:
        click.echo(line, err=True)
    click.echo(f"Invitations queued for {sent} (sent by `lms mail send`).")
    if refused:
        raise SystemExit(1)
