"""One archive with everything an instance needs: the SQLite database, copied online with
SQLite's backup API (consistent while the app writes), and the instance folder's files
(secret key, certificate signing keys, configuration, mail copies...), with a manifest:
format, creation time, database kind, schema version (the Alembic revision), and every
file's size and SHA-256. On PostgreSQL the database is backed up with ``pg_dump``
(docs/operations.md) and the archive holds the instance files only.

Restoring (``restore_archive``) checks everything before it writes anything: the archive
can be read to its end, every member is a plain file named in the manifest (no absolute
paths, no ``..``, no links), every checksum matches, the schema is one this LMS knows (not
newer), and the target instance is empty (no people in its database, no signing key).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

FORMAT = "connectoo-lms-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = "database/lms.sqlite3"
INSTANCE_PREFIX = "instance/"
#: The folder of certificate signing keys inside the instance (lms.certification.signing).
KEY_FOLDER = "certificate-keys"
CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    files: int
    size: int
    schema_version: str | None
    database: str


@dataclass(frozen=True)
class RestoreResult:
    files: int
    schema_version: str | None
    database: str
    needs_upgrade: bool


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL, or None for another database (or in memory)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if not path or path == ":memory:":
        return None
    return Path(path.split("?", 1)[0])


def _schema_of(db_file: Path) -> str | None:
    connection = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT version_num FROM lms_alembic_version").fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return row[0] if row else None


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (WAL included), with the backup API: one
    step, in one read transaction, so writers that commit meanwhile are either wholly in the
    copy or not at all."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive
    finally:
        dst.close()
        src.close()


def _instance_files(instance: Path, skip: set[Path]) -> Iterator[Path]:
    for root, dirs, files in os.walk(instance):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            if path.resolve() in skip or path.is_symlink() or not path.is_file():
                continue
            if name.startswith("lms-backup-") and name.endswith((".tar.gz", ".partial")):
                continue
            yield path


def default_name(now: datetime) -> str:
    return f"lms-backup-{now:%Y%m%d-%H%M%S}.tar.gz"


def make_backup(
    dest: Path,
    *,
    instance: Path,
    database_url: str,
    schema_version: str | None,
    now: datetime | None = None,
) -> BackupResult:
    """Write the archive to ``dest`` (a file, or a folder to put a dated file in).
    ``schema_version`` is the database's revision (read by the caller for PostgreSQL; for
    SQLite it is read from the copy itself)."""
    now = now or datetime.now(UTC)
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / default_name(now)
    if dest.exists():
        raise BackupError(f"{dest} already exists: choose another name (nothing was written)")
    if not dest.parent.is_dir():
        raise BackupError(f"the folder {dest.parent} does not exist (nothing was written)")
    db_file = sqlite_path(database_url)
    kind = "sqlite" if db_file is not None else "postgresql"
    skip = {dest.resolve()}
    if db_file is not None:
        if not db_file.is_file():
            raise BackupError(f"the database file {db_file} does not exist")
        for suffix in ("", "-wal", "-shm", "-journal"):
            skip.add(Path(f"{db_file}{suffix}").resolve())
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".lms-backup-") as staging_name:
        staging = Path(staging_name)
        entries: list[tuple[str, Path]] = []
        if db_file is not None:
            copy = staging / "database.sqlite3"
            copy_sqlite(db_file, copy)
            schema_version = _schema_of(copy)
            entries.append((DATABASE_MEMBER, copy))
        files_dir = staging / "files"
        for path in _instance_files(instance, skip):
            relative = path.relative_to(instance).as_posix()
            staged = files_dir / relative
            staged.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, staged)
            entries.append((INSTANCE_PREFIX + relative, staged))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": now.isoformat(),
            "database": kind,
            "schema_version": schema_version,
            "files": [
                {"path": name, "size": path.stat().st_size, "sha256": _sha256(path)}
                for name, path in entries
            ],
        }
        partial = dest.with_name(dest.name + ".partial")
        try:
            with tarfile.open(partial, "w:gz") as archive:
                data = json.dumps(manifest, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
                archive.addfile(info, io.BytesIO(data))
                for name, path in entries:
                    info = archive.gettarinfo(str(path), arcname=name)
                    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
                    with path.open("rb") as handle:
                        archive.addfile(info, handle)
            os.chmod(partial, 0o600)  # it holds the secret and signing keys
            partial.replace(dest)
        finally:
            partial.unlink(missing_ok=True)
    return BackupResult(dest, len(entries), dest.stat().st_size, schema_version, kind)


# Restoring ----------------------------------------------------------------------------------


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        bool(name)
        and not path.is_absolute()
        and ".." not in path.parts
        and "\\" not in name
        and (name == DATABASE_MEMBER or name.startswith(INSTANCE_PREFIX))
        and name != INSTANCE_PREFIX
    )


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.getmember(MANIFEST)
        handle = archive.extractfile(member)
        manifest = json.loads(handle.read()) if handle else None
    except KeyError:
        raise BackupError("this is not an LMS backup: the archive has no manifest.json") from None
    except (ValueError, UnicodeDecodeError):
        raise BackupError("the archive's manifest.json is damaged") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("this is not an LMS backup (unknown manifest format)")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"backup format {manifest.get('format_version')!r} is not supported by this LMS"
        )
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
        isinstance(f, dict) and isinstance(f.get("path"), str) and isinstance(f.get("sha256"), str)
        for f in files
    ):
        raise BackupError("the archive's manifest.json is damaged (no list of files)")
    for entry in files:
        if not _safe_name(entry["path"]):
            raise BackupError(f"unsafe file name in the manifest: {entry['path']!r}; refused")
    return manifest


def _open(archive_path: Path) -> tarfile.TarFile:
    if not archive_path.is_file():
        raise BackupError(f"{archive_path} does not exist")
    try:
        return tarfile.open(archive_path, "r:gz")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive_path} cannot be read as a backup archive ({exc})") from None


def check_and_unpack(archive_path: Path, staging: Path) -> dict[str, Any]:
    """Read the whole archive into ``staging``, checking every member against the manifest;
    raises BackupError for anything wrong. Returns the manifest."""
    with _open(archive_path) as archive:
        try:
            manifest = read_manifest(archive)
            expected = {f["path"]: f for f in manifest["files"]}
            seen: set[str] = set()
            for member in archive:
                if member.name == MANIFEST:
                    continue
                if not _safe_name(member.name):
                    raise BackupError(f"unsafe file name in the archive: {member.name!r}; refused")
                if not member.isfile():
                    raise BackupError(f"{member.name!r} is not a plain file (a link?); refused")
                if member.name not in expected:
                    raise BackupError(f"{member.name!r} is not in the manifest; refused")
                if member.name in seen:
                    raise BackupError(f"{member.name!r} appears twice in the archive; refused")
                seen.add(member.name)
                target = staging / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                source = archive.extractfile(member)
                assert source is not None
                with target.open("wb") as out:
                    while block := source.read(CHUNK):
                        digest.update(block)
                        out.write(block)
                if digest.hexdigest() != expected[member.name]["sha256"]:
                    raise BackupError(
                        f"{member.name}: the checksum does not match: the archive is damaged"
                    )
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise BackupError(
                f"the archive is damaged or cut off ({exc.__class__.__name__}: {exc})"
            ) from None
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"the archive is incomplete: {', '.join(missing)} missing")
    return manifest


def instance_is_empty(instance: Path, database_url: str, count_people: Any) -> str | None:
    """Why the instance is not empty (a sentence), or None. ``count_people()`` counts the
    people in the configured database (None when it has no tables yet)."""
    keys = instance / KEY_FOLDER
    if keys.is_dir() and any(keys.glob("*.pem")):
        return f"the instance already has certificate signing keys ({keys})"
    people = count_people()
    if people:
        return f"the database already holds {people} people"
    return None


def restore_archive(
    archive_path: Path,
    *,
    instance: Path,
    database_url: str,
    known_revisions: set[str],
    head: str | None,
    count_people: Any,
    dispose: Any,
) -> RestoreResult:
    """Check ``archive_path`` completely, then put its files in place (see the module
    docstring). ``dispose()`` closes the app's database connections before the file moves."""
    archive_path = Path(archive_path)
    instance.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=instance, prefix=".lms-restore-") as staging_name:
        staging = Path(staging_name)
        manifest = check_and_unpack(archive_path, staging)
        version = manifest.get("schema_version")
        if version is not None and version not in known_revisions:
            raise BackupError(
                f"the backup's database schema ({version}) is newer than this LMS knows "
                f"(latest {head}): install the LMS version that made it, then restore"
            )
        db_file = sqlite_path(database_url)
        has_database = (staging / DATABASE_MEMBER).is_file()
        if manifest.get("database") == "sqlite" and not has_database:
            raise BackupError("the backup names a SQLite database but does not contain it")
        if has_database:
            copied = _schema_of(staging / DATABASE_MEMBER)
            if copied != version:
                raise BackupError("the database in the archive does not match its manifest")
            if db_file is None:
                raise BackupError(
                    "this backup holds a SQLite database, but this LMS uses PostgreSQL: "
                    "restore it on an LMS with SQLite"
                )
        reason = instance_is_empty(instance, database_url, count_people)
        if reason:
            raise BackupError(f"restore only into an empty instance: {reason}; nothing changed")
        dispose()
        if has_database and db_file is not None:
            db_file.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{db_file}{suffix}").unlink(missing_ok=True)
            os.replace(staging / DATABASE_MEMBER, db_file)
        files = 0
        root = staging / INSTANCE_PREFIX.rstrip("/")
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                target = instance / path.relative_to(root)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
                if target.parent.name == KEY_FOLDER or target.name == "secret_key":
                    os.chmod(target, 0o600)
                files += 1
    return RestoreResult(
        files=files + (1 if has_database else 0),
        schema_version=version,
        database=manifest.get("database", "?"),
        needs_upgrade=version is not None and version != head,
    )
