"""fleet: the heartbeat's other fields, command outcomes, uploaded diagnostics bundles

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reported', sa.JSON(), nullable=True))
    # Commands acked before this migration said only "ok": they count as done.
    with op.batch_alter_table('terminal_commands', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.String(length=16), nullable=False, server_default=''))
    op.execute("UPDATE terminal_commands SET outcome = 'done' WHERE acked_at IS NOT NULL")
    op.create_table('terminal_diagnostics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('command_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['terminal_id'], ['terminals.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('terminal_diagnostics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_terminal_diagnostics_terminal_id'), ['terminal_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('terminal_diagnostics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_terminal_diagnostics_terminal_id'))
    op.drop_table('terminal_diagnostics')
    with op.batch_alter_table('terminal_commands', schema=None) as batch_op:
        batch_op.drop_column('outcome')
    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.drop_column('reported')
