"""monitoring: assignment rules and assignments; the terms of an enrolment (mandatory, where
its due date comes from, renewal); a person's kind (staff or volunteer)

Revision ID: 0009_monitoring
Revises: 0008_live_cancel
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

import lms.core.db

revision = "0009_monitoring"
down_revision = "0008_live_cancel"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lms_assignment_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('mandatory', sa.Boolean(), nullable=False),
    sa.Column('due_kind', sa.String(length=10), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('due_days', sa.Integer(), nullable=True),
    sa.Column('renew_on_expiry', sa.Boolean(), nullable=False),
    sa.Column('created_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', lms.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', lms.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("department_id IS NULL OR user_id IS NULL", name=op.f('ck_lms_assignment_rule_one_target')),
    sa.CheckConstraint("due_kind IN ('none', 'fixed', 'relative')", name=op.f('ck_lms_assignment_rule_due_kind')),
    sa.CheckConstraint("(due_kind = 'fixed') = (due_date IS NOT NULL)", name=op.f('ck_lms_assignment_rule_fixed_has_date')),
    sa.CheckConstraint("(due_kind = 'relative') = (due_days IS NOT NULL)", name=op.f('ck_lms_assignment_rule_relative_has_days')),
    sa.ForeignKeyConstraint(['course_id'], ['lms_course.id'], name=op.f('fk_lms_assignment_rule_course_id_lms_course')),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_user.id'], name=op.f('fk_lms_assignment_rule_created_by_id_lms_user')),
    sa.ForeignKeyConstraint(['department_id'], ['lms_department.id'], name=op.f('fk_lms_assignment_rule_department_id_lms_department')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['lms_user.id'], name=op.f('fk_lms_assignment_rule_ended_by_id_lms_user')),
    sa.ForeignKeyConstraint(['organisation_id'], ['lms_organisation.id'], name=op.f('fk_lms_assignment_rule_organisation_id_lms_organisation')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_assignment_rule_user_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_assignment_rule'))
    )
    with op.batch_alter_table('lms_assignment_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_assignment_rule_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_assignment_rule_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('lms_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', lms.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', lms.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolment.id'], name=op.f('fk_lms_assignment_enrolment_id_lms_enrolment')),
    sa.ForeignKeyConstraint(['rule_id'], ['lms_assignment_rule.id'], name=op.f('fk_lms_assignment_rule_id_lms_assignment_rule')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_assignment_user_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_assignment')),
    sa.UniqueConstraint('rule_id', 'user_id', name=op.f('uq_lms_assignment_rule_id_user_id'))
    )
    with op.batch_alter_table('lms_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_assignment_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_assignment_rule_id'), ['rule_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_assignment_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('lms_enrolment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mandatory', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('due_source', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('renews', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('lms_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='staff', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('lms_user', schema=None) as batch_op:
        batch_op.drop_column('kind')

    with op.batch_alter_table('lms_enrolment', schema=None) as batch_op:
        batch_op.drop_column('renews')
        batch_op.drop_column('due_source')
        batch_op.drop_column('mandatory')

    with op.batch_alter_table('lms_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_assignment_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_assignment_rule_id'))
        batch_op.drop_index(batch_op.f('ix_lms_assignment_enrolment_id'))

    op.drop_table('lms_assignment')
    with op.batch_alter_table('lms_assignment_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_assignment_rule_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_lms_assignment_rule_course_id'))

    op.drop_table('lms_assignment_rule')
