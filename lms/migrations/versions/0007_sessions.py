"""sessions: a per-person session generation (logout and password changes end sessions)

Revision ID: 0007_sessions
Revises: 0006_merge
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_sessions"
down_revision = "0006_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lms_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("lms_user", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
