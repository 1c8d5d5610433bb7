"""versions: who imported a course or bank version and what it changed

Revision ID: 0018_versions
Revises: 0017_databank
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

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


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("changes")
            batch_op.drop_column("imported_by")
