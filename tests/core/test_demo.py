"""`lms run` prepares a new instance: migrations, courses, and the demo only where it belongs."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.app import create_app
from lms.catalog.models import Course
from lms.cli import prepare_instance
from lms.core.db import db
from lms.demo import DEMO_PASSWORD, DEMO_PEOPLE, DOMAINS, OTHER_ACCOUNTS
from lms.organisations.models import Organisation
from tests.conftest import REPO


def _app(tmp_path, **config):
    return create_app(
        {
            "LMS_INSTANCE_PATH": str(tmp_path / "instance"),
            "LMS_COURSES_PATH": str(REPO / "courses"),
            "LMS_QUIZZES_PATH": str(REPO / "quizzes"),
            "LMS_CERTIFICATES_PATH": str(REPO / "certificates"),
            "LMS_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            **config,
        }
    )


def _people(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_new_default_instance_gets_courses_and_the_demo(tmp_path):
    app = _app(tmp_path)
    with app.app_context():
        notes = prepare_instance()
        assert "database created" in notes
        slugs = set(db.session.scalars(select(Course.slug)))
        assert {"connectoo", "connectoo-plus"} <= slugs
        names = set(db.session.scalars(select(Organisation.name)))
        assert names == set(DOMAINS)
        for org in db.session.scalars(select(Organisation)):
            assert sorted(d.name for d in org.departments) == [
                "Burgerzaken",
                "Onthaal",
                "Sociaal huis",
            ]
        admin = db.session.scalars(select(User).where(User.username == "admin")).one()
        assert admin.is_admin and admin.check_password(DEMO_PASSWORD)
    assert _people(app) == len(DEMO_PEOPLE) + OTHER_ACCOUNTS
    # A second start changes nothing: no second demo, courses unchanged.
    with app.app_context():
        notes = prepare_instance()
        assert "database up to date" in notes
        assert not any("demo" in note for note in notes)
    assert _people(app) == len(DEMO_PEOPLE) + OTHER_ACCOUNTS


def test_a_configured_database_never_gets_the_demo(tmp_path):
    url = f"sqlite:///{tmp_path / 'operator.sqlite3'}"
    app = _app(tmp_path, LMS_DATABASE_URL=url)
    with app.app_context():
        prepare_instance(import_courses=False)
    assert _people(app) == 0


def test_the_switch_forces_or_prevents_the_demo(tmp_path):
    url = f"sqlite:///{tmp_path / 'wanted.sqlite3'}"
    app = _app(tmp_path, LMS_DATABASE_URL=url, LMS_DEMO="yes")
    with app.app_context():
        prepare_instance(import_courses=False)
    assert _people(app) == len(DEMO_PEOPLE) + OTHER_ACCOUNTS
    app = _app(tmp_path / "other", LMS_DEMO="no")
    with app.app_context():
        prepare_instance(import_courses=False)
    assert _people(app) == 0


def test_demo_password_is_accepted_by_the_password_rules(app):
    from lms.accounts.passwords import password_problems

    with app.app_context():
        assert password_problems(DEMO_PASSWORD, identifiers=("admin", "els.peeters")) == []
