"""kiosk releases: signed bundles, their rollout by rings, and a command's argument

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 05:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('terminal_commands', schema=None) as batch_op:
        batch_op.add_column(sa.Column('argument', sa.String(length=64), nullable=False, server_default=''))
    op.create_table(
        'releases',
        sa.Column('version', sa.String(length=32), nullable=False),
        sa.Column('sequence', sa.BigInteger(), nullable=False),
        sa.Column('manifest', sa.LargeBinary(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('published_at', sa.DateTime(), nullable=False),
        sa.Column('published_by', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('version'),
        sa.UniqueConstraint('sequence'),
    )
    op.create_table(
        'release_rollouts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.String(length=32), nullable=False),
        sa.Column('ring', sa.String(length=8), nullable=False),
        sa.Column('terminal_id', sa.String(length=64), nullable=False),
        sa.Column('command_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['version'], ['releases.version']),
        sa.ForeignKeyConstraint(['terminal_id'], ['terminals.id']),
        sa.ForeignKeyConstraint(['command_id'], ['terminal_commands.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_release_rollouts_version', 'release_rollouts', ['version'])


def downgrade() -> None:
    op.drop_index('ix_release_rollouts_version', table_name='release_rollouts')
    op.drop_table('release_rollouts')
    op.drop_table('releases')
    with op.batch_alter_table('terminal_commands', schema=None) as batch_op:
        batch_op.drop_column('argument')
