"""The LMS's commands: ``lms run``, ``lms db``, ``lms users``, ... as one click group.

``lms_group`` is what a host app gets as ``flask lms ...``; the standalone ``lms`` command
(``lms.cli.main``) carries the same commands. Feature commands are imported when the group is
built, so this module sits on the top layer beside the extension and never imports the app.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.core.db import db


@click.group("lms")
def lms_group() -> None:
    """Connectoo LMS commands (for a host app: ``flask lms ...``)."""


def register(group: click.Group) -> None:
    from lms.assessment.cli import tests_group
    from lms.backups.cli import backup_cmd, restore_cmd
    from lms.certification.cli import certificates_group
    from lms.core.migrate import db_group
    from lms.forums.cli import forums_group
    from lms.labels.cli import labels_group
    from lms.live.cli import sessions_group
    from lms.mail.cli import mail_group
    from lms.organisations.cli import users_group
    from lms.plans.cli import plans_group
    from lms.privacy.cli import erase_cmd, purge_inactive_cmd
    from lms.reminders.cli import reminders_group
    from lms.reporting.cli import reports_group
    from lms.xapi.cli import xapi_group

    group.add_command(run_cmd)
    group.add_command(db_group)
    group.add_command(users_group)
    users_group.add_command(erase_cmd)
    users_group.add_command(purge_inactive_cmd)
    group.add_command(backup_cmd)
    group.add_command(restore_cmd)
    group.add_command(tests_group)
    group.add_command(mail_group)
    group.add_command(xapi_group)
    group.add_command(forums_group)
    group.add_command(sessions_group)
    group.add_command(certificates_group)
    group.add_command(reports_group)
    group.add_command(labels_group)
    group.add_command(reminders_group)
    group.add_command(plans_group)
    group.add_command(demo_cmd)
    from lms.authoring.cli import courses_cmd, import_cmd, schema_cmd, validate_cmd

    for command in (validate_cmd, schema_cmd, import_cmd, courses_cmd):
        group.add_command(command)


def prepare_instance(*, import_courses: bool = True) -> list[str]:
    """Bring the instance up to date: migrate, import the course folders, seed the demo.

    Returns lines describing what was done. Used by ``lms run`` on every start.
    """
    from lms.core.migrate import upgrade
    from lms.demo import seed_demo, should_seed_demo

    notes = []
    state = current_app.extensions["lms"]
    was_new = upgrade(current_app)
    notes.append("database created" if was_new else "database up to date")
    if import_courses:
        notes.extend(_import_course_folders())
    if should_seed_demo(current_app, state, was_new):
        seed_demo(db.session)
        db.session.commit()
        notes.append("demo organisations and accounts seeded (see README)")
    return notes


def _import_course_folders() -> list[str]:
    from lms.authoring.importer import ImportFailed, import_paths

    paths = [
        Path(current_app.config[key])
        for key in ("LMS_COURSES_PATH", "LMS_QUIZZES_PATH")
        if Path(current_app.config[key]).exists()
    ]
    if not paths:
        return ["no course folders found"]
    try:
        report = import_paths(
            db.session, paths, certificates_dir=Path(current_app.config["LMS_CERTIFICATES_PATH"])
        )
    except ImportFailed as exc:
        db.session.rollback()
        for diagnostic in exc.diagnostics:
            click.echo(diagnostic.format(), err=True)
        raise click.ClickException(
            "the courses could not be imported; nothing was changed (see the problems above)"
        ) from None
    db.session.commit()
    return report.lines()


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--debug/--no-debug", default=False, help="Reload on code changes; debugger.")
@click.option("--no-import", is_flag=True, help="Do not import courses/ and quizzes/ on start.")
@with_appcontext
def run_cmd(host: str, port: int, debug: bool, no_import: bool) -> None:
    """Serve the LMS; migrate, import courses and seed a demo first where needed."""
    for note in prepare_instance(import_courses=not no_import):
        click.echo(f" * {note}")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(f" * instance folder: {app.config['LMS_INSTANCE_PATH']}")
    from werkzeug.serving import run_simple

    run_simple(host, port, app, use_reloader=debug, use_debugger=debug, threaded=True)


@click.command("demo")
@with_appcontext
def demo_cmd() -> None:
    """Seed the demo organisations and accounts into an empty database."""
    from lms.demo import DemoError, seed_demo

    try:
        seed_demo(db.session)
    except DemoError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo("Demo organisations and accounts created (see README for the logins).")


register(lms_group)
