"""``lms lti ...``: register platforms, show what to paste into them, send the scores."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from lms.core.db import db
from lms.core.workers import WorkerAlreadyRunning, single_worker, worker_id
from lms.lti import ags
from lms.lti.models import LtiRegistration
from lms.lti.services import RegistrationError, save_registration, tool_settings
from lms.organisations.queries import find_organisation


@click.group("lti")
def lti_group() -> None:
    """LTI 1.3: platforms (Moodle, Canvas...) that launch this LMS as a tool."""


@lti_group.command("register")
@click.option("--name", help="A name for the platform (default: its issuer).")
@click.option("--issuer", required=True, help="The platform's issuer (iss).")
@click.option("--client-id", required=True, help="The client id the platform gave this tool.")
@click.option("--auth-login-url", required=True, help="The platform's OIDC authentication URL.")
@click.option("--auth-token-url", required=True, help="The platform's access token URL.")
@click.option("--key-set-url", required=True, help="The platform's public key set (JWKS) URL.")
@click.option(
    "--deployment-id", "deployment_ids", multiple=True, required=True, help="Repeat for several."
)
@click.option("--organisation", required=True, help="Organisation of the people it sends.")
@with_appcontext
def register_cmd(
    name, issuer, client_id, auth_login_url, auth_token_url, key_set_url, deployment_ids,
    organisation,
) -> None:  # fmt: skip
    """Register a platform, or change the registration of the same issuer and client id."""
    org = find_organisation(db.session, organisation)
    if org is None:
        raise click.ClickException(f"no organisation {organisation!r}")
    existing = db.session.scalar(
        select(LtiRegistration).where(
            LtiRegistration.issuer == issuer.strip(),
            LtiRegistration.client_id == client_id.strip(),
        )
    )
    try:
        registration = save_registration(
            db.session,
            existing,
            name=name or "",
            issuer=issuer,
            client_id=client_id,
            auth_login_url=auth_login_url,
            auth_token_url=auth_token_url,
            key_set_url=key_set_url,
            deployment_ids=deployment_ids,
            organisation=org,
        )
    except RegistrationError as exc:
        raise click.ClickException(f"{exc.field}: {exc}") from None
    db.session.commit()
    click.echo(f"{'changed' if existing else 'registered'} {registration.id}: {registration.name}")
    _echo_settings()


def _echo_settings() -> None:
    click.echo("Paste into the platform:")
    for label, value in tool_settings():
        click.echo(f"  {label}: {value}")


@lti_group.command("settings")
@with_appcontext
def settings_cmd() -> None:
    """What to paste into a platform (built from LMS_BASE_URL)."""
    _echo_settings()


@lti_group.command("list")
@with_appcontext
def list_cmd() -> None:
    """The registered platforms."""
    for r in db.session.scalars(select(LtiRegistration).order_by(LtiRegistration.id)):
        state = "allowed" if r.active else "off"
        click.echo(
            f"{r.id}\t{r.name}\t{r.issuer}\t{r.client_id}\t{','.join(r.deployment_ids)}\t"
            f"{r.organisation.name}\t{state}"
        )


@lti_group.command("send-scores")
@click.option("--once", is_flag=True, help="Send what is queued now, then stop (for cron).")
@click.option("--interval", default=30.0, show_default=True, type=click.FloatRange(min=0.1))
@with_appcontext
def send_scores_cmd(once: bool, interval: float) -> None:
    """Post queued scores to the platforms' grade books, in a loop (or once)."""
    worker = worker_id()
    try:
        with single_worker(current_app.extensions["lms"].engine, "lti"):
            while True:
                total_sent = total_failed = 0
                while True:
                    sent, failed = ags.send_pending(db.session, worker=worker)
                    total_sent, total_failed = total_sent + sent, total_failed + failed
                    if failed or not sent:
                        break
                ags.prune_nonces(db.session)
                if total_sent or total_failed or once:
                    click.echo(f"sent {total_sent}, failed {total_failed}")
                db.remove()
                if once:
                    return
                time.sleep(interval)
    except WorkerAlreadyRunning as exc:
        raise click.ClickException(str(exc)) from None
