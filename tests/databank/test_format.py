"""Curated resources as code: validation with located errors, import, course references."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from lms.authoring.importer import ImportFailed, import_paths
from lms.authoring.validate import validate_paths
from lms.catalog.models import Course
from lms.core.db import db
from lms.databank.models import Resource, ResourceFacet
from tests.conftest import login
from tests.databank.conftest import FIXTURES, course_with_resources


def test_the_fixture_collection_validates():
    result = validate_paths([FIXTURES])
    assert result.diagnostics == []
    assert len(result.resources) == 8


BROKEN = """\
resource: kapot
title:
  nl: "Een kapotte handleiding"
description:
  fr: "Une description."
organisation: "Test"
type: handboek
target_groups: [everyone, iedereen]
languages: [nl]
themes: [itsme]
url: "javascript:alert(1)"
licence: "CC BY 4.0"
added: 2026-13-40
extra: 1
"""


def test_a_broken_entry_gets_located_errors(tmp_path):
    (tmp_path / "resources").mkdir()
    path = tmp_path / "resources" / "verkeerd.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    result = validate_paths([tmp_path])
    found = {(d.line, d.col, d.code) for d in result.diagnostics}
    assert (1, 11, "E311") in found  # the id differs from the file name
    assert any(d.line == 7 and d.is_error for d in result.diagnostics)  # type: handboek
    assert any(d.line == 8 and d.col == 27 for d in result.diagnostics)  # iedereen
    assert any(d.line == 11 and d.is_error for d in result.diagnostics)  # javascript: link
    assert any(d.line == 13 and d.is_error for d in result.diagnostics)  # no such date
    assert any(d.line == 14 and d.code == "E201" for d in result.diagnostics)  # unknown key
    assert any(d.code == "W507" and d.line == 3 for d in result.diagnostics)  # no French title
    for d in result.errors:
        assert d.format().startswith(f"{d.file}:{d.line}:{d.col}: ")


def test_two_files_with_one_address_are_an_error(tmp_path):
    for name in ("t-itsme-handleiding", "t-itsme-video"):
        shutil.copy(FIXTURES / f"{name}.yaml", tmp_path)
    second = tmp_path / "t-itsme-video.yaml"
    second.write_text(
        second.read_text().replace(
            "test.example.org/itsme-video", "TEST.example.org/itsme-handleiding/"
        ),
        encoding="utf-8",
    )
    result = validate_paths([tmp_path])
    assert [(d.file.endswith("t-itsme-video.yaml"), d.code, d.line) for d in result.errors] == [
        (True, "E312", 13)
    ]


def test_import_stores_resources_and_is_idempotent(app, imported):
    assert {e.status for e in imported.entries} == {"created"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Resource)) == 8
        itsme = db.session.scalar(select(Resource).where(Resource.slug == "t-itsme-handleiding"))
        assert itsme.title_fr == "itsme : guide pour débutants"
        facets = set(
            db.session.execute(
                select(ResourceFacet.facet, ResourceFacet.value).where(
                    ResourceFacet.resource_id == itsme.id
                )
            )
        )
        assert facets == {
            ("type", "manual"),
            ("group", "everyone"),
            ("group", "older_people"),
            ("language", "nl"),
            ("theme", "itsme"),
            ("organisation", "Digipunt Brugge"),
        }
        again = import_paths(db.session, [FIXTURES], certificates_dir=None)
        assert {e.status for e in again.entries} == {"unchanged"}


def test_a_course_naming_an_unknown_resource_is_rejected_with_its_position(app, tmp_path):
    course = course_with_resources(
        tmp_path / "courses", "met-materiaal", "t-itsme-video, t-bestaat-niet"
    )
    with app.app_context():
        with pytest.raises(ImportFailed) as failed:
            import_paths(db.session, [FIXTURES, course], certificates_dir=None)
        errors = [d for d in failed.value.diagnostics if d.is_error]
        assert [(d.code, d.line, d.col) for d in errors] == [("E310", 18, 44)]
        assert errors[0].format().startswith(f"{errors[0].file}:18:44: E310")
        assert "t-bestaat-niet" in errors[0].message
        # All or nothing: not even the valid resources were written.
        assert db.session.scalar(select(func.count()).select_from(Resource)) == 0
        assert db.session.scalar(select(func.count()).select_from(Course)) == 0


def test_a_course_and_its_resources_in_one_run_and_the_pages(app, client, tmp_path, make_user):
    course = course_with_resources(tmp_path / "courses", "met-materiaal", "t-itsme-video")
    with app.app_context():
        import_paths(db.session, [course, FIXTURES], certificates_dir=None)
        db.session.commit()
    # A later run that names an already imported resource validates against the database.
    other = course_with_resources(tmp_path / "more", "later", "t-vragenlijst")
    with app.app_context():
        import_paths(db.session, [other], certificates_dir=None)
        db.session.commit()
    learner = make_user()
    login(client, learner)
    page = client.get("/courses/met-materiaal")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/courses/met-materiaal/enrol", data={"csrf_token": token})
    lesson = client.get("/courses/met-materiaal/learn/s1").get_data(as_text=True)
    assert "Meer materiaal" in lesson
    assert "/databank/r/t-itsme-video" in lesson
    resource = client.get("/databank/r/t-itsme-video").get_data(as_text=True)
    assert "/courses/met-materiaal" in resource
    assert "/courses/later" not in resource


def test_a_file_in_the_resources_folder_without_its_key_is_still_a_resource(tmp_path):
    folder = tmp_path / "courses" / "resources"
    folder.mkdir(parents=True)
    (folder / "zonder-sleutel.yaml").write_text(
        (FIXTURES / "t-vragenlijst.yaml").read_text().replace("resource: t-vragenlijst", "id: x"),
        encoding="utf-8",
    )
    result = validate_paths([tmp_path])
    assert len(result.resources) == 1 and not result.courses
    assert {(d.code, d.line) for d in result.errors} == {("E202", 1), ("E201", 1)}
