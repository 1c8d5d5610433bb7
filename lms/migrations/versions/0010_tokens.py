"""tokens: single-use invitation and password-reset links (only their hashes are stored)

Revision ID: 0010_tokens
Revises: 0009_monitoring
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

import lms.core.db

revision = "0010_tokens"
down_revision = "0009_monitoring"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lms_account_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", lms.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "purpose IN ('invitation', 'reset')", name=op.f("ck_lms_account_token_purpose")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["lms_user.id"],
            name=op.f("fk_lms_account_token_created_by_id_lms_user"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["lms_user.id"], name=op.f("fk_lms_account_token_user_id_lms_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_account_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_lms_account_token_token_hash")),
    )
    with op.batch_alter_table("lms_account_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_account_token_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("lms_account_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_account_token_user_id"))
    op.drop_table("lms_account_token")
