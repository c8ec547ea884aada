"""presence grants (one-time codes and what they buy) and the durable SMS send table

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 23:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'presence_challenges',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('terminal_id', sa.String(length=64), nullable=False),
        sa.Column('session_ref', sa.String(length=64), nullable=False),
        sa.Column('citizen_lookup', sa.String(length=64), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('phone_source', sa.String(length=16), nullable=False),
        sa.Column('phone_masked', sa.String(length=16), nullable=False),
        sa.Column('tries_left', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('redeemed_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('presence_challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_presence_challenges_citizen_lookup'), ['citizen_lookup'], unique=False)
        batch_op.create_index(batch_op.f('ix_presence_challenges_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_presence_challenges_terminal_id'), ['terminal_id'], unique=False)
    op.create_table(
        'presence_grants',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('terminal_id', sa.String(length=64), nullable=False),
        sa.Column('session_ref', sa.String(length=64), nullable=False),
        sa.Column('citizen_lookup', sa.String(length=64), nullable=False),
        sa.Column('scopes', sa.String(length=100), nullable=False),
        sa.Column('evidence', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('ended_reason', sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint('token_hash'),
    )
    with op.batch_alter_table('presence_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_presence_grants_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_presence_grants_terminal_id'), ['terminal_id'], unique=False)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('presence_evidence', sa.String(length=32), nullable=False, server_default=''))
    op.create_table(
        'sms_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=128), nullable=False),
        sa.Column('template', sa.String(length=32), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('phone_enc', sa.Text(), nullable=False),
        sa.Column('phone_masked', sa.String(length=16), nullable=False),
        sa.Column('params_enc', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.Column('provider', sa.String(length=16), nullable=False),
        sa.Column('provider_id', sa.String(length=64), nullable=False),
        sa.Column('last_error', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_messages_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_messages_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('presence_evidence')
    op.drop_table('sms_messages')
    op.drop_table('presence_grants')
    op.drop_table('presence_challenges')
