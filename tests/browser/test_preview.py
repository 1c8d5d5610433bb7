"""`lms preview` in a real browser: save a file, the open page reloads with the new text; a
broken save shows the problems; the fix brings the course back. Every page is axe-clean."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms.preview.server import make_preview_app
from tests.browser.conftest import buffered
from tests.browser.test_assessment import run_axe

pytestmark = pytest.mark.browser

VALID = Path(__file__).resolve().parents[1] / "authoring" / "files" / "valid"


def _save(path: Path, text: str, offset: int) -> None:
    path.write_text(text, "utf-8")
    later = time.time() + offset
    os.utime(path, (later, later))


def _version_pages_on_the_live_site(live_app, live_server, live_user, new_page, root) -> dict:
    """A trainer on the real site: the course versions, a version not yet published (with
    its publish button) and its preview. Returns axe's findings per page."""
    from lms.authoring.importer import import_paths
    from lms.core.db import db
    from tests.browser.conftest import log_in

    hidden = root.parent / "hidden"
    shutil.copytree(root, hidden)
    course = hidden / "courses" / "demo.yaml"
    text = course.read_text("utf-8")
    text = text.replace("id: demo\n", "id: preview-demo\npublished: false\n", 1)
    # The live site has Connectoo's banks, not the demo bank.
    text = text.replace("        quiz: demo-bank\n", "        quiz: connectoo-plus-m1\n")
    course.write_text(text, "utf-8")
    with live_app.app_context():
        import_paths(db.session, [hidden / "courses"], hidden / "certificates")
        db.session.commit()
    page = new_page()
    log_in(page, live_server, live_user(roles=("trainer",)))
    found = {}
    for url in (
        "/admin/courses/",
        "/admin/courses/preview-demo/versions",
        "/admin/courses/preview-demo/versions/1/preview",
        "/admin/courses/preview-demo/versions/1/preview/aan-het-loket?lang=fr",
    ):
        page.goto(live_server + url)
        found[url] = run_axe(page)
    return found


def test_the_preview_follows_the_files(
    tmp_path: Path, new_page, live_app, live_server, live_user, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "content"
    shutil.copytree(VALID, root)
    # The configured database, which the dry-run page reads (read-only): the live site's.
    monkeypatch.setenv("LMS_DATABASE_URL", live_app.config["LMS_DATABASE_URL"])
    app = make_preview_app(
        [root / "courses", root / "quizzes"], root / "certificates", tmp_path / "work"
    )
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}/preview"
    try:
        page = new_page()
        problems = {}
        for url in ("/", "/courses/demo", "/courses/demo?lang=fr", "/banks/demo-bank", "/import"):
            page.goto(base + url)
            problems[url] = run_axe(page)
        assert page.locator('[data-dry-run="course:demo"]').count() == 1  # new on the site
        page.goto(base + "/courses/demo/aan-het-loket")
        problems["section"] = run_axe(page)
        page.get_by_text("Een burger vraagt hulp.").wait_for()

        course = root / "courses" / "demo.yaml"
        good = course.read_text("utf-8")
        _save(course, good.replace("Een burger vraagt hulp.", "Een burger vraagt raad."), 1)
        # The page reloads by itself.
        page.get_by_text("Een burger vraagt raad.").wait_for(timeout=15000)

        _save(
            course, good.replace("    completion: [m1-elearning, m1-test]", "    completion: ["), 2
        )
        page.get_by_role("heading", name="De bestanden hebben problemen").wait_for(timeout=15000)
        assert "E101" in page.locator("main").inner_text()
        problems["problems"] = run_axe(page)

        _save(course, good, 3)
        page.get_by_text("Een burger vraagt hulp.").wait_for(timeout=15000)
        problems.update(
            _version_pages_on_the_live_site(live_app, live_server, live_user, new_page, root)
        )
        assert problems == {key: [] for key in problems}
    finally:
        server.shutdown()
        thread.join(timeout=5)
