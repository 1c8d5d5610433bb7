"""The preview's "What an import would change" page: ``lms import --dry-run`` for the files on
disk against the configured database, which the preview opens read-only."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from lms.app import create_app
from lms.core.migrate import upgrade
from lms.preview.dryrun import open_read_only
from lms.preview.server import make_preview_app
from tests.versions.conftest import Content, content  # noqa: F401  (fixture)
from tests.versions.test_dry_run import records  # noqa: F401  (fixture)


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The configured database's file (LMS_DATABASE_URL), not created yet."""
    path = tmp_path / "configured" / "lms.sqlite3"
    path.parent.mkdir()
    monkeypatch.setenv("LMS_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(path.parent))
    return path


@pytest.fixture
def app(configured: Path, tmp_path: Path) -> Iterator[Flask]:
    """The LMS on the configured database, really committing (the preview reads it from
    another connection): ``records`` of tests/versions fills it with learners' records."""
    app = create_app(
        {
            "TESTING": True,
            "LMS_INSTANCE_PATH": str(tmp_path / "lms-instance"),
            "LMS_DATABASE_URL": f"sqlite:///{configured}",
            "LMS_DEMO": "no",
            "LMS_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        }
    )
    upgrade(app)
    yield app
    app.extensions["lms"].engine.dispose()


def _page(preview: Flask) -> str:
    response = preview.test_client().get("/preview/import")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _cells(page: str, kind: str, slug: str) -> dict[str, dict[str, list[str]]]:
    """The table of one course or bank: level -> what -> ids."""
    section = page.split(f'data-dry-run="{kind}:{slug}"', 1)[1].split("</section>", 1)[0]
    table = {}
    for level, row in re.findall(r'<tr data-level="(\w+)">(.*?)</tr>', section, re.S):
        cells = re.findall(r'<td data-what="(\w+)">(.*?)</td>', row)
        table[level] = {what: [i for i in ids.split(", ") if i] for what, ids in cells}
    return table


def test_the_page_lists_the_changes_by_id_and_the_learners_affected(
    app: Flask,
    content: Content,  # noqa: F811
    records: dict[str, int],  # noqa: F811
    configured: Path,
    tmp_path: Path,
) -> None:
    app.extensions["lms"].engine.dispose()  # the LMS is not running: its file is settled
    before = configured.read_bytes()
    files = {p.name for p in configured.parent.iterdir()}
    preview = make_preview_app(content.paths, content.certificates, tmp_path / "work")
    course = preview.test_client().get("/preview/courses/dry").get_data(as_text=True)
    assert 'href="/preview/import"' in course
    page = _page(preview)
    assert _cells(page, "course", "dry") == {
        "modules": {"added": [], "removed": ["m2"], "changed": [], "moved": []},
        "activities": {"added": [], "removed": ["e2"], "changed": [], "moved": []},
        "lessons": {"added": [], "removed": ["les-c"], "changed": [], "moved": []},
        "sections": {"added": ["s6"], "removed": ["s2", "s5"], "changed": ["s3"], "moved": ["s4"]},
    }
    assert _cells(page, "bank", "bank-a") == {
        "questions": {"added": ["q4"], "removed": ["q1"], "changed": ["q2"], "moved": []}
    }
    impacts = dict(re.findall(r'data-impact="([^"]+)" data-count="(\d+)"', page))
    assert impacts == {
        "opened s2": "1",  # A
        "opened s5": "1",  # B
        "completed e2": "1",  # B
        "losing": "2",  # A and B
        "open attempts t1": "1",  # D
        "certificates": "1",  # E (F's certificate is revoked)
    }
    # Nothing was written: the file is byte-identical; a reader of a WAL database may only
    # add SQLite's shared-memory index and an empty log beside it (as any reader does).
    assert configured.read_bytes() == before
    added = {p.name for p in configured.parent.iterdir()} - files
    assert added <= {"lms.sqlite3-shm", "lms.sqlite3-wal"}
    wal = configured.parent / "lms.sqlite3-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    # A write through the preview's kind of engine fails.
    engine = open_read_only(f"sqlite:///{configured}")
    with pytest.raises(OperationalError, match="readonly"), engine.begin() as connection:
        connection.execute(text("DELETE FROM lms_course_version"))
    engine.dispose()
    assert configured.read_bytes() == before
    # Saved back as imported: recomputed, nothing would change.
    content.write(1)
    again = _page(preview)
    assert _cells(again, "course", "dry") == {} and _cells(again, "bank", "bank-a") == {}
    assert "data-impact" not in again


def test_a_write_through_the_read_only_engine_fails_on_the_suite_database(
    database_url: str, engine
) -> None:
    """On SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    read_only = open_read_only(database_url)
    try:
        with pytest.raises(SQLAlchemyError, match=r"read-?only"), read_only.begin() as connection:
            assert connection.execute(text("SELECT count(*) FROM lms_course")).scalar() >= 0
            connection.execute(text("DELETE FROM lms_course"))
    finally:
        read_only.dispose()


def test_a_database_without_schema_or_outdated_is_said_plainly(
    configured: Path, tmp_path: Path
) -> None:
    configured.write_bytes(b"")  # an empty file: SQLite's empty database
    files = Content(tmp_path / "content")
    files.write(1)
    preview = make_preview_app(files.paths, files.certificates, tmp_path / "work")
    page = _page(preview)
    assert 'data-missing="no schema"' in page and "data-dry-run" not in page
    assert configured.read_bytes() == b""
    # A schema of an older migration: upgrade first (the queries would fail on it).
    with sqlite3.connect(configured) as connection:
        connection.execute("CREATE TABLE lms_alembic_version (version_num VARCHAR(32))")
        connection.execute("INSERT INTO lms_alembic_version VALUES ('0001_initial')")
    connection.close()
    assert 'data-missing="outdated"' in _page(preview)
    # A server that refuses the connection: said plainly, never a 500.
    preview.extensions[
        "lms_preview"
    ].configured_url = "postgresql+psycopg://lms:secret@127.0.0.1:1/lms"
    page = _page(preview)
    assert 'data-missing="unreachable"' in page and "secret" not in page


def test_a_broken_file_shows_the_located_problems_instead(configured: Path, tmp_path: Path) -> None:
    files = Content(tmp_path / "content")
    files.write(1)
    (files.courses / "dry.yaml").write_text("id: dry\ntitle: [unclosed\n", "utf-8")
    preview = make_preview_app(files.paths, files.certificates, tmp_path / "work")
    page = _page(preview)
    assert "dry.yaml:" in page and ": E101: " in page
    assert "data-dry-run" not in page
    files.write(2)  # fixed: the page comes back (with no configured database here)
    fixed = _page(preview)
    assert 'data-missing="no database"' in fixed and "E101" not in fixed
