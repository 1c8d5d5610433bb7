"""Retention: accounts unused for LMS_RETENTION_INACTIVE_DAYS are listed for review (page and
a dry run), then erased by `lms users purge-inactive --yes`; the erase command."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from lms.accounts.models import User
from lms.core.db import db, utcnow
from lms.learning.models import Enrolment
from tests.conftest import login


@pytest.fixture
def app_config() -> dict:
    return {"LMS_RETENTION_INACTIVE_DAYS": 365, "LMS_ERASURE_VACUUM": False}


def _age(app, user, *, days: int, login_days: int | None = None) -> None:
    with app.app_context():
        now = utcnow()
        values = {"created_at": now - timedelta(days=days)}
        values["last_login_at"] = None if login_days is None else now - timedelta(days=login_days)
        db.session.execute(update(User).where(User.id == user.id).values(**values))
        db.session.commit()


@pytest.fixture
def people(app, make_user, make_organisation):
    org = make_organisation()
    old = make_user(name="Olga Oud", email="olga@example.be", organisation=org)
    _age(app, old, days=800, login_days=500)
    never = make_user(name="Nico Nooit", email="nico@example.be", organisation=org)
    _age(app, never, days=400)
    recent = make_user(name="Rita Recent", email="rita@example.be", organisation=org)
    _age(app, recent, days=800, login_days=10)
    learning = make_user(name="Lena Leert", email="lena@example.be", organisation=org)
    _age(app, learning, days=800, login_days=700)
    admin = make_user(name="Ada Admin", email="ada@example.be", roles=("admin",))
    _age(app, admin, days=900, login_days=800)
    with app.app_context():
        from lms.catalog.models import Course

        course = Course(slug="retention-course")
        db.session.add(course)
        db.session.flush()
        db.session.add(Enrolment(user_id=learning.id, course_id=course.id,
                                 last_activity_at=utcnow() - timedelta(days=3)))  # fmt: skip
        db.session.commit()
    return {"old": old, "never": never, "recent": recent, "learning": learning, "admin": admin}


def test_purge_inactive_lists_then_erases(app, people):
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["lms", "users", "purge-inactive"])
    assert dry.exit_code == 0, dry.output
    assert "olga@example.be" in dry.output and "nico@example.be" in dry.output
    for other in ("rita@", "lena@", "ada@"):
        assert other not in dry.output
    assert "Dry run: nothing was erased" in dry.output
    with app.app_context():
        assert db.session.get(User, people["old"].id).erased_at is None
    done = runner.invoke(args=["lms", "users", "purge-inactive", "--yes"])
    assert done.exit_code == 0, done.output
    assert "Erased 2 account(s)." in done.output
    with app.app_context():
        assert db.session.get(User, people["old"].id).erased_at is not None
        assert db.session.get(User, people["never"].id).erased_at is not None
        assert db.session.get(User, people["recent"].id).erased_at is None
    again = runner.invoke(args=["lms", "users", "purge-inactive"])
    assert "No account is inactive for 365 days." in again.output


def test_the_administrator_reviews_the_list(app, people):
    client = app.test_client()
    login(client, people["admin"])
    html = client.get("/admin/retention").get_data(as_text=True)
    assert "Olga Oud" in html and "Nico Nooit" in html
    assert "Rita Recent" not in html and "Lena Leert" not in html
    assert f"/admin/people/{people['old'].id}/erase" in html
    assert "/admin/retention" in client.get("/admin/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "5"], "--days must be between 30 and 36500"),
        (["--days", "abc"], "is not a valid integer"),
        (["--days", "99999999999999999999"], "--days must be between 30 and 36500"),
    ],
)
def test_purge_inactive_refuses_bad_days(app, args, message):
    result = app.test_cli_runner().invoke(args=["lms", "users", "purge-inactive", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_without_a_retention_period_nothing_is_listed(app, make_user):
    app.config["LMS_RETENTION_INACTIVE_DAYS"] = 0
    result = app.test_cli_runner().invoke(args=["lms", "users", "purge-inactive"])
    assert result.exit_code != 0 and "no retention period" in result.output
    app.config["LMS_RETENTION_INACTIVE_DAYS"] = "soon"
    result = app.test_cli_runner().invoke(args=["lms", "users", "purge-inactive"])
    assert "must be a whole number of days" in result.output
    admin = make_user(roles=("admin",))
    client = app.test_client()
    login(client, admin)
    page = client.get("/admin/retention")
    assert page.status_code == 200 and "must be a whole number of days" in page.get_data(
        as_text=True
    )


def test_erase_command(app, make_user):
    person = make_user(name="Émile Ça", email="emile@example.be")
    runner = app.test_cli_runner()
    assert "Usage" in runner.invoke(args=["lms", "users", "erase", "--help"]).output
    for unknown in ("nobody@example.be", "#99999", str(2**31), "#99999999999999999999"):
        result = runner.invoke(args=["lms", "users", "erase", unknown, "--yes"])
        assert result.exit_code != 0, result.output
        assert "nobody with the login or number" in result.output or "too large" in result.output
    answered_no = runner.invoke(args=["lms", "users", "erase", "emile@example.be"], input="n\n")
    assert answered_no.exit_code != 0 and "nothing was erased" in answered_no.output
    done = runner.invoke(args=["lms", "users", "erase", f"#{person.id}"], input="y\n")
    assert done.exit_code == 0, done.output
    assert f"Erased person #{person.id}." in done.output
    twice = runner.invoke(args=["lms", "users", "erase", f"#{person.id}", "--yes"])
    assert twice.exit_code != 0 and "nobody with the login or number" in twice.output
