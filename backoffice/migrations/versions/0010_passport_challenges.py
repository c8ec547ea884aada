"""ePassport Active Authentication challenges

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 02:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'passport_challenges',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('terminal_id', sa.String(length=64), nullable=False),
        sa.Column('session_ref', sa.String(length=64), nullable=False),
        sa.Column('nonce', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('passport_challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passport_challenges_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_passport_challenges_terminal_id'), ['terminal_id'], unique=False)


def downgrade() -> None:
    op.drop_table('passport_challenges')
