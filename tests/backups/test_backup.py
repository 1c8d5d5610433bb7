"""Backups: a restore drill (every learner's progress, attempts and certificates come back,
and the restored signing key verifies old certificates), refused archives (damaged, cut
off, unsafe names, newer schema, an instance with data), a backup under writes."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.app import create_app
from lms.assessment.models import Answer, Attempt
from lms.backups.archive import BackupError, make_backup
from lms.certification import signing
from lms.certification.models import Certificate
from lms.commands import prepare_instance
from lms.core.db import db
from lms.learning.models import Completion, Enrolment, SectionVisit
from tests.conftest import REPO


def _app(folder: Path, **config):
    return create_app(
        {
            "LMS_INSTANCE_PATH": str(folder),
            "LMS_DEMO": "yes",
            "LMS_COURSES_PATH": str(REPO / "courses"),
            "LMS_QUIZZES_PATH": str(REPO / "quizzes"),
            "LMS_CERTIFICATES_PATH": str(REPO / "certificates"),
            "LMS_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            **config,
        }
    )


def learner_records(app) -> dict[str, tuple]:
    """Per person (by e-mail): enrolments, opened sections, completions, attempts with their
    scores and answers, certificates with their codes, statuses and signatures."""
    with app.app_context():
        s = db.session
        records = {}
        for user in s.scalars(select(User)):

            def count(model, column=None, user=user):
                column = column if column is not None else model.user_id
                return s.scalar(select(func.count()).select_from(model).where(column == user.id))

            attempts = s.execute(
                select(Attempt.number, Attempt.activity_id, Attempt.scaled_score, Attempt.passed)
                .where(Attempt.user_id == user.id)
                .order_by(Attempt.id)
            ).all()
            answers = s.scalar(
                select(func.count())
                .select_from(Answer)
                .join(Attempt)
                .where(Attempt.user_id == user.id)
            )
            certificates = s.execute(
                select(Certificate.code, Certificate.status, Certificate.signature)
                .where(Certificate.user_id == user.id)
                .order_by(Certificate.code)
            ).all()
            records[user.email or user.username] = (
                count(Enrolment),
                count(SectionVisit),
                count(Completion),
                [tuple(a) for a in attempts],
                answers,
                [tuple(c) for c in certificates],
            )
        return records


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """An instance with the demo (progress, tests, certificates) and its backup."""
    folder = tmp_path_factory.mktemp("source")
    app = _app(folder / "instance")
    with app.app_context():
        prepare_instance()
    archive = folder / "backup.tar.gz"
    result = app.test_cli_runner().invoke(args=["lms", "backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output
    return app, archive


def test_restore_drill(source, tmp_path):
    app, archive = source
    records = learner_records(app)
    assert sum(len(r[5]) for r in records.values()) >= 3  # certificates
    assert sum(len(r[3]) for r in records.values()) >= 5  # test attempts
    with app.app_context():
        old = db.session.scalars(select(Certificate).order_by(Certificate.id)).first()
        document = signing.signed_document(old.payload, old.signature, old.key.kid)
    target = _app(tmp_path / "new-instance", LMS_DEMO="no")
    result = target.test_cli_runner().invoke(args=["lms", "restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    assert learner_records(target) == records
    # The restored private key is the one that signed: it verifies an old certificate, and
    # the LMS signs new ones with it.
    key = signing.current_key(tmp_path / "new-instance")
    check = signing.verify_document(document, {key.kid: key.public_raw})
    assert check.ok and check.kid == document["kid"]
    with target.app_context():
        assert signing.verify_document(document, signing.known_keys(db.session)).ok
    assert (tmp_path / "new-instance" / "secret_key").read_bytes() == (
        Path(app.config["LMS_INSTANCE_PATH"]) / "secret_key"
    ).read_bytes()
    # A second restore into the now full instance is refused.
    again = target.test_cli_runner().invoke(args=["lms", "restore", str(archive)])
    assert again.exit_code != 0
    assert "restore only into an empty instance" in again.output


def _restore(tmp_path: Path, archive: Path):
    target = _app(tmp_path / "target", LMS_DEMO="no")
    result = target.test_cli_runner().invoke(args=["lms", "restore", str(archive)])
    database = tmp_path / "target" / "lms.sqlite3"
    return result, database


def test_a_damaged_or_cut_off_archive_is_refused(source, tmp_path):
    archive = source[1]
    data = archive.read_bytes()
    damaged = tmp_path / "damaged.tar.gz"
    middle = len(data) // 2
    damaged.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])
    result, database = _restore(tmp_path, damaged)
    assert result.exit_code != 0
    assert "damaged" in result.output or "checksum" in result.output, result.output
    assert not database.exists() or database.stat().st_size == 0
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    result, database = _restore(tmp_path, cut)
    assert result.exit_code != 0 and "cut off" in result.output, result.output
    assert not database.exists() or database.stat().st_size == 0
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive at all")
    result, _ = _restore(tmp_path, junk)
    assert result.exit_code != 0 and "cannot be read as a backup archive" in result.output
    result, _ = _restore(tmp_path, tmp_path / "missing.tar.gz")
    assert result.exit_code != 0 and "does not exist" in result.output


def build(path: Path, files: dict[str, bytes], *, manifest: dict | None = None, extra=()) -> Path:
    """An archive with ``files`` and a manifest describing them (or ``manifest``)."""
    listed = manifest or {
        "format": "connectoo-lms-backup",
        "format_version": 1,
        "created_at": "2026-12-07T08:00:00+00:00",
        "database": "sqlite",
        "schema_version": None,
        "files": [
            {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in files.items()
        ],
    }
    with tarfile.open(path, "w:gz") as archive:
        body = json.dumps(listed).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        archive.addfile(info, io.BytesIO(body))
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for info in extra:
            archive.addfile(info)
    return path


def _database_at(tmp_path: Path, version: str) -> bytes:
    path = tmp_path / f"db-{version}.sqlite3"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE lms_alembic_version (version_num VARCHAR(32))")
    connection.execute("INSERT INTO lms_alembic_version VALUES (?)", (version,))
    connection.commit()
    connection.close()
    return path.read_bytes()


def test_unsafe_names_are_refused(tmp_path):
    outside = tmp_path / "evil"
    for name in ("instance/../../evil", "/tmp/evil", "instance/..\\evil", "evil", "database/x"):
        archive = build(tmp_path / "unsafe.tar.gz", {name: b"x"})
        result, _ = _restore(tmp_path, archive)
        assert result.exit_code != 0 and "unsafe file name" in result.output, (name, result.output)
    # A member the manifest does not list, with a traversing name.
    archive = build(tmp_path / "sneaky.tar.gz", {"instance/ok": b"x"})
    with tarfile.open(archive, "r:gz") as original:
        members = [(m, original.extractfile(m).read()) for m in original.getmembers()]
    with tarfile.open(archive, "w:gz") as rewritten:
        for member, data in members:
            rewritten.addfile(member, io.BytesIO(data))
        info = tarfile.TarInfo("instance/../../evil")
        info.size = 1
        rewritten.addfile(info, io.BytesIO(b"x"))
    result, _ = _restore(tmp_path, archive)
    assert result.exit_code != 0 and "unsafe file name" in result.output
    link = tarfile.TarInfo("instance/link")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    manifest = {
        "format": "connectoo-lms-backup",
        "format_version": 1,
        "database": "sqlite",
        "schema_version": None,
        "files": [{"path": "instance/link", "size": 0, "sha256": "0" * 64}],
    }
    archive = build(tmp_path / "link.tar.gz", {}, manifest=manifest, extra=[link])
    result, _ = _restore(tmp_path, archive)
    assert result.exit_code != 0 and "not a plain file" in result.output
    assert not outside.exists()
    assert not (tmp_path / "target" / "link").exists()


def test_a_newer_schema_is_refused(tmp_path):
    database = _database_at(tmp_path, "9999_future")
    archive = build(
        tmp_path / "future.tar.gz", {"database/lms.sqlite3": database, "instance/secret_key": b"k"}
    )
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    manifest["schema_version"] = "9999_future"
    archive = build(
        tmp_path / "future.tar.gz",
        {"database/lms.sqlite3": database, "instance/secret_key": b"k"},
        manifest=manifest,
    )
    result, target_db = _restore(tmp_path, archive)
    assert result.exit_code != 0
    assert "newer than this LMS knows" in result.output, result.output
    assert not target_db.exists() or target_db.stat().st_size == 0
    assert (tmp_path / "target" / "secret_key").read_bytes() != b"k"


def test_a_backup_taken_while_the_app_writes_is_consistent(tmp_path):
    """A writer commits an organisation and its department together, again and again; every
    backup taken meanwhile holds as many of one as of the other."""
    folder = tmp_path / "busy"
    app = _app(folder, LMS_DEMO="no")
    with app.app_context():
        prepare_instance(import_courses=False)
    path = folder / "lms.sqlite3"
    stop = threading.Event()
    written = []

    def writer() -> None:
        connection = sqlite3.connect(path, timeout=30, isolation_level=None)
        n = 0
        while not stop.is_set():
            n += 1
            connection.execute("BEGIN IMMEDIATE")
            cursor = connection.execute(
                "INSERT INTO lms_organisation (name, slug, level, created_at) "
                "VALUES (?, ?, 'municipality', '2026-12-07 08:00:00')",
                (f"Org {n}", f"org-{n}"),
            )
            connection.execute(
                "INSERT INTO lms_department (organisation_id, name) VALUES (?, 'Onthaal')",
                (cursor.lastrowid,),
            )
            connection.execute("COMMIT")
            written.append(n)
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        archives = []
        for i in range(5):
            while len(written) < (i + 1) * 20:
                stop.wait(0.01)
            result = app.test_cli_runner().invoke(
                args=["lms", "backup", str(tmp_path / f"b{i}.tar.gz")]
            )
            assert result.exit_code == 0, result.output
            archives.append(tmp_path / f"b{i}.tar.gz")
    finally:
        stop.set()
        thread.join()
    counts = []
    for archive in archives:
        with tarfile.open(archive, "r:gz") as tar:
            (tmp_path / "copy.sqlite3").write_bytes(tar.extractfile("database/lms.sqlite3").read())
        copy = sqlite3.connect(tmp_path / "copy.sqlite3")
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        organisations = copy.execute("SELECT count(*) FROM lms_organisation").fetchone()[0]
        departments = copy.execute("SELECT count(*) FROM lms_department").fetchone()[0]
        copy.close()
        assert organisations == departments
        counts.append(organisations)
    assert counts == sorted(counts) and counts[-1] > counts[0] > 0  # taken mid-stream


def test_postgresql_backups_hold_the_instance_files_only(tmp_path):
    instance = tmp_path / "instance"
    (instance / "certificate-keys").mkdir(parents=True)
    (instance / "certificate-keys" / "abc.pem").write_bytes(b"private")
    (instance / "secret_key").write_bytes(b"secret")
    result = make_backup(
        tmp_path,
        instance=instance,
        database_url="postgresql+psycopg://lms@127.0.0.1:5432/lms",
        schema_version="0015_privacy",
    )
    assert result.database == "postgresql" and result.files == 2
    with tarfile.open(result.path, "r:gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        assert sorted(tar.getnames()) == [
            "instance/certificate-keys/abc.pem",
            "instance/secret_key",
            "manifest.json",
        ]
    assert manifest["schema_version"] == "0015_privacy"
    assert oct(result.path.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(BackupError, match="already exists"):
        make_backup(
            result.path, instance=instance, database_url="postgresql://x/y", schema_version=None
        )
    with pytest.raises(BackupError, match="does not exist"):
        make_backup(
            tmp_path / "nowhere" / "b.tar.gz",
            instance=instance,
            database_url="postgresql://x/y",
            schema_version=None,
        )


def test_the_commands_explain_themselves(source):
    app, _archive = source
    runner = app.test_cli_runner()
    for command in (["backup", "--help"], ["restore", "--help"]):
        result = runner.invoke(args=["lms", *command])
        assert result.exit_code == 0 and "Usage" in result.output
    assert "pg_dump" in runner.invoke(args=["lms", "backup", "--help"]).output
    result = runner.invoke(args=["lms", "backup"])
    assert result.exit_code != 0 and "Missing argument" in result.output


def test_a_file_that_does_not_match_its_checksum_is_refused(tmp_path):
    manifest = {
        "format": "connectoo-lms-backup",
        "format_version": 1,
        "database": "sqlite",
        "schema_version": None,
        "files": [{"path": "instance/secret_key", "size": 1, "sha256": "0" * 64}],
    }
    archive = build(tmp_path / "wrong.tar.gz", {"instance/secret_key": b"k"}, manifest=manifest)
    result, _ = _restore(tmp_path, archive)
    assert result.exit_code != 0 and "checksum does not match" in result.output
    assert (tmp_path / "target" / "secret_key").read_bytes() != b"k"
    listed = {**manifest, "files": [*manifest["files"], {"path": "instance/x", "sha256": "0"}]}
    archive = build(tmp_path / "short.tar.gz", {"instance/secret_key": b"k"}, manifest=listed)
    result, _ = _restore(tmp_path, archive)
    assert result.exit_code != 0
    assert "checksum does not match" in result.output or "incomplete" in result.output
