"""assessment: test attempts with their snapshot, answers, accommodations

Revision ID: 0005_assessment
Revises: 0004_xapi
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

import lms.core.db

revision = "0005_assessment"
down_revision = "0004_xapi"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lms_test_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("course_version_id", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("started_at", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", lms.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_saved_at", lms.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", lms.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=10), nullable=True),
        sa.Column("raw_score", sa.Float(), nullable=True),
        sa.Column("max_score", sa.Float(), nullable=True),
        sa.Column("scaled_score", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'submitted')", name=op.f("ck_lms_test_attempt_status")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["lms_course.id"], name=op.f("fk_lms_test_attempt_course_id_lms_course")
        ),
        sa.ForeignKeyConstraint(
            ["course_version_id"],
            ["lms_course_version.id"],
            name=op.f("fk_lms_test_attempt_course_version_id_lms_course_version"),
        ),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["lms_enrolment.id"],
            name=op.f("fk_lms_test_attempt_enrolment_id_lms_enrolment"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["lms_user.id"], name=op.f("fk_lms_test_attempt_user_id_lms_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_test_attempt")),
        sa.UniqueConstraint(
            "user_id",
            "course_id",
            "activity_id",
            "number",
            name=op.f("uq_lms_test_attempt_user_id_course_id_activity_id_number"),
        ),
    )
    with op.batch_alter_table("lms_test_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_test_attempt_course_id"), ["course_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_lms_test_attempt_enrolment_id"), ["enrolment_id"], unique=False
        )

    op.create_table(
        "lms_test_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("bank", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("response", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("saved_at", lms.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["lms_test_attempt.id"],
            name=op.f("fk_lms_test_answer_attempt_id_lms_test_attempt"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_test_answer")),
        sa.UniqueConstraint(
            "attempt_id", "position", name=op.f("uq_lms_test_answer_attempt_id_position")
        ),
    )

    op.create_table(
        "lms_test_accommodation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("extra_time_percent", sa.Integer(), nullable=False),
        sa.Column("no_time_limit", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["lms_user.id"],
            name=op.f("fk_lms_test_accommodation_updated_by_id_lms_user"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["lms_user.id"], name=op.f("fk_lms_test_accommodation_user_id_lms_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_test_accommodation")),
        sa.UniqueConstraint("user_id", name=op.f("uq_lms_test_accommodation_user_id")),
    )


def downgrade() -> None:
    op.drop_table("lms_test_accommodation")
    op.drop_table("lms_test_answer")
    with op.batch_alter_table("lms_test_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_test_attempt_enrolment_id"))
        batch_op.drop_index(batch_op.f("ix_lms_test_attempt_course_id"))
    op.drop_table("lms_test_attempt")
