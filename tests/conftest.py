"""Fixtures shared by the whole suite.

The database is SQLite in a temporary folder, or PostgreSQL when ``TEST_DATABASE_URL`` is set
(``make test`` runs the suite once on each). The schema is built by the real migrations once per
run; each test then runs inside a transaction that is rolled back at its end, while the code
under test still commits (SQLAlchemy's "create_savepoint" mode).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from lms.app import create_app
from lms.core.db import Base, db, make_engine

REPO = Path(__file__).resolve().parent.parent


def _drop_everything(engine: Engine) -> None:
    import lms.models  # noqa: F401

    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        for table in inspect(conn).get_table_names():
            if table.startswith("lms_"):
                conn.execute(
                    text(
                        f'DROP TABLE IF EXISTS "{table}" CASCADE'
                        if conn.dialect.name == "postgresql"
                        else f'DROP TABLE IF EXISTS "{table}"'
                    )
                )


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def engine(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One engine for the run, its schema made by running every migration."""
    from lms.core.migrate import upgrade

    engine = make_engine(database_url)
    _drop_everything(engine)
    app = create_app(
        {
            "LMS_INSTANCE_PATH": str(tmp_path_factory.mktemp("migrate-instance")),
            "LMS_DATABASE_URL": database_url,
            "LMS_DEMO": "no",
        }
    )
    app.extensions["lms"].engine.dispose()
    app.extensions["lms"].engine = engine
    upgrade(app)
    yield engine
    engine.dispose()


def make_test_app(engine: Engine, instance: Path, **config) -> tuple[Flask, object]:
    settings = {
        "TESTING": True,
        "LMS_INSTANCE_PATH": str(instance),
        "LMS_DATABASE_URL": str(engine.url.render_as_string(hide_password=False)),
        "LMS_DEMO": "no",
        "LMS_COURSES_PATH": str(REPO / "courses"),
        "LMS_QUIZZES_PATH": str(REPO / "quizzes"),
        "LMS_CERTIFICATES_PATH": str(REPO / "certificates"),
        "LMS_BASE_URL": "http://127.0.0.1",
        # Still scrypt, at a lower cost: the suite creates hundreds of accounts.
        "LMS_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
    }
    settings.update(config)
    app = create_app(settings)
    state = app.extensions["lms"]
    state.engine.dispose()
    state.engine = engine
    connection = engine.connect()
    outer = connection.begin()
    state.session_factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    return app, (connection, outer)


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(engine: Engine, tmp_path: Path, app_config: dict) -> Iterator[Flask]:
    app, (connection, outer) = make_test_app(engine, tmp_path / "instance", **app_config)
    yield app
    outer.rollback()
    connection.close()


@pytest.fixture
def db_session(app: Flask):
    """The LMS session inside an app context (do not hold it across client requests)."""
    with app.app_context():
        yield db.session


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, page: str = "/login") -> str:
    """The CSRF token a browser would find in a form on ``page``."""
    html = client.get(page).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def post_form(client: FlaskClient, url: str, data: dict, *, page: str | None = None, **kw):
    """POST like a browser: with the CSRF token taken from ``page`` (default: ``url``)."""
    token = csrf_token(client, page or "/login")
    return client.post(url, data={**data, "csrf_token": token}, **kw)


# Factories ---------------------------------------------------------------------------------

PASSWORD = "correct-horse-battery"


@pytest.fixture
def make_organisation(app: Flask):
    from lms.organisations.services import create_organisation

    def make(name: str = "De Panne", departments=("Onthaal", "Burgerzaken"), **kwargs):
        """``kwargs``: ``level`` and ``parent`` (an organisation) of ``create_organisation``."""
        with app.app_context():
            if kwargs.get("parent") is not None:
                kwargs["parent"] = db.session.merge(kwargs["parent"])
            org = create_organisation(db.session, name, departments=list(departments), **kwargs)
            db.session.commit()
            return org

    return make


@pytest.fixture
def make_user(app: Flask):
    from lms.accounts.services import RoleSpec, create_user

    counter = iter(range(1, 100000))

    def make(
        *,
        name: str | None = None,
        email: str | None = None,
        roles: tuple = ("learner",),
        organisation=None,
        department=None,
        password: str = PASSWORD,
        language: str = "nl",
        manages=(),
    ):
        n = next(counter)
        specs = [RoleSpec(r) for r in roles if r != "manager"]
        specs += [RoleSpec("manager", org.id) for org in manages]
        with app.app_context():
            user = create_user(
                db.session,
                full_name=name or f"Person {n}",
                email=email or f"person{n}@example.be",
                password=password,
                organisation=organisation and db.session.merge(organisation),
                department=department and db.session.merge(department),
                roles=specs,
                language=language,
            )
            db.session.commit()
            user_id = user.id
        with app.app_context():
            return db.session.get(type(user), user_id)

    return make


def login(client: FlaskClient, user, password: str = PASSWORD):
    response = post_form(client, "/login", {"login": user.login_name, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def committing_app(engine: Engine, tmp_path: Path) -> Iterator[Flask]:
    """An app whose requests and sessions really commit, each on its own connection, for
    concurrency tests (two threads released together by a threading.Barrier). Every LMS
    table is emptied afterwards, so other tests still start from an empty database."""
    import lms.models  # noqa: F401

    app = create_app(
        {
            "TESTING": True,
            "LMS_INSTANCE_PATH": str(tmp_path / "committing-instance"),
            "LMS_DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "LMS_DEMO": "no",
            "LMS_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            "LMS_COURSES_PATH": str(REPO / "courses"),
            "LMS_QUIZZES_PATH": str(REPO / "quizzes"),
            "LMS_CERTIFICATES_PATH": str(REPO / "certificates"),
        }
    )
    yield app
    app.extensions["lms"].engine.dispose()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # the audit log's trigger allows this only
            conn.execute(text("SELECT set_config('lms.audit_erasure', 'on', true)"))
        # Courses and banks point at their current version and back: break the cycle first.
        for name in ("lms_course", "lms_question_bank"):
            conn.execute(Base.metadata.tables[name].update().values(current_version_id=None))
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
