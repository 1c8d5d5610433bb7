"""lti: LTI 1.3 platform registrations and deployments, launched people, used nonces,
grade links and the score outbox

Revision ID: 0020_lti
Revises: 0019_databank_generation
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

import lms.core.db

revision = "0020_lti"
down_revision = "0019_databank_generation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lms_lti_nonce",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("nonce", sa.String(length=255), nullable=False),
        sa.Column("used_at", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_lti_nonce")),
        sa.UniqueConstraint("issuer", "nonce", name=op.f("uq_lms_lti_nonce_issuer_nonce")),
    )
    with op.batch_alter_table("lms_lti_nonce", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lms_lti_nonce_used_at"), ["used_at"], unique=False)

    op.create_table(
        "lms_lti_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("auth_login_url", sa.String(length=1000), nullable=False),
        sa.Column("auth_token_url", sa.String(length=1000), nullable=False),
        sa.Column("key_set_url", sa.String(length=1000), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["lms_organisation.id"],
            name=op.f("fk_lms_lti_registration_organisation_id_lms_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_lti_registration")),
        sa.UniqueConstraint(
            "issuer", "client_id", name=op.f("uq_lms_lti_registration_issuer_client_id")
        ),
    )
    with op.batch_alter_table("lms_lti_registration", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_lti_registration_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "lms_lti_deployment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["lms_lti_registration.id"],
            name=op.f("fk_lms_lti_deployment_registration_id_lms_lti_registration"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_lti_deployment")),
        sa.UniqueConstraint(
            "registration_id",
            "deployment_id",
            name=op.f("uq_lms_lti_deployment_registration_id_deployment_id"),
        ),
    )
    op.create_table(
        "lms_lti_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["lms_user.id"], name=op.f("fk_lms_lti_account_user_id_lms_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_lti_account")),
        sa.UniqueConstraint("issuer", "subject", name=op.f("uq_lms_lti_account_issuer_subject")),
    )
    with op.batch_alter_table("lms_lti_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lms_lti_account_user_id"), ["user_id"], unique=False)

    op.create_table(
        "lms_lti_grade_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.String(length=64), nullable=True),
        sa.Column("resource_link_id", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("lineitem_url", sa.String(length=1000), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("updated_at", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["lms_course.id"],
            name=op.f("fk_lms_lti_grade_link_course_id_lms_course"),
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["lms_lti_registration.id"],
            name=op.f("fk_lms_lti_grade_link_registration_id_lms_lti_registration"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["lms_user.id"], name=op.f("fk_lms_lti_grade_link_user_id_lms_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_lti_grade_link")),
        sa.UniqueConstraint(
            "registration_id",
            "user_id",
            "resource_link_id",
            name=op.f("uq_lms_lti_grade_link_registration_id_user_id_resource_link_id"),
        ),
    )
    with op.batch_alter_table("lms_lti_grade_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_lti_grade_link_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "lms_lti_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grade_link_id", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("timestamp", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", lms.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", lms.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_until", lms.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["grade_link_id"],
            ["lms_lti_grade_link.id"],
            name=op.f("fk_lms_lti_score_grade_link_id_lms_lti_grade_link"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_lti_score")),
    )
    with op.batch_alter_table("lms_lti_score", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_lti_score_grade_link_id"), ["grade_link_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_lms_lti_score_sent_at"), ["sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lms_lti_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_lti_score_sent_at"))
        batch_op.drop_index(batch_op.f("ix_lms_lti_score_grade_link_id"))

    op.drop_table("lms_lti_score")
    with op.batch_alter_table("lms_lti_grade_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_lti_grade_link_user_id"))

    op.drop_table("lms_lti_grade_link")
    with op.batch_alter_table("lms_lti_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_lti_account_user_id"))

    op.drop_table("lms_lti_account")
    op.drop_table("lms_lti_deployment")
    with op.batch_alter_table("lms_lti_registration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_lti_registration_organisation_id"))

    op.drop_table("lms_lti_registration")
    with op.batch_alter_table("lms_lti_nonce", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_lti_nonce_used_at"))

    op.drop_table("lms_lti_nonce")
