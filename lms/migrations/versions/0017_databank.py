"""databank: resources, facets, favourites, lists; full-text index per engine

Revision ID: 0017_databank
Revises: 0016_summary
Create Date: 2026-12-07

The words of published resources are rows of lms_resource_search (narrow). SQLite: an
external-content FTS5 table over its terms, kept by triggers. PostgreSQL: its vector column
(tsvector, GIN index) set by a trigger from terms with the 'simple' configuration. Note: a
later batch migration that recreates lms_resource_search on SQLite must create the three
FTS triggers again.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import lms.core.db

revision = "0017_databank"
down_revision = "0016_summary"
branch_labels = None
depends_on = None

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE lms_resource_fts USING fts5("
    "terms, content='lms_resource_search', content_rowid='resource_id')",
    "CREATE TRIGGER lms_resource_fts_ai AFTER INSERT ON lms_resource_search BEGIN "
    "INSERT INTO lms_resource_fts(rowid, terms) VALUES (new.resource_id, new.terms); END",
    "CREATE TRIGGER lms_resource_fts_ad AFTER DELETE ON lms_resource_search BEGIN "
    "INSERT INTO lms_resource_fts(lms_resource_fts, rowid, terms) "
    "VALUES ('delete', old.resource_id, old.terms); END",
    "CREATE TRIGGER lms_resource_fts_au AFTER UPDATE ON lms_resource_search BEGIN "
    "INSERT INTO lms_resource_fts(lms_resource_fts, rowid, terms) "
    "VALUES ('delete', old.resource_id, old.terms); "
    "INSERT INTO lms_resource_fts(rowid, terms) VALUES (new.resource_id, new.terms); END",
]

POSTGRES_TRIGGER = [
    "CREATE OR REPLACE FUNCTION lms_resource_search_vector() RETURNS trigger AS $$ "
    "BEGIN NEW.vector := to_tsvector('simple', coalesce(NEW.terms, '')); "
    "RETURN NEW; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER lms_resource_search_vector BEFORE INSERT OR UPDATE OF terms "
    "ON lms_resource_search FOR EACH ROW EXECUTE FUNCTION lms_resource_search_vector()",
]


def upgrade() -> None:
    op.create_table(
        "lms_resource",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("title_nl", sa.String(length=200), nullable=False),
        sa.Column("title_fr", sa.String(length=200), nullable=False),
        sa.Column("title_de", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("organisation_name", sa.String(length=120), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("target_groups", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("url_key", sa.String(length=500), nullable=True),
        sa.Column("file_stored", sa.String(length=80), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("file_type", sa.String(length=120), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("licence", sa.String(length=80), nullable=False),
        sa.Column("added", sa.Date(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", lms.core.db.UTCDateTime(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", lms.core.db.UTCDateTime(), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["lms_user.id"],
            name=op.f("fk_lms_resource_added_by_id_lms_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["lms_organisation.id"],
            name=op.f("fk_lms_resource_organisation_id_lms_organisation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["lms_user.id"],
            name=op.f("fk_lms_resource_reviewed_by_id_lms_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_resource")),
        sa.UniqueConstraint("slug", name=op.f("uq_lms_resource_slug")),
    )
    op.create_index("ix_lms_resource_added_by_id", "lms_resource", ["added_by_id"])
    op.create_index("ix_lms_resource_status", "lms_resource", ["status", "source"])
    op.create_index(
        "ix_lms_resource_url_key_live",
        "lms_resource",
        ["url_key"],
        unique=True,
        sqlite_where=sa.text("status != 'rejected' AND url_key IS NOT NULL"),
        postgresql_where=sa.text("status != 'rejected' AND url_key IS NOT NULL"),
    )
    op.create_table(
        "lms_resource_facet",
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("facet", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["lms_resource.id"],
            name=op.f("fk_lms_resource_facet_resource_id_lms_resource"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("resource_id", "facet", "value", name=op.f("pk_lms_resource_facet")),
    )
    op.create_index(
        "ix_lms_resource_facet_value", "lms_resource_facet", ["facet", "value", "resource_id"]
    )
    op.create_table(
        "lms_resource_search",
        sa.Column("resource_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column(
            "vector", sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["lms_resource.id"],
            name=op.f("fk_lms_resource_search_resource_id_lms_resource"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("resource_id", name=op.f("pk_lms_resource_search")),
    )
    op.create_index(
        "ix_lms_resource_search_vector", "lms_resource_search", ["vector"], postgresql_using="gin"
    )
    op.create_table(
        "lms_resource_favourite",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["lms_resource.id"],
            name=op.f("fk_lms_resource_favourite_resource_id_lms_resource"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["lms_user.id"],
            name=op.f("fk_lms_resource_favourite_user_id_lms_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "resource_id", name=op.f("pk_lms_resource_favourite")),
    )
    op.create_index(
        "ix_lms_resource_favourite_resource_id", "lms_resource_favourite", ["resource_id"]
    )
    op.create_table(
        "lms_resource_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", lms.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["lms_user.id"],
            name=op.f("fk_lms_resource_list_owner_id_lms_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_resource_list")),
    )
    op.create_index("ix_lms_resource_list_owner_id", "lms_resource_list", ["owner_id"])
    op.create_table(
        "lms_resource_list_item",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("added_at", lms.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["lms_resource_list.id"],
            name=op.f("fk_lms_resource_list_item_list_id_lms_resource_list"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["lms_resource.id"],
            name=op.f("fk_lms_resource_list_item_resource_id_lms_resource"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("list_id", "resource_id", name=op.f("pk_lms_resource_list_item")),
    )
    op.create_index(
        "ix_lms_resource_list_item_resource_id", "lms_resource_list_item", ["resource_id"]
    )
    statements = SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else POSTGRES_TRIGGER
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS lms_resource_fts")
    for table in (
        "lms_resource_list_item",
        "lms_resource_list",
        "lms_resource_favourite",
        "lms_resource_facet",
        "lms_resource_search",
        "lms_resource",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS lms_resource_search_vector()")
