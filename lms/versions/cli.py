"""``lms import [--dry-run] [--allow-removal]``: import courses, saying what changes for whom."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.authoring.importer import ImportFailed, ImportPlan, apply_import, plan_import
from lms.versions.impact import CourseImpact, plan_impact
from lms.versions.services import PublishError, RemovalNeedsConsent, publish, publish_due

REMOVAL_REFUSED = (
    "nothing was imported: {courses} remove ids that learners opened or completed; their "
    "progress percentages would count only what remains, so they may go down. Check the "
    "report above, then run again with --allow-removal to import anyway."
)

PUBLISH_REFUSED = (
    "nothing was published: version of {course} removes ids that learners opened or "
    "completed; their progress percentages would count only what remains, so they may go "
    "down. Run again with --allow-removal to publish anyway."
)


def plan_lines(plan: ImportPlan, impacts: dict[str, CourseImpact]) -> list[str]:
    """Per course and bank: what changes (by id) and who is affected."""
    lines = []
    for item in plan.items:
        if item.changes is None:
            lines.append(f"{item.kind} {item.slug}: unchanged")
            continue
        lines.append(
            f"{item.kind} {item.slug}: new"
            if item.changes.is_new
            else f"{item.kind} {item.slug}: changes version {item.changes.before}"
        )
        if not item.changes.is_new:
            lines += [f"  {line}" for line in item.changes.lines()]
        if item.slug in impacts and item.kind == "course":
            lines += [f"  {line}" for line in impacts[item.slug].lines()]
    in_plan = {i.slug for i in plan.items if i.kind == "course"}
    for slug, impact in impacts.items():
        if slug not in in_plan:
            lines.append(f"course {slug}: not in these files")
            lines += [f"  {line}" for line in impact.lines()]
    return lines


@click.command("import")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Say what would change for whom; write nothing.")
@click.option(
    "--allow-removal",
    is_flag=True,
    help="Import even when ids that learners opened or completed disappear.",
)
@with_appcontext
def import_cmd(paths: tuple[Path, ...], dry_run: bool, allow_removal: bool) -> None:
    """Import courses and question banks (default: the configured folders).

    All or nothing: with any error, nothing is written. Each changed course or bank says
    what it adds, removes, changes or moves (by id) and how many learners that affects.
    """
    from lms.core.db import db

    config = current_app.config
    targets = list(paths) or [
        Path(config[key])
        for key in ("LMS_COURSES_PATH", "LMS_QUIZZES_PATH")
        if Path(config[key]).exists()
    ]
    session = db.session
    try:
        plan = plan_import(session, targets, Path(config["LMS_CERTIFICATES_PATH"]))
    except ImportFailed as exc:
        session.rollback()
        for diagnostic in exc.diagnostics:
            click.echo(diagnostic.format(), err=True)
        raise click.ClickException("nothing was imported (see the problems above)") from None
    for diagnostic in plan.result.warnings:
        click.echo(diagnostic.format(), err=True)
    impacts = plan_impact(session, plan)
    if dry_run:
        session.rollback()
        for line in plan_lines(plan, impacts):
            click.echo(line)
        click.echo("dry run: nothing was imported", err=True)
        return
    losing = sorted(slug for slug, impact in impacts.items() if impact.needs_allow_removal)
    if losing and not allow_removal:
        session.rollback()
        for line in plan_lines(plan, impacts):
            click.echo(line)
        raise click.ClickException(REMOVAL_REFUSED.format(courses=", ".join(losing)))
    notes = {("course", slug): {"affected": impact.to_json()} for slug, impact in impacts.items()}
    report = apply_import(session, plan, imported_by="lms import", notes=notes)
    session.commit()
    changes = {(i.kind, i.slug): i.changes for i in plan.items}
    for entry in report.entries:
        click.echo(str(entry))
        planned = changes.get((entry.kind, entry.slug))
        if entry.status == "new version" and planned is not None:
            click.echo("\n".join(f"  {line}" for line in planned.lines()))
            if entry.kind == "course" and entry.slug in impacts:
                click.echo("\n".join(f"  {line}" for line in impacts[entry.slug].lines()))


@click.command("publish")
@click.argument("slug", required=False)
@click.option("--version", "number", type=int, help="Version number (default: the newest).")
@click.option(
    "--allow-removal",
    is_flag=True,
    help="Publish even when ids that learners opened or completed disappear.",
)
@click.option(
    "--due",
    is_flag=True,
    help="Publish the versions whose `publish_at` has come (run it as a job, e.g. hourly).",
)
@with_appcontext
def publish_cmd(slug: str | None, number: int | None, allow_removal: bool, due: bool) -> None:
    """Publish a course version imported with `published: false` (or a later `publish_at`):
    learners see it from now.

    Recorded in the audit log.
    """
    from lms.catalog.queries import get_course, get_latest_course_def
    from lms.core.db import db

    session = db.session
    if due:
        done = publish_due(session)
        session.commit()
        for course, published in done:
            click.echo(f"course {course.slug}: version {published.number} published (scheduled)")
        return
    if slug is None:
        raise click.UsageError("name a course, or use --due")
    course = get_course(session, slug)
    latest = get_latest_course_def(session, slug)
    if course is None or latest is None:
        raise click.ClickException(f"no course {slug} (lms courses lists them)")
    try:
        done = publish(
            session,
            course,
            number or latest.version_number,
            actor_id=None,
            via="lms publish",
            allow_removal=allow_removal,
        )
    except RemovalNeedsConsent as exc:
        session.rollback()
        for line in exc.impact.lines():
            click.echo(line)
        raise click.ClickException(PUBLISH_REFUSED.format(course=slug)) from None
    except PublishError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from None
    session.commit()
    for line in done.impact.lines() if done.impact else []:
        click.echo(line)
    click.echo(
        f"course {slug}: version {done.number} published (learners saw {done.previous or 'none'})"
    )
