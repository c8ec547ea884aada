"""terminal heartbeats written cheaply: a digest of what a terminal last reported beyond
its liveness, so a heartbeat that changes nothing else writes only its time, uptime and
outbox; no index on last_seen_at (nothing searches by it, and an indexed column changed
by every heartbeat made each UPDATE write new index entries); on PostgreSQL room left in
each page of terminals so those UPDATEs stay on the page (HOT)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_digest', sa.String(length=32), nullable=False, server_default=''))
        batch_op.drop_index(batch_op.f('ix_terminals_last_seen_at'))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE terminals SET (fillfactor = 70)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE terminals RESET (fillfactor)')
    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_terminals_last_seen_at'), ['last_seen_at'], unique=False)
        batch_op.drop_column('report_digest')
