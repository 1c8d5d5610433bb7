"""overview: an organisation's level (replacing its kind) and what it is part of; counter
labels; report snapshots for audits

Revision ID: 0012_overview
Revises: 0011_reminders
Create Date: 2026-12-12
"""

import sqlalchemy as sa
from alembic import op

import lms.core.db

revision = "0012_overview"
down_revision = '0011_reminders'
branch_labels = None
depends_on = None

LEVELS = "'federal', 'region', 'province', 'municipality', 'agency', 'other'"


def upgrade() -> None:
    # The kind (municipality, agency, other) becomes the level, which has the same values
    # and more (federal, region, province).
    with op.batch_alter_table("lms_organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("level", sa.String(length=20), nullable=False, server_default="municipality")
        )
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE lms_organisation SET level = kind WHERE kind IN ('municipality', 'agency', 'other')"
    )
    with op.batch_alter_table("lms_organisation", schema=None) as batch_op:
        batch_op.alter_column("level", server_default=None)
        batch_op.drop_column("kind")
        batch_op.create_index(batch_op.f("ix_lms_organisation_parent_id"), ["parent_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_lms_organisation_parent_id_lms_organisation"),
            "lms_organisation",
            ["parent_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            op.f("ck_lms_organisation_known_level"), sa.text(f"level IN ({LEVELS})")
        )
        batch_op.create_check_constraint(
            op.f("ck_lms_organisation_not_own_parent"),
            sa.text("parent_id IS NULL OR parent_id <> id"),
        )

    op.create_table(
        "lms_counter_label",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("warned_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("created_at", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "warned_on IS NULL OR warned_on >= granted_on",
            name=op.f("ck_lms_counter_label_warned_after_grant"),
        ),
        sa.CheckConstraint(
            "withdrawn_on IS NULL OR withdrawn_on >= granted_on",
            name=op.f("ck_lms_counter_label_withdrawn_after_grant"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["lms_course.id"], name=op.f("fk_lms_counter_label_course_id_lms_course")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["lms_department.id"],
            name=op.f("fk_lms_counter_label_department_id_lms_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_counter_label")),
        sa.UniqueConstraint("code", name=op.f("uq_lms_counter_label_code")),
    )
    with op.batch_alter_table("lms_counter_label", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_counter_label_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index(
            "uq_lms_counter_label_open",
            ["department_id"],
            unique=True,
            sqlite_where=sa.text("withdrawn_on IS NULL"),
            postgresql_where=sa.text("withdrawn_on IS NULL"),
        )

    op.create_table(
        "lms_report_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("organisation_name", sa.String(length=200), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("generated_at", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("dashboard", sa.JSON(), nullable=False),
        sa.Column("people", sa.JSON(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["lms_organisation.id"],
            name=op.f("fk_lms_report_snapshot_organisation_id_lms_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_report_snapshot")),
        sa.UniqueConstraint(
            "organisation_id", "period", name=op.f("uq_lms_report_snapshot_organisation_id_period")
        ),
    )
    with op.batch_alter_table("lms_report_snapshot", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_report_snapshot_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("lms_report_snapshot")
    op.drop_table("lms_counter_label")
    with op.batch_alter_table("lms_organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), nullable=False, server_default="municipality")
        )
    op.execute(
        "UPDATE lms_organisation SET kind = CASE WHEN level IN ('agency', 'other') "
        "THEN level ELSE 'municipality' END"
    )
    with op.batch_alter_table("lms_organisation", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)
        batch_op.drop_constraint(op.f("ck_lms_organisation_not_own_parent"), type_="check")
        batch_op.drop_constraint(op.f("ck_lms_organisation_known_level"), type_="check")
        batch_op.drop_constraint(
            op.f("fk_lms_organisation_parent_id_lms_organisation"), type_="foreignkey"
        )
        batch_op.drop_index(op.f("ix_lms_organisation_parent_id"))
        batch_op.drop_column("parent_id")
        batch_op.drop_column("level")
