"""ops: claims (leases) of the mail and xAPI workers, so several can run at once

Revision ID: 0014_ops
Revises: 0013_sso
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

import lms.core.db

revision = "0014_ops"
down_revision = "0013_sso"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("lms_outgoing_mail", "lms_xapi_endpoint"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("claimed_by", sa.String(length=100), nullable=True))
            batch_op.add_column(
                sa.Column("claimed_until", lms.core.db.UTCDateTime(timezone=True), nullable=True)
            )


def downgrade() -> None:
    for table in ("lms_xapi_endpoint", "lms_outgoing_mail"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("claimed_until")
            batch_op.drop_column("claimed_by")
