"""Privacy: retention period and de-identified norming per organisation, de-identified
results of erased participants, the audit trail's listing index, and (PostgreSQL) a trigger
that keeps the audit trail append-only

Revision ID: 0005_privacy
Revises: 0004_greenhouse
Create Date: 2026-12-02 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005_privacy'
down_revision: str | None = '0005_invite'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# UPDATE and DELETE of an audit event fail, whoever runs them (the application has no such
# path; this guards against a bug or a stolen application login). TRUNCATE is left to the
# database owner, for whom no trigger is a barrier anyway (see docs/security.md).
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""
APPEND_ONLY_TRIGGER = """
CREATE TRIGGER audit_events_append_only
BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()
"""


def upgrade() -> None:
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('retention_days', sa.Integer(), nullable=False, server_default='730')
        )
        batch_op.add_column(
            sa.Column(
                'deidentified_norming', sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )
    op.create_table('deidentified_results',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('instrument_version_id', sa.String(length=36), nullable=False),
    sa.Column('norm_table_id', sa.String(length=80), nullable=False),
    sa.Column('engine_version', sa.String(length=32), nullable=False),
    sa.Column('completed_month', sa.String(length=7), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('page_seconds', sa.JSON(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['instrument_version_id'], ['instrument_versions.id'], name=op.f('fk_deidentified_results_instrument_version_id_instrument_versions')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_deidentified_results_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deidentified_results'))
    )
    with op.batch_alter_table('deidentified_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deidentified_results_instrument_version_id'), ['instrument_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deidentified_results_organisation_id'), ['organisation_id'], unique=False)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_listing', ['organisation_id', 'id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute(APPEND_ONLY_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events')
        op.execute('DROP FUNCTION IF EXISTS audit_events_append_only()')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_listing')
    with op.batch_alter_table('deidentified_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deidentified_results_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_deidentified_results_instrument_version_id'))
    op.drop_table('deidentified_results')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('deidentified_norming')
        batch_op.drop_column('retention_days')
