"""indexes for the console at a county's size: the dashboard's figures and lists

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 08:30:00
"""
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_cases_urgency', 'cases', ['status', 'promised_date', 'received_at', 'department_code'])
    op.create_index('ix_cases_deferred_due', 'cases', ['deferred_pending', 'deferred_due'])
    op.create_index('ix_ratings_created_at', 'ratings', ['created_at'])
    op.create_index('ix_rectifications_status', 'rectifications', ['status'])


def downgrade() -> None:
    op.drop_index('ix_rectifications_status', table_name='rectifications')
    op.drop_index('ix_ratings_created_at', table_name='ratings')
    op.drop_index('ix_cases_deferred_due', table_name='cases')
    op.drop_index('ix_cases_urgency', table_name='cases')
