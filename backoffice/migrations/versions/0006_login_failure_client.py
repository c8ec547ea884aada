"""login failures: the address each came from, for throttling per account and address

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 21:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client', sa.String(length=64), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_login_failures_client'), ['client'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_client'))
        batch_op.drop_column('client')
