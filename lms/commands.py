"""The LMS's commands: ``lms run``, ``lms db``, ``lms users``, ... as one click group.

``lms_group`` is what a host app gets as ``flask lms ...``; the standalone ``lms`` command
(``lms.cli.main``) carries the same commands. Feature commands are imported when the group is
built, so this module sits on the top layer beside the extension and never imports the app.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import ScriptInfo, pass_script_info, with_appcontext
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError

from lms.core.db import db

SCHEMA_MISSING = (
    "The database has no LMS tables yet, or not the newest ones. Run `lms db upgrade` first "
    "(or `lms run`, which also imports the courses)."
)


def schema_missing(exc: BaseException) -> bool:
    """Whether a database error says that a table is missing (SQLite: "no such table";
    PostgreSQL: UndefinedTable)."""
    cause = getattr(exc, "orig", None) or exc
    return "no such table" in str(cause).lower() or type(cause).__name__ == "UndefinedTable"


class ExplainsDatabaseErrors(click.Group):
    """A command group that answers a command run against a database without the schema
    with what to do, instead of a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as exc:
            if schema_missing(exc):
                raise click.ClickException(SCHEMA_MISSING) from None
            raise


@click.group("lms", cls=ExplainsDatabaseErrors)
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
    from lms.lti.cli import lti_group
    from lms.mail.cli import mail_group
    from lms.organisations.cli import users_group
    from lms.plans.cli import plans_group
    from lms.privacy.cli import erase_cmd, purge_inactive_cmd
    from lms.reminders.cli import reminders_group
    from lms.reporting.cli import reports_group
    from lms.xapi.cli import xapi_group

    group.add_command(run_cmd)
    group.add_command(serve_cmd)
    group.add_command(check_cmd)
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
    group.add_command(lti_group)
    group.add_command(demo_cmd)
    from lms.authoring.cli import courses_cmd, schema_cmd, validate_cmd
    from lms.versions.cli import import_cmd, publish_cmd

    for command in (validate_cmd, schema_cmd, import_cmd, publish_cmd, courses_cmd):
        group.add_command(command)
    from lms.cmi5.cli import cmi5_cmd

    group.add_command(export_group)
    export_group.add_command(cmi5_cmd)


@click.group("export")
def export_group() -> None:
    """Courses in the formats of other systems (cmi5)."""


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
            db.session,
            paths,
            certificates_dir=Path(current_app.config["LMS_CERTIFICATES_PATH"]),
            imported_by="lms run",
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


def _bind(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    host, _, port = value.rpartition(":")
    if not value.startswith("unix:") and (not host or not port.isdigit()):
        raise click.BadParameter(f"{value!r}: give HOST:PORT (e.g. 127.0.0.1:8000) or unix:PATH")
    return value


@click.command("serve")
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=64),
    help="Worker processes (default: LMS_WORKERS, 4).",
)
@click.option(
    "--bind",
    callback=_bind,
    help="HOST:PORT or unix:PATH to listen on (default: LMS_BIND, 127.0.0.1:8000).",
)
@click.option(
    "--timeout",
    type=click.IntRange(min=5),
    default=60,
    show_default=True,
    help="Seconds before a stuck request's worker is restarted.",
)
@pass_script_info
def serve_cmd(info: ScriptInfo, workers: int | None, bind: str | None, timeout: int) -> None:
    """Serve the LMS in production: gunicorn with several worker processes.

    Put a TLS reverse proxy (nginx) in front of it and set LMS_TRUST_PROXY. It does not
    migrate or import: run `lms db upgrade` and `lms import` when you deploy. Refuses to
    start while the database schema is not the code's.
    """
    from lms.core.health import migrations_check
    from lms.serving import serve

    # No app context stays pushed while serving: the workers would all share it (and its
    # ``g``, the logged-in person included) instead of getting one per request.
    app = info.load_app()
    with app.app_context():
        try:
            schema = migrations_check(app, db.session)
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise click.ClickException(f"the database does not answer: {reason}") from None
        finally:
            db.remove()
    if not schema.ok:
        raise click.ClickException(schema.detail)
    workers = workers or int(app.config["LMS_WORKERS"])
    bind = bind or str(app.config["LMS_BIND"])
    click.echo(f" * serving on {bind} with {workers} workers")
    serve(app, workers=workers, bind=bind, timeout=timeout)


@click.command("check")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Judge the set-up for this many web workers (default: LMS_WORKERS).",
)
@with_appcontext
def check_cmd(workers: int | None) -> None:
    """Look for configuration problems; say what to do about each one.

    Exit status 1 when there is a problem, 0 when there is none (notes do not count).
    """
    from lms.diagnostics import run_checks

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    findings = run_checks(app, workers=workers or int(app.config["LMS_WORKERS"]))
    problems = [f for f in findings if f.level == "problem"]
    for finding in findings:
        click.echo(f"{finding.level}: {finding.what}")
        if finding.todo:
            click.echo(f"  what to do: {finding.todo}")
    if problems:
        click.echo(f"{len(problems)} problem(s) found.")
        raise SystemExit(1)
    click.echo("No problems found.")


@click.command("demo")
@click.option(
    "--scale",
    type=click.IntRange(min=10),
    default=None,
    help="Instead of the demo: N synthetic learners in about 600 organisations, for "
    "benchmarks (migrates and imports the courses first; see bench/README.md).",
)
@click.option("--seed", type=int, default=2026, show_default=True, help="With --scale.")
@with_appcontext
def demo_cmd(scale: int | None, seed: int) -> None:
    """Seed the demo organisations and accounts into an empty database."""
    from lms.demo import DemoError, seed_demo

    if scale is not None:
        _scale(scale, seed)
        return

    try:
        seed_demo(db.session)
    except DemoError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo("Demo organisations and accounts created (see README for the logins).")


def _scale(learners: int, seed: int) -> None:
    from lms.core.migrate import upgrade
    from lms.synthetic import generate, summary

    upgrade(current_app)
    for line in _import_course_folders():
        click.echo(f" * {line}")
    click.echo(f"Generating {learners:,} learners (commits every batch)...")
    try:
        report = generate(db.session, learners, seed=seed, echo=click.echo)
    except ValueError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(summary(report))


register(lms_group)
