"""live sessions: edit and cancel (sequence, cancelled_at, cancel_reason)

Revision ID: 0007_live_cancel
Revises: 0006_merge
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

import lms.core.db

revision = "0007_live_cancel"
down_revision = "0006_merge"
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


def downgrade() -> None:
    with op.batch_alter_table("lms_live_session", schema=None) as batch_op:
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("sequence")
