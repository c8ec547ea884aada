"""terminal report digest: a digest of what a terminal last reported beyond its liveness,
so a heartbeat that changes nothing else writes only its time, uptime and outbox

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


def downgrade() -> None:
    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.drop_column('report_digest')
