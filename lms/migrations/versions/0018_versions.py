"""versions: who imported a course or bank version, what it changed, when it was published

Revision ID: 0018_versions
Revises: 0017_databank
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

import lms.core.db

revision = "0018_versions"
down_revision = "0017_databank"
branch_labels = None
depends_on = None

TABLES = ("lms_course_version", "lms_question_bank_version")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("imported_by", sa.String(length=200), nullable=True))
            batch_op.add_column(sa.Column("changes", sa.JSON(), nullable=True))
    with op.batch_alter_table("lms_course_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_at", lms.core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("publish_at", lms.core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("published_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("published_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_lms_course_version_published_by_id_lms_user"),
            "lms_user",
            ["published_by_id"],
            ["id"],
        )
    # Every version imported so far was published when it was imported.
    op.execute("UPDATE lms_course_version SET published_at = imported_at")


def downgrade() -> None:
    with op.batch_alter_table("lms_course_version", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_lms_course_version_published_by_id_lms_user"), type_="foreignkey"
        )
        batch_op.drop_column("published_by_id")
        batch_op.drop_column("published_by")
        batch_op.drop_column("publish_at")
        batch_op.drop_column("published_at")
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("changes")
            batch_op.drop_column("imported_by")
