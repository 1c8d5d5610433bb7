"""Alembic environment: runs against the LMS engine handed over in the config attributes.

SQLite: a migration in batch mode rebuilds a table (copy, drop, rename). Dropping a table that
other tables refer to fails while foreign keys are enforced, so they are switched off for the
run, which SQLite allows only outside a transaction, and every reference is checked with
``PRAGMA foreign_key_check`` before the migration commits: a broken one undoes it.
"""

from alembic import context

import lms.models  # noqa: F401  (registers every table on the metadata)
from lms.core.db import Base
from lms.core.migrate import VERSION_TABLE, is_modelled_table

config = context.config
engine = config.attributes["engine"]


def run(connection) -> None:
    with connection.begin():
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            version_table=VERSION_TABLE,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_name=lambda name, type_, _parent: type_ != "table" or is_modelled_table(name),
        )
        with context.begin_transaction():
            context.run_migrations()
        if connection.dialect.name == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration broke references: {broken[:5]}")


with engine.connect() as connection:
    if connection.dialect.name != "sqlite":
        run(connection)
    else:
        raw = connection.connection.dbapi_connection  # no transaction has begun yet
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            run(connection)
        finally:
            raw.execute("PRAGMA foreign_keys=ON")
