"""Alembic environment: runs against the LMS engine handed over in the config attributes."""

from alembic import context

import lms.models  # noqa: F401  (registers every table on the metadata)
from lms.core.db import Base
from lms.core.migrate import VERSION_TABLE, is_modelled_table

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
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
