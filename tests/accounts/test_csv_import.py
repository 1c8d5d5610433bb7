"""Importing people from CSV: every problem by row and column, and all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.core.db import db
from lms.organisations.people_import import CsvImportError, import_users

GOOD = """full_name,email,organisation,department,roles,language
Els Peeters,els@depanne.be,De Panne,Onthaal,learner,nl
An Vermeulen,an@depanne.be,De Panne,Burgerzaken,learner;manager,nl
Sophie Dubois,sophie@depanne.be,de-panne,,learner,fr
"""


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_import_creates_everyone_with_roles(app, make_organisation):
    org = make_organisation("De Panne")
    with app.app_context():
        users = import_users(db.session, GOOD.encode())
        db.session.commit()
        assert [u.full_name for u in users] == ["Els Peeters", "An Vermeulen", "Sophie Dubois"]
        an = users[1]
        assert an.roles == {"learner", "manager"} and an.managed_organisation_ids == {org.id}
        assert an.department.name == "Burgerzaken"
        assert users[2].preferred_language == "fr" and users[2].organisation_id == org.id


def test_one_bad_row_imports_nothing(app, make_organisation):
    make_organisation("De Panne")
    bad = GOOD + "Pieter Maes,pieter@koksijde.be,Koksijde,Onthaal,learner,nl\n"
    before = _count(app)
    with app.app_context(), pytest.raises(CsvImportError) as caught:
        import_users(db.session, bad.encode())
    assert [(p.row, p.column) for p in caught.value.problems] == [(5, "organisation")]
    assert "Koksijde" in caught.value.problems[0].message
    assert _count(app) == before


def test_every_problem_is_reported_with_row_and_column(app, make_organisation):
    make_organisation("De Panne")
    text = (
        "\ufefffull_name;email;organisation;department;roles;language\n"  # Excel: BOM and ;
        ";nameless@depanne.be;De Panne;;learner;nl\n"  # row 2: no name
        "Els;not-an-email;De Panne;;learner;nl\n"  # row 3: email
        "Tom;tom@depanne.be;De Panne;Kelder;learner;nl\n"  # row 4: department
        "Nadia;nadia@depanne.be;De Panne;;learner;manager;nl\n"  # row 5: extra column
        "Bart;tom@depanne.be;De Panne;;boss;xx\n"  # row 6: dup, role, lang
    )
    with app.app_context(), pytest.raises(CsvImportError) as caught:
        import_users(db.session, text.encode())
    found = {(p.row, p.column) for p in caught.value.problems}
    assert {
        (2, "full_name"),
        (3, "email"),
        (4, "department"),
        (6, "email"),
        (6, "roles"),
        (6, "language"),
    } <= found
    assert any(p.row == 5 for p in caught.value.problems)


def test_unknown_and_missing_columns(app):
    with app.app_context(), pytest.raises(CsvImportError) as caught:
        import_users(db.session, b"naam,email\nEls,els@example.be\n")
    columns = {(p.row, p.column) for p in caught.value.problems}
    assert columns == {(1, "full_name"), (1, "naam")}


def test_cli_import_reports_and_writes_nothing(app, make_organisation, tmp_path):
    make_organisation("De Panne")
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(GOOD + "Pieter,pieter@x.be,Nowhere,,learner,nl\n", encoding="utf-8")
    before = _count(app)
    result = app.test_cli_runner().invoke(args=["lms", "users", "import", str(csv_file)])
    assert result.exit_code == 1
    assert f"{csv_file}:row 5, column organisation:" in result.output
    assert "nobody was imported" in result.output
    assert _count(app) == before
    csv_file.write_text(GOOD, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["lms", "users", "import", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert _count(app) == before + 3


def test_cli_create_user(app, make_organisation):
    make_organisation("Koksijde")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "lms",
            "users",
            "create",
            "--name",
            "Bart Wouters",
            "--email",
            "bart@koksijde.be",
            "--organisation",
            "Koksijde",
            "--role",
            "learner",
            "--role",
            "manager",
            "--password",
            "een goed wachtwoord",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "learner, manager" in result.output
    weak = runner.invoke(
        args=["lms", "users", "create", "--name", "X", "--email", "x@x.be", "--password", "short"]
    )
    assert weak.exit_code == 2 and "at least 10" in weak.output
