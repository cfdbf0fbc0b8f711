"""Teams: archiving (the data is kept, the team leaves lists and pickers) and the managers of
each team (role `manager` sees only the teams they manage)

Revision ID: 0005_teams
Revises: 0004_greenhouse
Create Date: 2026-12-02 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005_teams'
down_revision: str | None = '0004_greenhouse'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'team_managers',
        sa.Column('team_id', sa.String(length=36), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['team_id'], ['teams.id'], name=op.f('fk_team_managers_team_id_teams'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_team_managers_user_id_users'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('team_id', 'user_id', name=op.f('pk_team_managers')),
    )
    with op.batch_alter_table('team_managers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_managers_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('team_managers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_managers_user_id'))
    op.drop_table('team_managers')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
