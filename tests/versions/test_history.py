"""The version history: each course's versions, who imported them and what they changed."""

from __future__ import annotations

from flask import Flask

from lms.versions.cli import import_cmd
from tests.conftest import login
from tests.versions.conftest import Content


def test_trainers_read_each_version_with_its_change_summary(
    app: Flask, client, content: Content, make_user
) -> None:
    runner = content.configure(app).test_cli_runner()
    content.write(1)
    assert runner.invoke(import_cmd, []).exit_code == 0
    content.write(2)
    assert runner.invoke(import_cmd, []).exit_code == 0
    login(client, make_user(roles=("trainer",)))
    listing = client.get("/admin/courses/").get_data(as_text=True)
    assert 'href="/admin/courses/dry/versions"' in listing
    page = client.get("/admin/courses/dry/versions")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # Newest first; the version learners see is marked.
    assert html.index("Versie 2") < html.index("Versie 1")
    assert html.count("<dd>lms import</dd>") == 2  # imported by
    assert html.count("(lms import)</dd>") == 2  # published by the import
    assert "Secties verwijderd: s2, s5" in html
    assert "Secties verplaatst: s4" in html
    assert "Modules verwijderd: m2" in html
    assert "De eerste versie van de opleiding." in html
    assert html.count("Deelnemers zien deze versie") == 1


def test_only_trainers_and_administrators(app: Flask, client, content: Content, make_user) -> None:
    content.write(1)
    assert content.configure(app).test_cli_runner().invoke(import_cmd, []).exit_code == 0
    assert client.get("/admin/courses/dry/versions").status_code == 302  # to the login page
    login(client, make_user())
    assert client.get("/admin/courses/").status_code == 403
    assert client.get("/admin/courses/dry/versions").status_code == 403
    admin = app.test_client()
    login(admin, make_user(roles=("admin",)))
    assert admin.get("/admin/courses/dry/versions").status_code == 200
    assert admin.get("/admin/courses/nope/versions").status_code == 404
