"""forums and live sessions: threads, posts, read markers, follows, reports, progress;
session dates and registrations

Revision ID: 0005_forums_live
Revises: 0004_xapi
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

import lms.core.db

revision = "0005_forums_live"
down_revision = "0004_xapi"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lms_forum_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.String(length=64), nullable=False),
    sa.Column('posts', sa.Integer(), nullable=False),
    sa.Column('required_posts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['lms_course.id'], name=op.f('fk_lms_forum_progress_course_id_lms_course')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_forum_progress_user_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_forum_progress')),
    sa.UniqueConstraint('user_id', 'course_id', 'activity_id', name=op.f('uq_lms_forum_progress_user_id_course_id_activity_id'))
    )
    with op.batch_alter_table('lms_forum_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_forum_progress_course_id'), ['course_id'], unique=False)

    op.create_table('lms_forum_thread',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.String(length=64), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_post_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('hidden_at', lms.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['lms_user.id'], name=op.f('fk_lms_forum_thread_author_id_lms_user')),
    sa.ForeignKeyConstraint(['course_id'], ['lms_course.id'], name=op.f('fk_lms_forum_thread_course_id_lms_course')),
    sa.ForeignKeyConstraint(['organisation_id'], ['lms_organisation.id'], name=op.f('fk_lms_forum_thread_organisation_id_lms_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_forum_thread'))
    )
    with op.batch_alter_table('lms_forum_thread', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_forum_thread_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_lms_forum_thread_forum', ['course_id', 'activity_id', 'last_post_at'], unique=False)

    op.create_table('lms_live_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.String(length=64), nullable=False),
    sa.Column('starts_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=True),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity > 0', name=op.f('ck_lms_live_session_capacity_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_lms_live_session_ends_after_start')),
    sa.ForeignKeyConstraint(['course_id'], ['lms_course.id'], name=op.f('fk_lms_live_session_course_id_lms_course')),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_user.id'], name=op.f('fk_lms_live_session_created_by_id_lms_user')),
    sa.ForeignKeyConstraint(['organisation_id'], ['lms_organisation.id'], name=op.f('fk_lms_live_session_organisation_id_lms_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_live_session'))
    )
    with op.batch_alter_table('lms_live_session', schema=None) as batch_op:
        batch_op.create_index('ix_lms_live_session_activity', ['course_id', 'activity_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_live_session_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('lms_forum_follow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('created_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('notified_post_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['lms_forum_thread.id'], name=op.f('fk_lms_forum_follow_thread_id_lms_forum_thread')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_forum_follow_user_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_forum_follow')),
    sa.UniqueConstraint('user_id', 'thread_id', name=op.f('uq_lms_forum_follow_user_id_thread_id'))
    )
    with op.batch_alter_table('lms_forum_follow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_forum_follow_thread_id'), ['thread_id'], unique=False)

    op.create_table('lms_forum_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body_source', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('edited_at', lms.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', lms.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', lms.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['lms_user.id'], name=op.f('fk_lms_forum_post_author_id_lms_user')),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['lms_user.id'], name=op.f('fk_lms_forum_post_hidden_by_id_lms_user')),
    sa.ForeignKeyConstraint(['thread_id'], ['lms_forum_thread.id'], name=op.f('fk_lms_forum_post_thread_id_lms_forum_thread')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_forum_post'))
    )
    with op.batch_alter_table('lms_forum_post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_forum_post_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_forum_post_thread_id'), ['thread_id'], unique=False)

    op.create_table('lms_forum_read_marker',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('last_read_post_id', sa.Integer(), nullable=False),
    sa.Column('read_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['lms_forum_thread.id'], name=op.f('fk_lms_forum_read_marker_thread_id_lms_forum_thread')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_forum_read_marker_user_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_forum_read_marker')),
    sa.UniqueConstraint('user_id', 'thread_id', name=op.f('uq_lms_forum_read_marker_user_id_thread_id'))
    )
    with op.batch_alter_table('lms_forum_read_marker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_forum_read_marker_thread_id'), ['thread_id'], unique=False)

    op.create_table('lms_live_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('registered_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attended_at', lms.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('reminded_at', lms.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['marked_by_id'], ['lms_user.id'], name=op.f('fk_lms_live_registration_marked_by_id_lms_user')),
    sa.ForeignKeyConstraint(['session_id'], ['lms_live_session.id'], name=op.f('fk_lms_live_registration_session_id_lms_live_session')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_live_registration_user_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_live_registration')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_lms_live_registration_session_id_user_id'))
    )
    with op.batch_alter_table('lms_live_registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_live_registration_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_live_registration_user_id'), ['user_id'], unique=False)

    op.create_table('lms_forum_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', lms.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['post_id'], ['lms_forum_post.id'], name=op.f('fk_lms_forum_report_post_id_lms_forum_post')),
    sa.ForeignKeyConstraint(['reporter_id'], ['lms_user.id'], name=op.f('fk_lms_forum_report_reporter_id_lms_user')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['lms_user.id'], name=op.f('fk_lms_forum_report_resolved_by_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_forum_report'))
    )
    with op.batch_alter_table('lms_forum_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_forum_report_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_forum_report_resolved_at'), ['resolved_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lms_forum_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_forum_report_resolved_at'))
        batch_op.drop_index(batch_op.f('ix_lms_forum_report_post_id'))
    op.drop_table('lms_forum_report')
    with op.batch_alter_table('lms_live_registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_live_registration_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_live_registration_session_id'))
    op.drop_table('lms_live_registration')
    with op.batch_alter_table('lms_forum_read_marker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_forum_read_marker_thread_id'))
    op.drop_table('lms_forum_read_marker')
    with op.batch_alter_table('lms_forum_post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_forum_post_thread_id'))
        batch_op.drop_index(batch_op.f('ix_lms_forum_post_author_id'))
    op.drop_table('lms_forum_post')
    with op.batch_alter_table('lms_forum_follow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_forum_follow_thread_id'))
    op.drop_table('lms_forum_follow')
    with op.batch_alter_table('lms_live_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_live_session_organisation_id'))
        batch_op.drop_index('ix_lms_live_session_activity')
    op.drop_table('lms_live_session')
    with op.batch_alter_table('lms_forum_thread', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_forum_thread_forum')
        batch_op.drop_index(batch_op.f('ix_lms_forum_thread_author_id'))
    op.drop_table('lms_forum_thread')
    with op.batch_alter_table('lms_forum_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_forum_progress_course_id'))
    op.drop_table('lms_forum_progress')
