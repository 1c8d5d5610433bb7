"""merge the three feature branches of 0005 into one history

Revision ID: 0006_merge
Revises: 0005_assessment, 0005_certificates, 0005_forums_live
Create Date: 2026-12-07
"""

revision = "0006_merge"
down_revision = ("0005_assessment", "0005_certificates", "0005_forums_live")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
