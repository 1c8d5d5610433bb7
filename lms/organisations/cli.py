"""``lms users ...``: create people and import them from CSV."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.accounts.models import ROLES
from lms.accounts.passwords import password_problems
from lms.accounts.services import AccountError, RoleSpec, create_user
from lms.core.db import db
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
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Password (asked when not given).",
)
@with_appcontext
def create_cmd(full_name, email, username, organisation, department, roles, language, password):
    """Create one person."""
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
    problems = password_problems(password, identifiers=(email or "", username or ""))
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
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(
        f"Created {user.full_name} ({user.login_name}) with roles: {', '.join(sorted(user.roles))}."
    )


@users_group.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_cmd(csv_file: Path) -> None:
    """Import people from CSV_FILE: all rows or none.

    Columns: full_name (required), email, username, organisation, department,
    roles (learner;trainer;manager;admin, default learner), language (nl, fr, de, en).
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
    db.session.commit()
    click.echo(f"Imported {len(users)} people from {csv_file}.")
