"""privacy: erased people and certificates of erased holders; the audit log is append-only
on PostgreSQL (a trigger)

Revision ID: 0015_privacy
Revises: 0014_ops
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

import lms.core.db

revision = "0015_privacy"
down_revision = "0014_ops"
branch_labels = None
depends_on = None

#: The trigger refuses UPDATE and DELETE on the audit log, except inside a transaction that
#: declared the erasure path (``SET LOCAL lms.audit_erasure = 'on'``, lms.core.audit).
TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION lms_audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('lms.audit_erasure', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    with op.batch_alter_table("lms_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", lms.core.db.UTCDateTime(), nullable=True))
    with op.batch_alter_table("lms_certificate", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("holder_erased_at", lms.core.db.UTCDateTime(), nullable=True)
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(TRIGGER_FUNCTION)
        op.execute(
            "CREATE TRIGGER lms_audit_event_append_only BEFORE UPDATE OR DELETE "
            "ON lms_audit_event FOR EACH ROW EXECUTE FUNCTION lms_audit_event_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS lms_audit_event_append_only ON lms_audit_event")
        op.execute("DROP FUNCTION IF EXISTS lms_audit_event_append_only()")
    with op.batch_alter_table("lms_certificate", schema=None) as batch_op:
        batch_op.drop_column("holder_erased_at")
    with op.batch_alter_table("lms_user", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
