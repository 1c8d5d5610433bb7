"""A reported post: the moderators are told by e-mail (one per report, in each one's
language), a repeated report is refused, and the trainers' menu and the reports page count
the reports waiting."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import MetaData, insert, select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.catalog.queries import get_course_def
from lms.core.db import db, utcnow
from lms.core.i18n import gettext, ngettext
from lms.forums import services
from lms.forums.access import forum_access
from lms.forums.models import ForumPost, ForumReport
from lms.mail.models import OutgoingMail
from tests.conftest import login
from tests.forums.conftest import forum_url, send


@pytest.fixture
def post(app, world, make_user):
    """Els's opening post in the course-wide forum; besides Tina (nl), Fabien (fr) moderates
    as a trainer and Ann as an administrator; a former trainer is deactivated."""
    make_user(name="Fabien Formateur", roles=("trainer",), language="fr")
    make_user(name="Ann Admin", roles=("admin",), language="de")
    former = make_user(name="Former Trainer", roles=("trainer",))
    with app.app_context():
        db.session.get(User, former.id).active = False
        course = get_course_def(db.session, world.course.slug)
        els = db.session.get(User, world["els"].id)
        access = forum_access(db.session, els, course, course.activities_by_id["f-course"])
        thread = services.start_thread(db.session, access, "Een vraag", "Mevrouw X belde.")
        db.session.commit()
        return db.session.scalar(select(ForumPost.id).where(ForumPost.thread_id == thread.id))


def report_url(world, post_id):
    return forum_url(world, rest=f"/posts/{post_id}/report")


def logged_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


def report_mails(app):
    with app.app_context():
        return list(
            db.session.scalars(
                select(OutgoingMail)
                .where(OutgoingMail.template == "forum_report")
                .order_by(OutgoingMail.id)
            )
        )


def reports(app):
    with app.app_context():
        return list(db.session.scalars(select(ForumReport).order_by(ForumReport.id)))


def moderator(app, name):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.full_name == name))
        db.session.expunge(user)
        return user


def translated(app, language, message, **values):
    with app.test_request_context(), force_locale(language):
        return gettext(message, **values)


def test_each_moderator_gets_one_mail_in_their_language(app, world, post):
    pieter = logged_in(app, world["pieter"])
    response = send(pieter, report_url(world, post), {"reason": "Naam van een burger"})
    assert response.status_code == 302
    mails = {m.recipient: m for m in report_mails(app)}
    tina, fabien, ann = (
        world["trainer"],
        moderator(app, "Fabien Formateur"),
        moderator(app, "Ann Admin"),
    )
    assert set(mails) == {tina.email, fabien.email, ann.email}  # not the deactivated one
    for person in (tina, fabien, ann):
        mail = mails[person.email]
        assert mail.language == person.preferred_language
        assert mail.subject == translated(
            app,
            person.preferred_language,
            "A forum post was reported: %(thread)s",
            thread="Een vraag",
        )
        assert "http://localhost/forums/reports" in mail.body
        assert "Pieter Maes" in mail.body and "Els Peeters" in mail.body
    # The forum's title is in the moderator's language when the course has it.
    assert "Forum pour tous" in mails[fabien.email].body
    assert "Forum voor iedereen" in mails[tina.email].body
    # The post's text stays on the site (it may be the very data that should not spread).
    assert all("Mevrouw X" not in m.body for m in mails.values())


def test_a_repeated_report_is_refused_and_sends_nothing(app, world, post):
    pieter = logged_in(app, world["pieter"])
    send(pieter, report_url(world, post), {"reason": "Naam van een burger"})
    again = send(pieter, report_url(world, post), {"reason": "Nog eens"})
    assert again.status_code == 302
    page = pieter.get(again.headers["Location"]).get_data(as_text=True)
    assert (
        translated(app, "nl", "You already reported this post. The trainers will look at it.")
        in page
    )
    assert len(reports(app)) == 1 and len(report_mails(app)) == 3
    # Another person's report is a new report, with its own mails.
    send(logged_in(app, world["nadia"]), report_url(world, post), {"reason": ""})
    assert len(reports(app)) == 2 and len(report_mails(app)) == 6
    # Once a trainer closed Pieter's report, he may report the post again.
    trainer = logged_in(app, world["trainer"])
    first = reports(app)[0]
    assert send(trainer, f"/forums/reports/{first.id}/resolve").status_code == 302
    send(pieter, report_url(world, post), {"reason": "Het staat er nog"})
    assert len(reports(app)) == 3 and len(report_mails(app)) == 9


def test_the_database_keeps_one_open_report_per_person_and_post(app, world, post):
    with app.app_context():
        db.session.add(ForumReport(post_id=post, reporter_id=world["pieter"].id, reason="a"))
        db.session.flush()
        db.session.add(ForumReport(post_id=post, reporter_id=world["pieter"].id, reason="b"))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        # A closed report does not count.
        db.session.add(
            ForumReport(
                post_id=post, reporter_id=world["pieter"].id, reason="a", resolved_at=utcnow()
            )
        )
        db.session.add(ForumReport(post_id=post, reporter_id=world["pieter"].id, reason="b"))
        db.session.flush()
        db.session.rollback()


def test_trainers_see_the_number_of_open_reports(app, world, post):
    trainer = logged_in(app, world["trainer"])
    home = trainer.get("/").get_data(as_text=True)
    assert 'href="/forums/reports"' in home and 'class="nav-count"' not in home
    for who in ("pieter", "nadia"):
        send(logged_in(app, world[who]), report_url(world, post), {"reason": ""})
    with app.test_request_context(), force_locale("nl"):
        waiting = ngettext("%(num)d waiting", "%(num)d waiting", 2)
        summary = ngettext(
            "%(num)d report is waiting for a trainer.",
            "%(num)d reports are waiting for a trainer.",
            2,
        )
    home = trainer.get("/").get_data(as_text=True)
    assert f'<span class="nav-count">({waiting})</span>' in home
    page = trainer.get("/forums/reports").get_data(as_text=True)
    assert summary in page and 'aria-current="page"' in page
    # Learners and coordinators have no such menu entry.
    for who in ("els", "manager"):
        html = logged_in(app, world[who]).get("/").get_data(as_text=True)
        assert "/forums/reports" not in html
    # Closing a report lowers the number.
    first = reports(app)[0]
    send(trainer, f"/forums/reports/{first.id}/resolve")
    with app.test_request_context(), force_locale("nl"):
        waiting = ngettext("%(num)d waiting", "%(num)d waiting", 1)
    assert f'<span class="nav-count">({waiting})</span>' in trainer.get("/").get_data(as_text=True)


def test_the_migration_closes_repeated_open_reports_before_adding_the_index(tmp_path):
    """Databases from before the unique index may hold repeated open reports: the upgrade
    keeps the first open one of each person and post and closes the others."""
    from sqlalchemy.orm import Session

    from lms.app import create_app
    from lms.core.migrate import upgrade

    app = create_app(
        {
            "LMS_INSTANCE_PATH": str(tmp_path / "instance"),
            "LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite3'}",
            "LMS_DEMO": "no",
        }
    )
    engine = app.extensions["lms"].engine
    upgrade(app, "0007_sessions")  # the revision before the one that adds the index
    # Rows are written with the tables as they were then (reflected), not today's models.
    tables = MetaData()
    tables.reflect(engine)
    users, courses = tables.tables["lms_user"], tables.tables["lms_course"]
    threads, posts = tables.tables["lms_forum_thread"], tables.tables["lms_forum_post"]
    reports = tables.tables["lms_forum_report"]
    now = utcnow().replace(tzinfo=None)

    def filled(table, **values):
        """The given values, plus a plain value for every other required column."""
        for column in table.columns:
            if column.nullable or column.primary_key or column.name in values:
                continue
            kind = column.type.python_type
            values[column.name] = {bool: False, int: 0, str: "x"}.get(kind, now)
        return values

    with engine.begin() as conn:
        people = [
            conn.execute(
                insert(users).values(
                    **filled(
                        users,
                        full_name=n,
                        email=f"{n}@example.be",
                        public_id=f"00000000-0000-0000-0000-00000000000{i}",
                        preferred_language="nl",
                        active=True,
                        created_at=now,
                    )
                )
            ).inserted_primary_key[0]
            for i, n in enumerate(("a", "b", "c"))
        ]
        course = conn.execute(
            insert(courses).values(**filled(courses, slug="c"))
        ).inserted_primary_key[0]
        thread = conn.execute(
            insert(threads).values(
                **filled(
                    threads,
                    course_id=course,
                    activity_id="f",
                    author_id=people[0],
                    title="t",
                    created_at=now,
                    last_post_at=now,
                )
            )
        ).inserted_primary_key[0]
        post = conn.execute(
            insert(posts).values(
                **filled(
                    posts,
                    thread_id=thread,
                    author_id=people[0],
                    body_source="x",
                    body_html="x",
                    created_at=now,
                )
            )
        ).inserted_primary_key[0]
        for reporter, resolved in ((1, None), (1, None), (1, None), (2, None), (1, now)):
            conn.execute(
                insert(reports).values(
                    **filled(
                        reports,
                        post_id=post,
                        reporter_id=people[reporter],
                        resolved_at=resolved,
                        created_at=now,
                    )
                )
            )
        first_id = conn.scalar(select(reports.c.id).order_by(reports.c.id))
        expected = sorted([people[1], people[2]])
    upgrade(app)
    with Session(engine) as session:
        still_open = session.execute(
            select(ForumReport.id, ForumReport.reporter_id)
            .where(ForumReport.resolved_at.is_(None))
            .order_by(ForumReport.id)
        ).all()
    engine.dispose()
    assert still_open[0].id == first_id
    assert sorted(row.reporter_id for row in still_open) == expected
