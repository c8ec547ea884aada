"""staff: when each account last signed in, for the administrator's list of accounts

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 08:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_sign_in_at', sa.DateTime(), nullable=True))
    # Known from the audit log until now: read once here, so the list never scans it.
    op.execute("UPDATE staff SET last_sign_in_at = (SELECT max(audit_log.at) FROM audit_log "
               "WHERE audit_log.action = 'staff.login' AND audit_log.subject = staff.username)")


def downgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('last_sign_in_at')
