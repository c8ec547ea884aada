"""results by post: a case's delivery method and encrypted address, and the courier's
shipments with their tracking steps

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('delivery_enc', sa.Text(), nullable=False, server_default=''))
    op.create_table(
        'shipments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('courier', sa.String(length=16), nullable=False),
        sa.Column('order_no', sa.String(length=64), nullable=False),
        sa.Column('waybill', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=24), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('polled_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('case_id'),
        sa.UniqueConstraint('order_no'),
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_waybill'), ['waybill'], unique=False)
    op.create_table(
        'shipment_steps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shipment_id', sa.Integer(), nullable=False),
        sa.Column('step', sa.String(length=24), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('place', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('shipment_id', 'step', 'at'),
    )
    with op.batch_alter_table('shipment_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipment_steps_shipment_id'), ['shipment_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('shipment_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipment_steps_shipment_id'))
    op.drop_table('shipment_steps')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipments_waybill'))
        batch_op.drop_index(batch_op.f('ix_shipments_status'))
    op.drop_table('shipments')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('delivery_enc')
        batch_op.drop_column('delivery')
