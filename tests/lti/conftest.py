"""The tool (this LMS) and a real LTI 1.3 platform (``platform.py``), each served on
127.0.0.1 in a thread, and a browser (a ``requests`` session that follows redirects and
submits the forms a browser would submit).

The tool runs on the committing app of the suite (real commits on pooled connections,
every table emptied afterwards): two servers and the test thread touch the database, each
on its own connection, as with real workers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
import requests
from flask import Flask

from lms.core.db import db
from tests.lti.platform import (
    INSTRUCTOR,
    LEARNER,
    Person,
    PlatformState,
    Server,
    free_port,
    make_platform_app,
    new_rsa_pem,
)

CLIENT_ID = "connectoo-tool-7"
DEPLOYMENT = "deployment-westhoek-1"


@pytest.fixture(scope="session")
def platform_keys() -> tuple[str, str]:
    return new_rsa_pem()


@pytest.fixture
def app(committing_app: Flask) -> Iterator[Flask]:
    """The tool, served on 127.0.0.1; ``app.config["LMS_BASE_URL"]`` is its address."""
    port = free_port()
    committing_app.config["LMS_BASE_URL"] = f"http://127.0.0.1:{port}"
    server = Server(committing_app, port)
    yield committing_app
    server.stop()


@pytest.fixture
def tool_url(app: Flask) -> str:
    return app.config["LMS_BASE_URL"]


@pytest.fixture
def platform(app: Flask, tool_url: str, platform_keys) -> Iterator[PlatformState]:
    port = free_port()
    state = PlatformState(
        issuer=f"http://127.0.0.1:{port}",
        client_id=CLIENT_ID,
        deployment_id=DEPLOYMENT,
        tool_base=tool_url,
        private_pem=platform_keys[0],
        public_pem=platform_keys[1],
    )
    state.people["learner-81"] = Person(
        "learner-81", "Lotte Claes", "lotte.claes@westhoek.be", [LEARNER]
    )
    state.people["teacher-12"] = Person(
        "teacher-12", "Tom Peeters", "tom@westhoek.be", [INSTRUCTOR]
    )
    server = Server(make_platform_app(state), port)
    yield state
    server.stop()


@pytest.fixture
def organisation(make_organisation):
    return make_organisation("Westhoek")


@pytest.fixture
def registration(app: Flask, platform: PlatformState, organisation):
    """The platform, registered in the tool by an administrator."""
    from lms.lti.services import save_registration

    with app.app_context():
        registration = save_registration(
            db.session,
            None,
            name="Moodle Westhoek",
            issuer=platform.issuer,
            client_id=platform.client_id,
            auth_login_url=f"{platform.issuer}/auth",
            auth_token_url=f"{platform.issuer}/token",
            key_set_url=f"{platform.issuer}/jwks",
            deployment_ids=[platform.deployment_id],
            organisation=db.session.merge(organisation),
        )
        db.session.commit()
        return registration.id


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "fields": {}})
        elif tag == "input" and self.forms and attrs.get("name"):
            if attrs.get("type") in ("radio", "checkbox"):
                return
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""


class Browser:
    """A browser without JavaScript: follows redirects, keeps cookies, submits forms."""

    def __init__(self) -> None:
        self.session = requests.Session()

    def get(self, url: str, **kw) -> requests.Response:
        return self.session.get(url, timeout=20, **kw)

    def forms(self, response: requests.Response) -> list[dict]:
        parser = _Forms()
        parser.feed(response.text)
        return parser.forms

    def submit(self, response: requests.Response, index: int = -1, extra=None, **kw):
        """Submit a form of the page (the last one by default: the content's, after the
        menu's), with its hidden fields plus ``extra``."""
        form = self.forms(response)[index]
        action = requests.compat.urljoin(response.url, form["action"] or response.url)
        return self.session.post(action, data={**form["fields"], **(extra or {})}, timeout=20, **kw)

    def csrf(self, url: str) -> str:
        match = re.search(r'name="csrf_token" value="([^"]+)"', self.get(url).text)
        assert match, f"no CSRF token on {url}"
        return match.group(1)

    def post_form(self, url: str, data: dict, page: str, **kw) -> requests.Response:
        return self.session.post(
            url, data={**data, "csrf_token": self.csrf(page)}, timeout=20, **kw
        )


@pytest.fixture
def browser() -> Browser:
    return Browser()


from tests.assessment.conftest import make_test  # noqa: E402, F401  (fixtures)
from tests.learning.conftest import import_course  # noqa: E402, F401
