"""Inviting that reaches people: what an assessment is for, the organisation's reminder days,
the reminders sent, and CSV uploads waiting for confirmation

Revision ID: 0005_invite
Revises: 0004_greenhouse
Create Date: 2026-12-02 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005_invite'
down_revision: str | None = '0005_journey'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('purpose', sa.String(length=16), nullable=False, server_default='development')
        )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('reminder_days', sa.String(length=64), nullable=False, server_default='3,0')
        )
    op.create_table('reminders',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('assessment_id', sa.String(length=36), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_reminders_assessment_id_assessments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('assessment_id', 'slot', name=op.f('uq_reminders_assessment_id_slot'))
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_assessment_id'), ['assessment_id'], unique=False)
    op.create_table('invite_uploads',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_invite_uploads_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_invite_uploads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invite_uploads'))
    )
    with op.batch_alter_table('invite_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invite_uploads_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_invite_uploads_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invite_uploads_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('invite_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invite_uploads_user_id'))
        batch_op.drop_index(batch_op.f('ix_invite_uploads_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_invite_uploads_created_at'))
    op.drop_table('invite_uploads')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_assessment_id'))
    op.drop_table('reminders')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('reminder_days')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_column('purpose')
