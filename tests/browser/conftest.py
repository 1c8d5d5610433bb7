"""A live server with the real Connectoo courses and the demo accounts, and a real Chromium.

Browser tests drive Debian's Chromium (/usr/bin/chromium) through Playwright; they never
download a browser. The server binds 127.0.0.1 only. They run once, on SQLite.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms.app import create_app
from lms.core.db import db
from lms.core.migrate import upgrade
from lms.demo import DEMO_PASSWORD, seed_demo
from tests.conftest import REPO

# A real Ralph LRS and Ralph's own Python, for the cmi5 units' statements (as tests/xapi).
from tests.xapi.conftest import ralph, ralph_python  # noqa: F401

CHROMIUM = "/usr/bin/chromium"
#: Organisations without assignment rules (see live_app); the first is live_user's default.
PRACTICE_ORGANISATIONS = ("Oefenstad", "Oefendorp")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory):
    from lms.authoring.importer import import_paths

    instance = tmp_path_factory.mktemp("live-instance")
    app = create_app(
        {
            "LMS_INSTANCE_PATH": str(instance),
            "LMS_DATABASE_URL": f"sqlite:///{instance / 'live.sqlite3'}",
            "LMS_DEMO": "no",
            "LMS_COURSES_PATH": str(REPO / "courses"),
            "LMS_QUIZZES_PATH": str(REPO / "quizzes"),
            "LMS_CERTIFICATES_PATH": str(REPO / "certificates"),
            "LMS_LOGIN_RATE_LIMIT": "1000 per minute",
            "LMS_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        }
    )
    upgrade(app)
    with app.app_context():
        import_paths(
            db.session, [REPO / "courses", REPO / "quizzes"], certificates_dir=REPO / "certificates"
        )
        seed_demo(db.session)
        # Two places without assignment rules, for the people each test makes: nobody is
        # enrolled for them, so a test starts from a clean slate (the demo people have
        # assignments and progress of their own).
        from lms.organisations.services import create_organisation

        for name in PRACTICE_ORGANISATIONS:
            create_organisation(db.session, name, departments=["Onthaal", "Burgerzaken"])
        db.session.commit()
    return app


def buffered(app):
    """Read each response into memory and close it before the server writes it out.

    Werkzeug's development server skips closing a response when the browser drops the
    connection while the server drains the request (Chromium does that when it navigates
    away while a favicon is still loading); a static file then stays open and Python
    reports an unclosed file, which this suite treats as an error. Closing the response
    here, before any byte goes out, leaves nothing open whatever the browser does.
    """

    def wsgi(environ, start_response):
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            close = getattr(response, "close", None)
            if close is not None:
                close()

    return wsgi


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, buffered(live_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Debian's chromium package"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """``new_page(width=1280, javascript=True, language="nl")`` opens a fresh browser
    profile (no cookies), like another device."""
    contexts = []

    def open_page(width: int = 1280, javascript: bool = True, language: str = "nl-BE"):
        context = browser.new_context(
            viewport={"width": width, "height": 900},
            java_script_enabled=javascript,
            locale=language,
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def log_in(page, base: str, login: str, password: str = DEMO_PASSWORD) -> None:
    """Log in by keyboard: type into the labelled fields and press Enter."""
    import re

    page.goto(f"{base}/login")
    page.get_by_label(re.compile("E-mailadres|E-mail address|Adresse")).fill(login)
    page.get_by_label(re.compile("^(Wachtwoord|Password|Mot de passe)$")).fill(password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")


@pytest.fixture
def live_user(live_app):
    """``live_user(organisation="Oefenstad", roles=("learner",), language="nl")`` adds a new
    person to the live server's database and returns their login (password: DEMO_PASSWORD).
    Each browser test works with its own people, so tests never disturb each other."""
    import itertools

    from lms.accounts.services import RoleSpec, create_user
    from lms.organisations.queries import find_organisation

    counter = itertools.count(1)

    def make(
        organisation: str = PRACTICE_ORGANISATIONS[0],
        roles=("learner",),
        language: str = "nl",
        name: str | None = None,
        manages: bool = False,
    ) -> str:
        import uuid

        login = f"{uuid.uuid4().hex[:10]}@browser.test"
        with live_app.app_context():
            org = find_organisation(db.session, organisation)
            specs = [RoleSpec(r) for r in roles if r != "manager"]
            if manages:
                specs.append(RoleSpec("manager", org.id))
            create_user(
                db.session,
                full_name=name or f"Browser Person {next(counter)}",
                email=login,
                password=DEMO_PASSWORD,
                organisation=org,
                department=org.departments[0] if org else None,
                roles=specs,
                language=language,
            )
            db.session.commit()
        return login

    return make


def enrol(page) -> None:
    """Press the course page's enrol button and wait until the page it leads to has loaded,
    so the next step never acts on the page the browser is leaving."""
    with page.expect_navigation():
        page.locator("form[action$='/enrol'] button").click()


def skip_plan_prompt(page) -> None:
    """Starting a course shows the learning-plan prompt first (lms.plans): skip it, as a
    person in a hurry does, and go on where they were going."""
    if "/plan?" in page.url:
        with page.expect_navigation():
            page.locator("form[action*='/plan/skip'] button").click()
