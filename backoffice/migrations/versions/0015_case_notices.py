"""case notices by SMS: a case's opt-in and language, which case and event a text is about,
the carrier's receipt, and an appointment's phone for its reminder

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 08:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sms_notices', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('notice_language', sa.String(length=8), nullable=False, server_default='zh_CN'))
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('event', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('receipt', sa.String(length=16), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_sms_messages_case_id'), ['case_id'], unique=False)
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_enc', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_column('phone_enc')
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_messages_case_id'))
        batch_op.drop_column('delivered_at')
        batch_op.drop_column('receipt')
        batch_op.drop_column('event')
        batch_op.drop_column('case_id')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('notice_language')
        batch_op.drop_column('sms_notices')
