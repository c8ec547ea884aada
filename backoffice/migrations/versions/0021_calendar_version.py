"""the calendar's change counter: each server process keeps the working-day calendar
between requests and reads only this number to know whether it is still current

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 21:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        'calendar_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(table, [{'id': 1, 'number': 1}])


def downgrade() -> None:
    op.drop_table('calendar_version')
