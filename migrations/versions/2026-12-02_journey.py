"""Participant journey: the page layout of each assessment (compact on narrow screens), and the
layout each page time was measured in

Revision ID: 0005_journey
Revises: 0004_greenhouse
Create Date: 2026-12-02 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005_journey'
down_revision: str | None = '0005_teams'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('page_layout', sa.String(length=16), nullable=False, server_default='standard')
        )
    with op.batch_alter_table('page_timings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('layout', sa.String(length=16), nullable=False, server_default='standard')
        )


def downgrade() -> None:
    with op.batch_alter_table('page_timings', schema=None) as batch_op:
        batch_op.drop_column('layout')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_column('page_layout')
