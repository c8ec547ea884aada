"""console sessions end when left unused: a staff token's idle deadline

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 08:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idle_until', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('staff_tokens', schema=None) as batch_op:
        batch_op.drop_column('idle_until')
