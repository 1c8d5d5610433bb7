"""sso: organisations that sign in with their own OpenID provider (and their e-mail domains);
per-login-name back-off after failed sign-ins

Revision ID: 0013_sso
Revises: 0012_overview
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

import lms.core.db

revision = "0013_sso"
down_revision = "0012_overview"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lms_organisation_sso",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("create_accounts", sa.Boolean(), nullable=False),
        sa.Column("passwords_off", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["lms_organisation.id"],
            name=op.f("fk_lms_organisation_sso_organisation_id_lms_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_organisation_sso")),
        sa.UniqueConstraint(
            "organisation_id", name=op.f("uq_lms_organisation_sso_organisation_id")
        ),
    )
    op.create_table(
        "lms_sso_domain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sso_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.ForeignKeyConstraint(
            ["sso_id"],
            ["lms_organisation_sso.id"],
            name=op.f("fk_lms_sso_domain_sso_id_lms_organisation_sso"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_sso_domain")),
        sa.UniqueConstraint("domain", name=op.f("uq_lms_sso_domain_domain")),
    )
    with op.batch_alter_table("lms_sso_domain", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lms_sso_domain_sso_id"), ["sso_id"], unique=False)
    op.create_table(
        "lms_login_backoff",
        sa.Column("login", sa.String(length=254), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("wait_until", lms.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("login", name=op.f("pk_lms_login_backoff")),
    )


def downgrade() -> None:
    op.drop_table("lms_login_backoff")
    with op.batch_alter_table("lms_sso_domain", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_sso_domain_sso_id"))
    op.drop_table("lms_sso_domain")
    op.drop_table("lms_organisation_sso")
