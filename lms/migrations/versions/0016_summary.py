"""summary: the per-enrolment progress summary the reports read (lms.learning.summary)

Revision ID: 0016_summary
Revises: 0015_privacy
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

import lms.core.db

revision = "0016_summary"
down_revision = "0015_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lms_enrolment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("summary_version_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("summary_progress", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("summary_status", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("summary_modules_done", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("summary_last_completion_at", lms.core.db.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("lms_enrolment", schema=None) as batch_op:
        for name in (
            "summary_last_completion_at",
            "summary_modules_done",
            "summary_status",
            "summary_progress",
            "summary_version_id",
        ):
            batch_op.drop_column(name)
