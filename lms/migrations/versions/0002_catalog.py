"""catalog: courses and question banks with immutable versions; section visits

Revision ID: 0002_catalog
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

import lms.core.db

revision = "0002_catalog"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def _identity(table: str) -> None:
    """A course or bank: its slug, and (added below) a pointer to its current version."""
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("current_version_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.UniqueConstraint("slug", name=f"uq_{table}_slug"),
    )


def _versions(table: str, owner_table: str, owner_column: str) -> None:
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(owner_column, sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("imported_at", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            [owner_column], [f"{owner_table}.id"], name=f"fk_{table}_{owner_column}_{owner_table}"
        ),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.UniqueConstraint(owner_column, "number", name=f"uq_{table}_{owner_column}_number"),
    )


#: Names of the keys from a course or bank to its current version (the bank's conventional name
#: would exceed PostgreSQL's 63 characters).
CURRENT_VERSION_FKS = {
    "lms_course": "fk_lms_course_current_version_id_lms_course_version",
    "lms_question_bank": "fk_lms_question_bank_current_version_id",
}


def _current_version_fk(table: str, version_table: str) -> None:
    # Courses and versions refer to each other, so this key can only come after both tables.
    with op.batch_alter_table(table) as batch_op:
        batch_op.create_foreign_key(
            CURRENT_VERSION_FKS[table],
            version_table,
            ["current_version_id"],
            ["id"],
        )


def upgrade() -> None:
    _identity("lms_course")
    _versions("lms_course_version", "lms_course", "course_id")
    _current_version_fk("lms_course", "lms_course_version")

    _identity("lms_question_bank")
    _versions("lms_question_bank_version", "lms_question_bank", "bank_id")
    _current_version_fk("lms_question_bank", "lms_question_bank_version")

    op.create_table(
        "lms_section_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.String(length=64), nullable=False),
        sa.Column("first_visited_at", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_visited_at", lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["lms_course.id"], name="fk_lms_section_visit_course_id_lms_course"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["lms_user.id"], name="fk_lms_section_visit_user_id_lms_user"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_lms_section_visit"),
        sa.UniqueConstraint(
            "user_id",
            "course_id",
            "section_id",
            name="uq_lms_section_visit_user_id_course_id_section_id",
        ),
    )
    with op.batch_alter_table("lms_section_visit") as batch_op:
        batch_op.create_index("ix_lms_section_visit_course_id", ["course_id"], unique=False)


def downgrade() -> None:
    op.drop_table("lms_section_visit")
    for table in ("lms_question_bank", "lms_course"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(CURRENT_VERSION_FKS[table], type_="foreignkey")
    op.drop_table("lms_question_bank_version")
    op.drop_table("lms_question_bank")
    op.drop_table("lms_course_version")
    op.drop_table("lms_course")
