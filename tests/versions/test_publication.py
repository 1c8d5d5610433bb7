"""Unpublished versions: imported with `published: false`, invisible to learners, previewed by
trainers on the real site, published in a separate, audited step."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from lms.catalog.queries import get_course, get_course_def
from lms.core.audit import AuditEvent
from lms.core.db import db
from lms.learning.models import SectionVisit
from lms.versions.cli import import_cmd, publish_cmd
from tests.conftest import csrf_token, login
from tests.versions.conftest import Content

HIDDEN = "published: false\n"


def test_a_new_unpublished_course_is_invisible_to_learners(
    app: Flask, client, content: Content, make_user
) -> None:
    content.write(1, head=HIDDEN)
    result = content.configure(app).test_cli_runner().invoke(import_cmd, [])
    assert result.exit_code == 0, result.output
    assert "course dry: created (version 1) (not published: learners do not see it yet)" in (
        result.stdout.splitlines()
    )
    login(client, make_user())
    assert client.get("/courses/dry").status_code == 404
    assert "Proef" not in client.get("/").get_data(as_text=True)
    assert client.get("/admin/courses/dry/versions/1/preview").status_code == 403
    trainer = app.test_client()
    login(trainer, make_user(roles=("trainer",)))
    page = trainer.get("/admin/courses/dry/versions/1/preview")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "deelnemers zien deze versie niet" in html
    assert "/admin/courses/dry/versions/1/preview/s5" in html
    section = trainer.get("/admin/courses/dry/versions/1/preview/s5?lang=fr")
    assert '<h1 lang="fr">Vijf</h1>' in section.get_data(as_text=True)
    assert "Tekst vijf." in section.get_data(as_text=True)
    assert trainer.get("/admin/courses/dry/versions/1/preview/nope").status_code == 404
    assert trainer.get("/admin/courses/dry/versions/9/preview").status_code == 404
    assert trainer.get(f"/admin/courses/dry/versions/{2**31}/preview").status_code == 404


def test_learners_keep_the_published_version_until_a_trainer_publishes(
    app: Flask, client, content: Content, make_user
) -> None:
    runner = content.configure(app).test_cli_runner()
    content.write(1)
    assert runner.invoke(import_cmd, []).exit_code == 0
    content.write(2, head=HIDDEN)
    # Unpublished: nothing changes for learners, so removals need no --allow-removal yet.
    result = runner.invoke(import_cmd, [])
    assert result.exit_code == 0, result.output
    assert "course dry: new version 2 (not published: learners do not see it yet)" in (
        result.stdout.splitlines()
    )
    with app.app_context():
        assert get_course_def(db.session, "dry").version_number == 1
    trainer = make_user(roles=("trainer",))
    login(client, trainer)
    assert "Zes" in client.get("/admin/courses/dry/versions/2/preview").get_data(as_text=True)
    history = client.get("/admin/courses/dry/versions").get_data(as_text=True)
    assert "Versie 2 publiceren" in history
    response = client.post(
        "/admin/courses/dry/versions/2/publish", data={"csrf_token": csrf_token(client, "/")}
    )
    assert response.status_code == 302
    with app.app_context():
        course = get_course(db.session, "dry")
        assert course.current_version.number == 2
        assert course.current_version.published_by_id == trainer.id
        entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "course.published"))
        assert (entry.actor_id, entry.target_id) == (trainer.id, course.id)
        assert entry.details == {"version": 2, "before": 1, "via": "version history page"}
    # Publishing twice is refused (404), never a 500.
    again = client.post(
        "/admin/courses/dry/versions/2/publish", data={"csrf_token": csrf_token(client, "/")}
    )
    assert again.status_code == 404


def test_publishing_a_removal_that_learners_feel_needs_consent(
    app: Flask, client, content: Content, make_user
) -> None:
    runner = content.configure(app).test_cli_runner()
    content.write(1)
    assert runner.invoke(import_cmd, []).exit_code == 0
    learner = make_user()
    with app.app_context():
        course = get_course_def(db.session, "dry")
        db.session.add(
            SectionVisit(user_id=learner.id, course_id=course.course_id, section_id="s2")
        )
        db.session.commit()
    content.write(2, head=HIDDEN)
    assert runner.invoke(import_cmd, []).exit_code == 0
    refused = runner.invoke(publish_cmd, ["dry"])
    assert refused.exit_code == 1
    assert "1 learner(s) opened removed section s2" in refused.stdout
    assert "nothing was published" in refused.stderr and "--allow-removal" in refused.stderr
    trainer = make_user(roles=("trainer",))
    login(client, trainer)
    assert "Ik begrijp het: toch publiceren" in client.get("/admin/courses/dry/versions").get_data(
        as_text=True
    )
    token = csrf_token(client, "/")
    client.post("/admin/courses/dry/versions/2/publish", data={"csrf_token": token})
    with app.app_context():
        assert get_course(db.session, "dry").current_version.number == 1
    client.post(
        "/admin/courses/dry/versions/2/publish",
        data={"csrf_token": token, "allow_removal": "yes"},
    )
    with app.app_context():
        assert get_course(db.session, "dry").current_version.number == 2


def test_publishing_from_the_command_line(app: Flask, content: Content) -> None:
    runner = content.configure(app).test_cli_runner()
    content.write(1, head=HIDDEN)
    assert runner.invoke(import_cmd, []).exit_code == 0
    result = runner.invoke(publish_cmd, ["dry"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "course dry: version 1 published (learners saw none)"
    assert runner.invoke(publish_cmd, ["nope"]).exit_code == 1
    again = runner.invoke(publish_cmd, ["dry"])
    assert "already published" in again.stderr
    # Setting published back to true with the same content publishes nothing new.
    content.write(1)
    assert (
        runner.invoke(import_cmd, []).stdout.splitlines()[-1] == "course dry: unchanged (version 1)"
    )


def test_the_preview_of_a_version_shows_its_own_images(
    app: Flask, client, tmp_path, make_user
) -> None:
    import shutil

    from lms.authoring.importer import import_paths
    from tests.catalog.conftest import VALID

    root = tmp_path / "valid"
    shutil.copytree(VALID, root)
    course = root / "courses" / "demo.yaml"
    course.write_text(course.read_text("utf-8").replace("enrolment: open\n", HIDDEN), "utf-8")
    app.config["LMS_COURSES_PATH"] = str(root / "courses")
    with app.app_context():
        import_paths(db.session, [root / "courses", root / "quizzes"], root / "certificates")
        db.session.commit()
    image = "/admin/courses/demo/versions/1/media/demo/img/counter.svg"
    learner = app.test_client()
    login(learner, make_user())
    assert learner.get(image).status_code == 403
    login(client, make_user(roles=("trainer",)))
    page = client.get("/admin/courses/demo/versions/1/preview/aan-het-loket")
    assert f'src="{image}"' in page.get_data(as_text=True)
    response = client.get(image)
    response.close()
    assert response.status_code == 200
    assert client.get("/admin/courses/demo/versions/1/media/demo/demo.yaml").status_code == 404
    assert client.get("/admin/courses/demo/versions/1/media/../secret.svg").status_code == 404


def test_a_scheduled_version_waits_for_its_time(app: Flask, content: Content, make_user) -> None:
    from datetime import UTC, date, datetime, timedelta

    from lms.authoring.importer import publication_moment
    from lms.catalog.models import CourseVersion

    # A day starts at midnight in Belgium (winter and summer time).
    assert publication_moment(date(2099, 1, 15)) == datetime(2099, 1, 14, 23, tzinfo=UTC)
    assert publication_moment(date(2099, 7, 15)) == datetime(2099, 7, 14, 22, tzinfo=UTC)
    runner = content.configure(app).test_cli_runner()
    content.write(1, head="publish_at: 2020-01-01\n")  # a moment past: published at once
    assert (
        runner.invoke(import_cmd, []).stdout.splitlines()[-1] == "course dry: created (version 1)"
    )
    learner = make_user()
    with app.app_context():
        course = get_course_def(db.session, "dry")
        db.session.add(
            SectionVisit(user_id=learner.id, course_id=course.course_id, section_id="s2")
        )
        db.session.commit()
    content.write(2, head="publish_at: 2099-01-15\n")
    # Scheduled counts as published: removing what a learner opened needs consent.
    assert runner.invoke(import_cmd, []).exit_code == 1
    result = runner.invoke(import_cmd, ["--allow-removal"])
    assert "course dry: new version 2 (to be published 2099-01-14 23:00 UTC)" in (
        result.stdout.splitlines()
    )
    assert runner.invoke(publish_cmd, ["--due"]).stdout == ""
    trainer = app.test_client()
    login(trainer, make_user(roles=("trainer",)))
    assert "Te publiceren op " in trainer.get("/admin/courses/dry/versions").get_data(as_text=True)
    # The trainer moves the date: the same version, rescheduled (with the same consent).
    content.write(2, head="publish_at: 2099-02-01T08:00:00+01:00\n")
    assert (
        runner.invoke(import_cmd, ["--allow-removal"])
        .stdout.splitlines()[-1]
        .startswith("course dry: unchanged (version 2)")
    )
    with app.app_context():
        version = db.session.scalar(select(CourseVersion).where(CourseVersion.number == 2))
        assert version.publish_at == datetime(2099, 2, 1, 7, tzinfo=UTC)
        assert get_course_def(db.session, "dry").version_number == 1
        version.publish_at = datetime.now(UTC) - timedelta(minutes=1)  # the time has come
        db.session.commit()
    done = runner.invoke(publish_cmd, ["--due"])
    assert done.stdout == "course dry: version 2 published (scheduled)\n"
    assert runner.invoke(publish_cmd, ["--due"]).stdout == ""
    with app.app_context():
        assert get_course_def(db.session, "dry").version_number == 2
        entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "course.published"))
        assert entry.actor_id is None and entry.details["via"] == "schedule"
