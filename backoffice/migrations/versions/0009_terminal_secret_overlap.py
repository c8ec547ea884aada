"""terminals: the secret before the last rotation, accepted until a given time

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 03:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret_previous_enc', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('secret_previous_until', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.drop_column('secret_previous_until')
        batch_op.drop_column('secret_previous_enc')
