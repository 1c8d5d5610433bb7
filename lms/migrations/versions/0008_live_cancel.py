"""live sessions: edit and cancel (sequence, cancelled_at, cancel_reason); forum reports: one
open report per person and post

Revision ID: 0008_live_cancel
Revises: 0007_sessions
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

import lms.core.db

revision = "0008_live_cancel"
down_revision = "0007_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lms_live_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sequence", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("cancelled_at", lms.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("cancel_reason", sa.Text(), server_default="", nullable=False)
        )
    # Repeated open reports of a post by the same person (possible before this revision)
    # are closed, keeping the first, so that the unique index can be built.
    op.execute(
        """
        UPDATE lms_forum_report SET resolved_at = created_at
        WHERE resolved_at IS NULL AND EXISTS (
            SELECT 1 FROM lms_forum_report AS earlier
            WHERE earlier.post_id = lms_forum_report.post_id
              AND earlier.reporter_id = lms_forum_report.reporter_id
              AND earlier.resolved_at IS NULL
              AND earlier.id < lms_forum_report.id
        )
        """
    )
    with op.batch_alter_table("lms_forum_report", schema=None) as batch_op:
        batch_op.create_index(
            "uq_lms_forum_report_open",
            ["post_id", "reporter_id"],
            unique=True,
            sqlite_where=sa.text("resolved_at IS NULL"),
            postgresql_where=sa.text("resolved_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("lms_forum_report", schema=None) as batch_op:
        batch_op.drop_index("uq_lms_forum_report_open")
    with op.batch_alter_table("lms_live_session", schema=None) as batch_op:
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("sequence")
