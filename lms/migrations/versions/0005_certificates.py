"""certificates: signing keys, certificates, stored PDFs

Revision ID: 0005_certificates
Revises: 0004_xapi
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

import lms.core.db

revision = "0005_certificates"
down_revision = "0004_xapi"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lms_certificate_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kid", sa.String(length=32), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", lms.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_certificate_key")),
        sa.UniqueConstraint("kid", name=op.f("uq_lms_certificate_key_kid")),
    )
    op.create_table(
        "lms_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", lms.core.db.UUIDString(length=36), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("edition", sa.Integer(), nullable=False),
        sa.Column("course_version_id", sa.Integer(), nullable=False),
        sa.Column("course_version", sa.Integer(), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("course_title", sa.String(length=300), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("completed_at", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_at", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("revoked_at", lms.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=True),
        sa.Column("replaced_at", lms.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('valid', 'revoked', 'replaced')",
            name=op.f("ck_lms_certificate_known_status"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["lms_course.id"], name=op.f("fk_lms_certificate_course_id_lms_course")
        ),
        sa.ForeignKeyConstraint(
            ["course_version_id"],
            ["lms_course_version.id"],
            name=op.f("fk_lms_certificate_course_version_id_lms_course_version"),
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["lms_user.id"], name=op.f("fk_lms_certificate_issued_by_id_lms_user")
        ),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["lms_certificate_key.id"],
            name=op.f("fk_lms_certificate_key_id_lms_certificate_key"),
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["lms_certificate.id"],
            name=op.f("fk_lms_certificate_replaced_by_id_lms_certificate"),
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["lms_user.id"],
            name=op.f("fk_lms_certificate_revoked_by_id_lms_user"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["lms_user.id"], name=op.f("fk_lms_certificate_user_id_lms_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_certificate")),
        sa.UniqueConstraint("code", name=op.f("uq_lms_certificate_code")),
        sa.UniqueConstraint("public_id", name=op.f("uq_lms_certificate_public_id")),
        sa.UniqueConstraint(
            "user_id",
            "course_id",
            "edition",
            name=op.f("uq_lms_certificate_user_id_course_id_edition"),
        ),
    )
    with op.batch_alter_table("lms_certificate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_certificate_course_id"), ["course_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_lms_certificate_user_id"), ["user_id"], unique=False)

    op.create_table(
        "lms_certificate_file",
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rendered_at", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["lms_certificate.id"],
            name=op.f("fk_lms_certificate_file_certificate_id_lms_certificate"),
        ),
        sa.PrimaryKeyConstraint("certificate_id", name=op.f("pk_lms_certificate_file")),
    )


def downgrade() -> None:
    op.drop_table("lms_certificate_file")
    with op.batch_alter_table("lms_certificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_certificate_user_id"))
        batch_op.drop_index(batch_op.f("ix_lms_certificate_course_id"))
    op.drop_table("lms_certificate")
    op.drop_table("lms_certificate_key")
