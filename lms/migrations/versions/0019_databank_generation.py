"""databank: a token that changes with every change to the searchable resources

Revision ID: 0019_databank_generation
Revises: 0018_versions
Create Date: 2026-12-07

lms_databank_generation holds one row whose token takes a new random value, by trigger, in
every transaction that changes a resource, a facet row or a search row. Each worker keeps its
copy of the facets and orderings (lms/databank/index.py) while the token it reads is the one
it built them at. Random rather than counted, so that a rolled-back or emptied table never
gives an old value back for other data. Note: a later batch migration that recreates one of
the three tables on SQLite must create its triggers again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_databank_generation"
down_revision = "0018_versions"
branch_labels = None
depends_on = None

TABLES = ("lms_resource", "lms_resource_facet", "lms_resource_search")
EVENTS = ("INSERT", "UPDATE", "DELETE")

SQLITE_BUMP = (
    "INSERT INTO lms_databank_generation (id, token) VALUES (1, random()) "
    "ON CONFLICT (id) DO UPDATE SET token = excluded.token"
)
POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION lms_databank_bump() RETURNS trigger AS $$ BEGIN "
    "INSERT INTO lms_databank_generation (id, token) "
    "VALUES (1, (random() * 9.0e18)::bigint) "
    "ON CONFLICT (id) DO UPDATE SET token = excluded.token; "
    "RETURN NULL; END $$ LANGUAGE plpgsql"
)


def upgrade() -> None:
    op.create_table(
        "lms_databank_generation",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_databank_generation")),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(SQLITE_BUMP)
        for table in TABLES:
            for event in EVENTS:
                op.execute(
                    f"CREATE TRIGGER {table}_generation_{event.lower()} AFTER {event} ON {table} "
                    f"BEGIN {SQLITE_BUMP}; END"
                )
    else:
        op.execute(POSTGRES_FUNCTION)
        op.execute(
            "INSERT INTO lms_databank_generation (id, token) "
            "VALUES (1, (random() * 9.0e18)::bigint)"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION lms_databank_bump()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_generation_{event.lower()}")
    else:
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_generation ON {table}")
        op.execute("DROP FUNCTION IF EXISTS lms_databank_bump()")
    op.drop_table("lms_databank_generation")
