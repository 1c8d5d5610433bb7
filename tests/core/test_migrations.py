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
