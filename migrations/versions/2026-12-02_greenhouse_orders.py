"""Greenhouse orders: the partner's sealed credential for the PATCH on completion, and one
order per callback URL

Revision ID: 0004_greenhouse
Revises: 0003
Create Date: 2026-12-02 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004_greenhouse'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('partner_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credential_sealed', sa.String(length=400), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_partner_orders_organisation_id_partner_callback_url'),
            ['organisation_id', 'partner', 'callback_url'],
        )


def downgrade() -> None:
    with op.batch_alter_table('partner_orders', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('uq_partner_orders_organisation_id_partner_callback_url'), type_='unique'
        )
        batch_op.drop_column('credential_sealed')
