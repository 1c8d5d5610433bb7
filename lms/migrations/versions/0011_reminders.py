"""reminders and learning plans: reminders sent (unique per enrolment, kind and key), weekly
summaries, reminder preferences; learning plans, skipped prompts, departments' suggested
learning times, the plan-prompt experiment's runs and groups, nudges sent

Revision ID: 0011_reminders
Revises: 0010_tokens
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

import lms.core.db

revision = '0011_reminders'
down_revision = '0010_tokens'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lms_department_plan_time',
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('weekdays', sa.String(length=20), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['lms_department.id'], name=op.f('fk_lms_department_plan_time_department_id_lms_department')),
    sa.ForeignKeyConstraint(['set_by_id'], ['lms_user.id'], name=op.f('fk_lms_department_plan_time_set_by_id_lms_user')),
    sa.PrimaryKeyConstraint('department_id', name=op.f('pk_lms_department_plan_time'))
    )
    op.create_table('lms_plan_experiment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('share', sa.Float(), nullable=False),
    sa.Column('started_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', lms.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('share >= 0 AND share <= 0.5', name=op.f('ck_lms_plan_experiment_share')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['lms_user.id'], name=op.f('fk_lms_plan_experiment_ended_by_id_lms_user')),
    sa.ForeignKeyConstraint(['started_by_id'], ['lms_user.id'], name=op.f('fk_lms_plan_experiment_started_by_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_plan_experiment'))
    )
    op.create_table('lms_reminder_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('voluntary', sa.String(length=8), nullable=False),
    sa.Column('updated_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("voluntary IN ('normal', 'overdue', 'none')", name=op.f('ck_lms_reminder_preference_voluntary')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_reminder_preference_user_id_lms_user')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_lms_reminder_preference'))
    )
    op.create_table('lms_reminder_summary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coordinator_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('overdue', sa.Integer(), nullable=False),
    sa.Column('created_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('mail_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['coordinator_id'], ['lms_user.id'], name=op.f('fk_lms_reminder_summary_coordinator_id_lms_user')),
    sa.ForeignKeyConstraint(['mail_id'], ['lms_outgoing_mail.id'], name=op.f('fk_lms_reminder_summary_mail_id_lms_outgoing_mail')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_reminder_summary')),
    sa.UniqueConstraint('coordinator_id', 'week', name=op.f('uq_lms_reminder_summary_coordinator_id_week'))
    )
    op.create_table('lms_learning_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('rrule', sa.String(length=120), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=16), nullable=False),
    sa.Column('place_other', sa.String(length=100), nullable=True),
    sa.Column('first_step', sa.String(length=300), nullable=False),
    sa.Column('if_then', sa.String(length=300), nullable=False),
    sa.Column('created_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("place IN ('desk', 'home', 'training_room', 'other')", name=op.f('ck_lms_learning_plan_place')),
    sa.ForeignKeyConstraint(['course_id'], ['lms_course.id'], name=op.f('fk_lms_learning_plan_course_id_lms_course')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolment.id'], name=op.f('fk_lms_learning_plan_enrolment_id_lms_enrolment')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_learning_plan_user_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_learning_plan')),
    sa.UniqueConstraint('enrolment_id', name=op.f('uq_lms_learning_plan_enrolment_id'))
    )
    with op.batch_alter_table('lms_learning_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_learning_plan_user_id'), ['user_id'], unique=False)

    op.create_table('lms_plan_group',
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('experiment_id', sa.Integer(), nullable=False),
    sa.Column('grp', sa.String(length=10), nullable=False),
    sa.Column('assigned_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("grp IN ('prompt', 'no_prompt')", name=op.f('ck_lms_plan_group_grp')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolment.id'], name=op.f('fk_lms_plan_group_enrolment_id_lms_enrolment')),
    sa.ForeignKeyConstraint(['experiment_id'], ['lms_plan_experiment.id'], name=op.f('fk_lms_plan_group_experiment_id_lms_plan_experiment')),
    sa.PrimaryKeyConstraint('enrolment_id', name=op.f('pk_lms_plan_group'))
    )
    with op.batch_alter_table('lms_plan_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_plan_group_experiment_id'), ['experiment_id'], unique=False)

    op.create_table('lms_plan_prompt_skip',
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('skipped_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolment.id'], name=op.f('fk_lms_plan_prompt_skip_enrolment_id_lms_enrolment')),
    sa.PrimaryKeyConstraint('enrolment_id', name=op.f('pk_lms_plan_prompt_skip'))
    )
    op.create_table('lms_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('due_key', sa.String(length=40), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('mail_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('before_due', 'overdue', 'manual')", name=op.f('ck_lms_reminder_kind')),
    sa.ForeignKeyConstraint(['course_id'], ['lms_course.id'], name=op.f('fk_lms_reminder_course_id_lms_course')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolment.id'], name=op.f('fk_lms_reminder_enrolment_id_lms_enrolment')),
    sa.ForeignKeyConstraint(['mail_id'], ['lms_outgoing_mail.id'], name=op.f('fk_lms_reminder_mail_id_lms_outgoing_mail')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['lms_user.id'], name=op.f('fk_lms_reminder_sent_by_id_lms_user')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_reminder_user_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_reminder')),
    sa.UniqueConstraint('enrolment_id', 'kind', 'due_key', name=op.f('uq_lms_reminder_enrolment_id_kind_due_key'))
    )
    with op.batch_alter_table('lms_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_reminder_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_reminder_user_id'), ['user_id'], unique=False)

    op.create_table('lms_plan_nudge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('occurrence_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('mail_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['mail_id'], ['lms_outgoing_mail.id'], name=op.f('fk_lms_plan_nudge_mail_id_lms_outgoing_mail')),
    sa.ForeignKeyConstraint(['plan_id'], ['lms_learning_plan.id'], name=op.f('fk_lms_plan_nudge_plan_id_lms_learning_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_plan_nudge')),
    sa.UniqueConstraint('plan_id', 'occurrence_at', name=op.f('uq_lms_plan_nudge_plan_id_occurrence_at'))
    )


def downgrade() -> None:
    op.drop_table('lms_plan_nudge')
    with op.batch_alter_table('lms_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_reminder_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_reminder_enrolment_id'))

    op.drop_table('lms_reminder')
    op.drop_table('lms_plan_prompt_skip')
    with op.batch_alter_table('lms_plan_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_plan_group_experiment_id'))

    op.drop_table('lms_plan_group')
    with op.batch_alter_table('lms_learning_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_learning_plan_user_id'))

    op.drop_table('lms_learning_plan')
    op.drop_table('lms_reminder_summary')
    op.drop_table('lms_reminder_preference')
    op.drop_table('lms_plan_experiment')
    op.drop_table('lms_department_plan_time')
