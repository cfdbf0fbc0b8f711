"""Role and stage of work: what a rep does (or is hired for), recorded when inviting, so
reports can show fit against it

Revision ID: 0005_results
Revises: 0005_journey
Create Date: 2026-12-02 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005_results'
down_revision: str | None = '0005_privacy'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_role', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('target_stage', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_column('target_stage')
        batch_op.drop_column('target_role')
