"""``lms certificates ...``: verify a code or a PDF, rotate the signing key, revoke."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from lms.certification import codes, documents, queries, services, signing
from lms.certification.models import VALID, Certificate, SigningKey
from lms.certification.rendering import extract_document
from lms.core.db import db, utcnow


@click.group("certificates")
def certificates_group() -> None:
    """Certificates: check them, rotate the signing key, revoke one."""


def _keys(keys_file: Path | None) -> dict[str, bytes]:
    if keys_file is None:
        return signing.known_keys(db.session)
    return signing.keys_from_jwks(json.loads(keys_file.read_text(encoding="utf-8")))


def _read_document(path: Path) -> dict | None:
    data = path.read_bytes()
    if data.lstrip().startswith(b"%PDF"):
        return extract_document(data)
    try:
        document = json.loads(data.decode("utf-8"))
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _status_lines(certificate: Certificate | None) -> tuple[list[str], bool]:
    if certificate is None:
        return ["Status:       unknown (no certificate with this code here)"], False
    result = queries.public_result(certificate, services.local_day(utcnow()))
    line = f"Status:       {result.status}"
    if result.changed_at is not None:
        line += f" on {services.local_day(result.changed_at).isoformat()}"
    elif result.valid_until is not None:
        line += f" (valid until {result.valid_until.isoformat()})"
    return [line], result.status == VALID


@certificates_group.command("verify")
@click.argument("target")
@click.option(
    "--keys",
    "keys_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A keys.json to check against instead of this instance's database (offline use).",
)
@with_appcontext
def verify_cmd(target: str, keys_file: Path | None) -> None:
    """Check TARGET: a verification code, or a certificate PDF (or its certificate.json).

    Exit status 0 when the signature is good and the certificate is valid, else 1.
    """
    keys = _keys(keys_file)
    path = Path(target)
    if path.is_file():
        document = _read_document(path)
        if document is None:
            raise click.ClickException(f"{target}: no signed certificate data found in it")
        stored = None
    else:
        code = codes.normalise_code(target)
        if code is None:
            raise click.ClickException(f"{target}: neither a file nor a verification code")
        stored = queries.find_by_code(db.session, code)
        if stored is None:
            click.echo(f"Code:         {codes.format_code(code)}")
            click.echo(_status_lines(None)[0][0])
            sys.exit(1)
        document = documents.signed_document_of(stored, stored.key.kid)
    check = signing.verify_document(document, keys)
    click.echo(f"Signature:    {'good' if check.ok else 'BAD'} ({check.reason}, key {check.kid})")
    if not check.ok or check.payload is None:
        sys.exit(1)
    payload = check.payload
    course = payload.get("course") or {}
    click.echo(f"Code:         {payload.get('code')}")
    click.echo(f"Holder:       {payload.get('holder')}")
    click.echo(
        f"Course:       {course.get('title')} ({course.get('id')}, version {course.get('version')})"
    )
    click.echo(f"Completed on: {payload.get('completed_on')}")
    click.echo(f"Issued by:    {payload.get('issuer')}")
    if keys_file is not None:
        sys.exit(0 if check.ok else 1)
    if stored is None:
        stored = queries.find_by_code(db.session, str(payload.get("code", "")))
        if stored is not None and stored.payload != document.get("payload"):
            click.echo("Record:       does NOT match the certificate issued with this code")
            sys.exit(1)
    lines, valid = _status_lines(stored)
    for line in lines:
        click.echo(line)
    sys.exit(0 if valid else 1)


@certificates_group.command("rotate-key")
@with_appcontext
def rotate_key_cmd() -> None:
    """Sign new certificates with a new key. Old certificates stay valid: the old public key
    stays published in keys.json; the old private key is deleted from the instance folder."""
    instance = current_app.config["LMS_INSTANCE_PATH"]
    key, previous = signing.rotate_local_key(instance)
    now = utcnow()
    signing.register_key(db.session, key, at=now)
    if previous is not None:
        old = db.session.scalar(select(SigningKey).where(SigningKey.kid == previous))
        if old is not None and old.retired_at is None:
            old.retired_at = now
    db.session.commit()
    if previous is not None:
        signing.forget_local_key(instance, previous)
    click.echo(f"New signing key {key.kid}" + (f" (replaces {previous})" if previous else ""))


@certificates_group.command("key-backed-up")
@with_appcontext
def key_backed_up_cmd() -> None:
    """Record that the signing key folder was just copied to a backup (`lms check` asks).

    Run it after copying <instance>/certificate-keys somewhere safe; again after every
    `lms certificates rotate-key`.
    """
    from lms.certification.health import record_key_backup

    instance = current_app.config["LMS_INSTANCE_PATH"]
    if not (signing.key_folder(instance) / signing.CURRENT_FILE).is_file():
        raise click.ClickException(
            "there is no signing key yet (it is made with the first certificate, or by "
            "`lms certificates rotate-key`): nothing to record"
        )
    marker = record_key_backup(instance)
    click.echo(f"Recorded the backup of the signing key in {marker}")


@certificates_group.command("revoke")
@click.argument("code")
@click.option("--reason", required=True, help="Why it is revoked (kept with the certificate).")
@with_appcontext
def revoke_cmd(code: str, reason: str) -> None:
    """Revoke the certificate with CODE; the public page shows it as revoked from now on."""
    certificate = queries.find_by_code(db.session, code)
    if certificate is None:
        raise click.ClickException(f"no certificate with code {code}")
    try:
        services.revoke_certificate(db.session, certificate, actor=None, reason=reason)
    except services.CertificateError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Revoked {certificate.display_code} ({certificate.holder_name}).")
