"""certification: one index that answers what the national overview asks of certificates

Revision ID: 0021_certificate_facts
Revises: 0020_lti
Create Date: 2026-12-07

The overview reads, per course and person, the first completion of a certificate not all
revoked (the targets) and whether a valid one is current or past its last day (the counts).
With (course_id, user_id, status, completed_at, valid_until) both are read from the index
alone, in the order they are grouped, instead of from the certificate rows with their signed
documents (at 100,000 learners: 27,000 rows scattered over a large file).
"""

from alembic import op

revision = "0021_certificate_facts"
down_revision = "0020_lti"
branch_labels = None
depends_on = None

COLUMNS = ["course_id", "user_id", "status", "completed_at", "valid_until"]


def upgrade() -> None:
    op.create_index("ix_lms_certificate_facts", "lms_certificate", COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_lms_certificate_facts", table_name="lms_certificate")
