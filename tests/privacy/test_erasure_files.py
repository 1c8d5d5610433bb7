"""Done when: after erasing a person with a non-ASCII name, a byte search of the database
files (SQLite, with its write-ahead log), the instance folder and every export finds neither
the name nor the e-mail address, in UTF-8 or any other common encoding.

The instance and its SQLite database are the test's own (not the suite's shared database),
so that the files hold exactly what the LMS wrote."""

from __future__ import annotations

import contextlib
import email.header
import gc
import io
import json
import quopri
import sqlite3
import unicodedata
import zipfile
from pathlib import Path
from urllib.parse import quote, quote_plus

from sqlalchemy import select

from lms.app import create_app
from lms.core.db import db
from lms.core.migrate import upgrade
from lms.demo import DEMO_PASSWORD
from lms.reporting.models import ReportSnapshot
from tests.conftest import REPO, csrf_token
from tests.privacy.conftest import EMAIL, NAME, seed_rich_person


def encodings(text: str) -> set[bytes]:
    """``text`` as bytes in the encodings a file or an export could hold it in."""
    forms = {text, unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)}
    found: set[bytes] = set()
    for form in forms:
        for codec in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "latin-1", "cp1252"):
            with contextlib.suppress(UnicodeEncodeError):
                found.add(form.encode(codec))
        found.add(json.dumps(form)[1:-1].encode())  # \u00eb escapes (JSON, SQLite JSON)
        found.add("".join(c if c.isascii() else f"&#{ord(c)};" for c in form).encode())
        found.add("".join(c if c.isascii() else f"&#x{ord(c):x};" for c in form).encode())
        found.add(quote(form).encode())
        found.add(quote_plus(form).encode())
        found.add(quopri.encodestring(form.encode()).strip())
        found.add(email.header.Header(form, "utf-8").encode().encode())
    return {b.lower() for b in found}


NEEDLES = encodings(NAME) | encodings(EMAIL)


def hits(data: bytes, where: str) -> list[str]:
    """Where in ``data`` (and, for a zip such as an XLSX, in its members) a needle is."""
    lowered = data.lower()
    found = [f"{where}: {needle!r}" for needle in NEEDLES if needle in lowered]
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                found += hits(archive.read(name), f"{where}!{name}")
    return found


def _app(tmp_path: Path):
    return create_app(
        {
            "TESTING": True,
            "LMS_INSTANCE_PATH": str(tmp_path / "instance"),
            "LMS_DEMO": "no",
            "LMS_COURSES_PATH": str(REPO / "courses"),
            "LMS_QUIZZES_PATH": str(REPO / "quizzes"),
            "LMS_CERTIFICATES_PATH": str(REPO / "certificates"),
            "LMS_BASE_URL": "http://127.0.0.1",
            "LMS_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        }
    )


def _login(app, login_name: str):
    client = app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/login", data={"login": login_name, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return client


def _exports(app, tmp_path: Path) -> dict[str, bytes]:
    """Every export an administrator (and a learner, of their own data) can make."""
    admin = _login(app, "admin")
    urls = ["/progress/", "/progress/people", "/progress/national/", "/admin/audit/"]
    with app.app_context():
        urls += [f"/progress/snapshots/{i}" for i in db.session.scalars(select(ReportSnapshot.id))]
    files = {}
    for url in urls:
        for kind in ("csv", "xlsx"):
            response = admin.get(url, query_string={"format": kind})
            assert response.status_code == 200, (url, kind, response.status_code)
            files[f"{url}?format={kind}"] = response.get_data()
            response.close()  # as a server does: the request's session ends
    files["/profile/data.json (nadia)"] = (
        _login(app, "nadia.elamrani@depanne.demo").get("/profile/data.json").get_data()
    )
    out = tmp_path / "statements.jsonl"
    result = app.test_cli_runner().invoke(args=["lms", "xapi", "export", "--output", str(out)])
    assert result.exit_code == 0, result.output
    files["lms xapi export"] = out.read_bytes()
    return files


def _is_open(connection: sqlite3.Connection) -> bool:
    try:
        connection.execute("SELECT 1")
    except sqlite3.ProgrammingError:  # closed
        return False
    return True


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_after_erasure_no_file_and_no_export_holds_the_name_or_address(tmp_path, monkeypatch):
    app = _app(tmp_path)
    instance = tmp_path / "instance"
    with app.app_context():
        upgrade(app)
        rich = seed_rich_person(db.session, monkeypatch)
        db.session.remove() if hasattr(db.session, "remove") else db.session.close()
    _login(app, EMAIL)  # a sign-in (with her address) in the audit log
    # The search finds her before: in the database, the sent mails and the exports.
    before = _exports(app, tmp_path)
    assert any(hits(data, name) for name, data in before.items() if "people" in name)
    assert any(hits(data, name) for name, data in before.items() if "snapshots" in name)
    assert any(hits(data, name) for name, data in _files(instance / "mail").items())
    assert any(hits(data, name) for name, data in _files(instance).items() if "sqlite3" in name)

    result = app.test_cli_runner().invoke(args=["lms", "users", "erase", EMAIL, "--yes"])
    assert result.exit_code == 0, result.output
    assert f"Erased person #{rich.user_id}" in result.output
    # The log is emptied now, or (when a reader of the busy test machine still holds it) at the
    # next checkpoint: the byte search below, after the LMS stops, holds either way.
    # test_erasure_checkpoint.py checks each of the two outcomes on its own.
    assert (
        "write-ahead log emptied" in result.output
        or "it is emptied at its next checkpoint" in result.output
    ), result.output

    after = _exports(app, tmp_path)
    # As when the LMS stops: every connection closed, the last one checkpoints the log. (A
    # test client's dropped request may hold one until the garbage collector finds it.)
    gc.collect()
    app.extensions["lms"].engine.dispose()
    found = []
    for name, data in {**_files(instance), **after}.items():
        found += hits(data, name)
    open_connections = sum(
        1 for o in gc.get_objects() if isinstance(o, sqlite3.Connection) and _is_open(o)
    )
    assert found == [], (result.output, f"open SQLite connections: {open_connections}")
    database = instance / "lms.sqlite3"
    assert database.stat().st_size > 100_000  # the real database was searched
