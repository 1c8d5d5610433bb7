"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import lms.models  # noqa: F401
from lms.core.db import Base
from lms.core.migrate import VERSION_TABLE, is_modelled_table


def test_migrated_schema_matches_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "version_table": VERSION_TABLE,
                "compare_type": True,
                "include_name": lambda name, type_, _p: type_ != "table" or is_modelled_table(name),
            },
        )
        assert compare_metadata(context, Base.metadata) == []


def test_every_table_is_prefixed():
    assert all(name.startswith("lms_") for name in Base.metadata.tables)


def test_the_history_has_one_head():
    """A second head means two migrations revise the same parent: merge them first."""
    from alembic.script import ScriptDirectory

    from lms.core.migrate import MIGRATIONS_DIR

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    assert len(script.get_heads()) == 1, script.get_heads()


def test_a_sqlite_database_with_data_goes_down_and_up_again(tmp_path):
    """Batch migrations rebuild tables that others refer to (0018 rebuilds the course
    versions, which courses point at): on a database with data that needs the foreign keys
    off during the run, and every reference is checked before the commit. Nothing is lost."""
    from alembic import command
    from sqlalchemy import text

    from lms.app import create_app
    from lms.authoring.importer import import_paths
    from lms.core.db import db
    from lms.core.migrate import alembic_config, current_revision, upgrade
    from tests.learning.conftest import course_yaml

    app = create_app(
        {
            "LMS_INSTANCE_PATH": str(tmp_path / "instance"),
            "LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'lms.sqlite3'}",
            "LMS_DEMO": "no",
        }
    )
    upgrade(app)
    head = current_revision(app)
    course = tmp_path / "courses" / "mig.yaml"
    course.parent.mkdir()
    course.write_text(course_yaml("mig", 1, lessons=1, sections=2), encoding="utf-8")
    with app.app_context():
        import_paths(db.session, [course], certificates_dir=None)
        db.session.commit()
    engine = app.extensions["lms"].engine

    def facts():
        with engine.connect() as conn:
            return (
                conn.execute(text("SELECT id, course_id FROM lms_course_version")).all(),
                conn.execute(text("SELECT slug, current_version_id FROM lms_course")).all(),
            )

    before = facts()
    assert before[0] and before[1][0][1] is not None
    with app.app_context():
        command.downgrade(alembic_config(app), "0017_databank")
        assert facts() == before
        upgrade(app)
    assert current_revision(app) == head
    assert facts() == before
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # on again
    engine.dispose()
