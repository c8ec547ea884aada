"""calendar: imported arrangements (the notice a declared year came from, the source of
each override day)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('calendar_overrides', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=64), nullable=False, server_default=''))
    with op.batch_alter_table('calendar_years', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_number', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('notice_issued', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('notice_title', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('notice_url', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('sha256', sa.String(length=64), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('calendar_years', schema=None) as batch_op:
        for column in ('sha256', 'notice_url', 'notice_title', 'notice_issued', 'notice_number'):
            batch_op.drop_column(column)
    with op.batch_alter_table('calendar_overrides', schema=None) as batch_op:
        batch_op.drop_column('source')
