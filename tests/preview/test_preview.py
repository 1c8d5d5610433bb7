"""`lms preview`: the files on disk served from a throw-away database, rebuilt on change."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from lms.preview.server import make_preview_app

VALID = Path(__file__).resolve().parents[1] / "authoring" / "files" / "valid"
BOMB = """\
id: bomb
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


class Files:
    def __init__(self, root: Path) -> None:
        shutil.copytree(VALID, root)
        self.root = root
        self.paths = [root / "courses", root / "quizzes"]

    def write(self, relative: str, text: str) -> None:
        """Write like an editor saving, one second later than the last save (so that even a
        coarse file system clock sees a change)."""
        path = self.root / relative
        path.write_text(text, "utf-8")
        later = time.time() + 1 + getattr(self, "_saves", 0)
        self._saves = getattr(self, "_saves", 0) + 1
        os.utime(path, (later, later))

    def read(self, relative: str) -> str:
        return (self.root / relative).read_text("utf-8")


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path / "content")


@pytest.fixture
def preview(files: Files, tmp_path: Path) -> Flask:
    return make_preview_app(files.paths, files.root / "certificates", tmp_path / "work")


def _html(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def test_every_page_of_the_course_in_each_language_and_the_bank_with_its_keys(
    preview: Flask,
) -> None:
    client = preview.test_client()
    index = _html(client, "/preview/")
    assert 'href="/preview/courses/demo"' in index and 'href="/preview/banks/demo-bank"' in index
    course = _html(client, "/preview/courses/demo")
    assert "Digitale inclusie" in course  # module
    assert "Deel een ervaring." in course  # forum prompt
    assert "Online sessie." in course  # webinar card
    assert 'href="/preview/banks/demo-bank?lang=nl"' in course  # test: its questions
    assert 'href="/preview/courses/demo/aan-het-loket?lang=nl"' in course
    assert "Inclusion numérique" in _html(client, "/preview/courses/demo?lang=fr")
    section = _html(client, "/preview/courses/demo/aan-het-loket")
    assert "Een burger vraagt hulp." in section
    assert 'src="/preview/media/demo/img/counter.svg"' in section
    image = client.get("/preview/media/demo/img/counter.svg")
    image.close()
    assert image.status_code == 200
    assert client.get("/preview/media/demo/demo.yaml").status_code == 404
    assert "Un citoyen demande de l'aide." in _html(
        client, "/preview/courses/demo/aan-het-loket?lang=fr"
    )
    bank = _html(client, "/preview/banks/demo-bank")
    assert "<strong>Juist:</strong> Een aanmeldsysteem (Juist.)" in bank
    assert "Het is wel gratis." in bank  # feedback of a wrong answer
    assert _html(client, "/preview/banks/demo-bank?lang=fr").count("Un système de connexion") == 1
    _html(client, "/preview/courses/nope", 404)
    _html(client, "/preview/courses/demo/nope", 404)
    _html(client, "/preview/banks/nope", 404)


def test_a_broken_save_shows_the_located_problems_and_the_fix_brings_the_course_back(
    preview: Flask, files: Files
) -> None:
    client = preview.test_client()
    counter = client.get("/preview/_preview/counter").get_json()["counter"]
    assert "Een burger vraagt hulp." in _html(client, "/preview/courses/demo/aan-het-loket")
    good = files.read("courses/demo.yaml")
    # Saved half-way: a mapping cut in the middle of a line.
    files.write(
        "courses/demo.yaml",
        good.replace("    completion: [m1-elearning, m1-test]", "    completion: [m1-elearning,"),
    )
    assert client.get("/preview/_preview/counter").get_json()["counter"] == counter + 1
    broken = _html(client, "/preview/courses/demo/aan-het-loket")
    assert "Een burger vraagt hulp." not in broken
    assert "courses/demo.yaml:" in broken and ": E101: " in broken
    # The line the message points at is quoted, marked.
    line = int(re.search(r"courses/demo.yaml:(\d+):\d+: E101", broken).group(1))
    text = files.read("courses/demo.yaml").splitlines()[line - 1]
    assert f"<mark>{line:4d} | {escape(text)}</mark>" in broken
    # Fixed: the course comes back, with the new text.
    files.write(
        "courses/demo.yaml", good.replace("Een burger vraagt hulp.", "Een burger vraagt raad.")
    )
    fixed = _html(client, "/preview/courses/demo/aan-het-loket")
    assert "Een burger vraagt raad." in fixed and "E101" not in fixed
    assert client.get("/preview/_preview/counter").get_json()["counter"] == counter + 2


def test_an_alias_bomb_is_refused_quickly(preview: Flask, files: Files) -> None:
    client = preview.test_client()
    files.write("quizzes/bomb.yaml", BOMB)
    started = time.perf_counter()
    page = _html(client, "/preview/")
    assert time.perf_counter() - started < 5
    assert "quizzes/bomb.yaml:" in page and ": E106: " in page


def test_a_missing_configured_database_is_never_created(
    files: Files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview serves from its own database; its dry-run page only looks whether the
    configured one exists (tests/preview/test_dry_run_page.py reads an existing one)."""
    configured = tmp_path / "configured" / "lms.sqlite3"
    configured.parent.mkdir()
    monkeypatch.setenv("LMS_DATABASE_URL", f"sqlite:///{configured}")
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "configured"))
    (tmp_path / "configured" / "lms.cfg").write_text(
        f'LMS_DATABASE_URL = "sqlite:///{configured}"\n'
    )
    app = make_preview_app(files.paths, None, tmp_path / "work")
    client = app.test_client()
    assert "Een burger vraagt hulp." in _html(client, "/preview/courses/demo/aan-het-loket")
    assert app.config["LMS_DATABASE_URL"] == f"sqlite:///{tmp_path / 'work' / 'preview.sqlite3'}"
    # The dry-run page says there is nothing to compare with, and creates nothing.
    page = _html(client, "/preview/import")
    assert 'data-missing="no database"' in page and str(configured) in page
    assert "data-dry-run" not in page
    assert not configured.exists()
    assert sorted(p.name for p in configured.parent.iterdir()) == ["lms.cfg"]


def test_the_command_serves_the_named_files_on_loopback(
    files: Files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from lms.preview.cli import preview_cmd

    served = {}

    def run_simple(host, port, app, **_kw):
        served.update(host=host, port=port)
        served["page"] = _html(app.test_client(), "/preview/courses/demo")

    monkeypatch.setattr("werkzeug.serving.run_simple", run_simple)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(preview_cmd, [*map(str, files.paths), "--port", "5099"])
    assert result.exit_code == 0, result.output
    assert (served["host"], served["port"]) == ("127.0.0.1", 5099)
    assert "Digitale inclusie" in served["page"]
    nothing = CliRunner().invoke(preview_cmd, [])
    assert nothing.exit_code == 1 and "no course files" in nothing.output
