"""`lms run` prepares a new instance: migrations, courses, and the demo only where it belongs."""

from __future__ import annotations

import re
from io import BytesIO

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.app import create_app
from lms.catalog.models import Course
from lms.commands import prepare_instance
from lms.core.db import db
from lms.demo import (
    DEMO_PASSWORD,
    DEMO_PEOPLE,
    DOMAINS,
    LONG_GONE,
    OTHER_ACCOUNTS,
    OTHER_ORGANISATIONS,
    OVERVIEW_PEOPLE,
)
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
        assert names == set(DOMAINS) | {o[0] for o in OTHER_ORGANISATIONS}
        for org in db.session.scalars(select(Organisation).where(Organisation.name.in_(DOMAINS))):
            assert org.level == "municipality" and org.parent.name == "West-Vlaanderen"
            assert sorted(d.name for d in org.departments) == [
                "Burgerzaken",
                "Onthaal",
                "Sociaal huis",
            ]
        admin = db.session.scalars(select(User).where(User.username == "admin")).one()
        assert admin.is_admin and admin.check_password(DEMO_PASSWORD)
    assert _people(app) == len(DEMO_PEOPLE) + OTHER_ACCOUNTS + OVERVIEW_PEOPLE
    _the_coordinator_sees_what_the_learners_see(app)
    # A second start changes nothing: no second demo, courses unchanged.
    with app.app_context():
        notes = prepare_instance()
        assert "database up to date" in notes
        assert not any("demo" in note for note in notes)
    assert _people(app) == len(DEMO_PEOPLE) + OTHER_ACCOUNTS + OVERVIEW_PEOPLE


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
    assert _people(app) == len(DEMO_PEOPLE) + OTHER_ACCOUNTS + OVERVIEW_PEOPLE
    app = _app(tmp_path / "other", LMS_DEMO="no")
    with app.app_context():
        prepare_instance(import_courses=False)
    assert _people(app) == 0


def test_demo_password_is_accepted_by_the_password_rules(app):
    from lms.accounts.passwords import password_problems

    with app.app_context():
        assert password_problems(DEMO_PASSWORD, identifiers=("admin", "els.peeters")) == []


def _page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def _figure(html: str, key: str) -> int:
    match = re.search(rf'id="figure-{key}".*?class="figure-number">(\d+)', html, re.S)
    assert match, key
    return int(match.group(1))


def _the_coordinator_sees_what_the_learners_see(app) -> None:
    """The De Panne coordinator's dashboard is populated at once (a certified learner, one
    overdue, one due soon, some not started), and the learners' own pages agree."""

    def client_of(email: str):
        client = app.test_client()
        with app.app_context():
            user = db.session.scalars(select(User).where(User.email == email)).one()
            user.preferred_language = "en"
            db.session.commit()
        html = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        response = client.post(
            "/login", data={"login": email, "password": DEMO_PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302
        return client

    coordinator = client_of("an.vermeulen@depanne.demo")
    html = coordinator.get("/progress/").get_data(as_text=True)
    assert _figure(html, "certified") >= 1
    assert _figure(html, "overdue") >= 1 and _figure(html, "due_soon") >= 1
    assert _figure(html, "not_started") >= 1 and _figure(html, "in_progress") >= 1
    table = _page_text(coordinator, "/progress/people?course=connectoo&status=overdue")
    assert "Sophie Dubois" in table and "Karel Vandamme" in table and "Els Peeters" not in table
    assert "Koksijde" not in _page_text(coordinator, "/progress/people")
    els_client = client_of("els.peeters@depanne.demo")
    els = _page_text(els_client, "/")
    assert "Certified" in els and "Course: 100% completed" in els
    _els_downloads_her_badge(app, els_client)
    sophie = _page_text(client_of("sophie.dubois@depanne.demo"), "/courses/connectoo")
    assert "Overdue" in sophie and "Mandatory" in sophie
    nadia = _page_text(client_of("nadia.elamrani@depanne.demo"), "/")
    assert "Due soon" in nadia and "In progress" in nadia
    regional = _page_text(client_of("rita.lambrecht@westkust.demo"), "/progress/people")
    assert "Koksijde" in regional and "Veurne" in regional
    _the_overview_label_and_snapshots(app, client_of)


def _els_downloads_her_badge(app, client) -> None:
    """The demo learner's certificate page offers the Open Badges downloads, and the baked
    badge checks as valid on the public page."""
    mine = client.get("/certificates/").get_data(as_text=True)
    code = re.search(r'href="/certificates/([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})"', mine).group(1)
    detail = client.get(f"/certificates/{code}").get_data(as_text=True)
    for ext in ("png", "json", "jwt"):
        assert f'href="/badges/{code}.{ext}"' in detail
    png = client.get(f"/badges/{code}.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    public = app.test_client()
    html = public.get("/badges/verify").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = public.post(
        "/badges/verify",
        data={"csrf_token": token, "file": (BytesIO(png.data), "badge.png")},
        content_type="multipart/form-data",
    )
    assert 'data-status="valid"' in response.get_data(as_text=True)


def _the_overview_label_and_snapshots(app, client_of) -> None:
    """The admin's national overview has several levels and certificates in several months;
    Veurne's reception desk holds the label on the public page; the De Panne coordinator
    finds last month's snapshot of De Panne (and no other organisation's)."""
    admin = client_of("admin@connectoo.demo")
    html = admin.get("/progress/national/").get_data(as_text=True)
    for group in ("group-federal", "group-province", "group-municipality"):
        assert f'id="{group}"' in html
    assert "OCMW De Panne" in html
    months = re.findall(
        r'<tr data-month="[^"]+">\s*<th scope="row">[^<]+</th>\s*<td class="numeric">(\d+)</td>',
        html,
    )
    assert sum(1 for n in months if int(n) > 0) >= 3
    public = _page_text(app.test_client(), "/labels/")
    assert "Veurne" in public and "Onthaal" in public and "Hilde" not in public
    coordinator = client_of("an.vermeulen@depanne.demo")
    snapshots = _page_text(coordinator, "/progress/snapshots/")
    assert "De Panne" in snapshots and "Koksijde" not in snapshots
    # With the default retention period (two years) the people who left long ago are listed
    # for review, and nobody else (Koen Desmet never signed in either, but joined recently).
    inactive = _page_text(admin, "/admin/retention")
    names = {email: name for o in OTHER_ORGANISATIONS for name, email, _ in o[4]}
    for email in LONG_GONE:
        assert names[email] in inactive
    assert "Koen Desmet" not in inactive and "Els Peeters" not in inactive
