"""Is this host's certificate signing key in place, and was it backed up?

- ``key_check`` (``/readyz``, ``lms check``): the current key is in the instance folder and
  loads; or no certificate was ever signed (the key is made at the first one). A host whose
  instance folder was lost while the database shows signed certificates is not ready.
- The backup marker: ``<instance>/certificate-keys/backed-up-at`` holds the time of the last
  backup of the key folder, written by ``lms certificates key-backed-up`` (after copying the
  folder) or by a backup command (``record_key_backup``). ``lms check`` warns when it is
  missing or older than the current key (a rotation since the last backup).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.certification.models import SigningKey
from lms.certification.signing import CURRENT_FILE, current_key, key_folder
from lms.core.health import Check

BACKUP_MARKER = "backed-up-at"


def local_key_problem(instance_path: Path | str) -> str | None:
    """Why the current key cannot be used, or None when it can (never creates one)."""
    folder = key_folder(instance_path)
    if not (folder / CURRENT_FILE).is_file():
        return f"no signing key in {folder}"
    try:
        current_key(instance_path)
    except (OSError, ValueError) as exc:
        return f"the signing key in {folder} cannot be read ({type(exc).__name__})"
    return None


def key_check(app: Flask, session: Session) -> Check:
    instance = app.config["LMS_INSTANCE_PATH"]
    problem = local_key_problem(instance)
    if problem is None:
        return Check(True, "present")
    published = session.scalar(select(func.count()).select_from(SigningKey)) or 0
    if not published:
        return Check(True, "none yet: made when the first certificate is issued")
    return Check(
        False,
        f"{problem}, although {published} key(s) signed certificates: restore the folder "
        "from the backup, or make a new key with `lms certificates rotate-key`",
    )


def record_key_backup(instance_path: Path | str, at: datetime | None = None) -> Path:
    """Note that the key folder was just backed up (for ``lms check``)."""
    folder = key_folder(instance_path)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    marker = folder / BACKUP_MARKER
    marker.write_text((at or datetime.now(UTC)).isoformat(timespec="microseconds") + "\n")
    return marker


def key_backup_problem(instance_path: Path | str) -> str | None:
    """Why the signing key may have no backup, or None (also when there is no key yet)."""
    folder = key_folder(instance_path)
    pointer = folder / CURRENT_FILE
    if not pointer.is_file():
        return None
    marker = folder / BACKUP_MARKER
    if not marker.is_file():
        return "no backup of the certificate signing key is recorded"
    try:
        backed_up = datetime.fromisoformat(marker.read_text().strip())
    except ValueError:
        return f"{marker} does not hold a date"
    kid = pointer.read_text(encoding="ascii").strip()
    key_file = folder / f"{kid}.pem"
    if key_file.is_file():
        made = datetime.fromtimestamp(key_file.stat().st_mtime, UTC)
        if made > backed_up:
            return "the certificate signing key changed after its last recorded backup"
    return None
