"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 04:46:03.896236
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('department_code', sa.String(length=16), nullable=False),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.Column('cleared_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_cleared_at'), ['cleared_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_subject'), ['subject'], unique=False)

    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=128), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('calendar_overrides',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )
    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('declared_by', sa.String(length=64), nullable=False),
    sa.Column('declared_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    op.create_table('case_counters',
    sa.Column('prefix', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix')
    )
    op.create_table('departments',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('idempotency_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=80), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('scope', 'key')
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_keys_created_at'), ['created_at'], unique=False)

    op.create_table('job_locks',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('holder', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_username'), ['username'], unique=False)

    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('department_code', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('terminal_nonces',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('terminal_id', 'nonce')
    )
    with op.batch_alter_table('terminal_nonces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_terminal_nonces_seen_at'), ['seen_at'], unique=False)

    op.create_table('terminals',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('secret_enc', sa.Text(), nullable=False),
    sa.Column('in_service', sa.Boolean(), nullable=False),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=True),
    sa.Column('app_version', sa.String(length=32), nullable=False),
    sa.Column('uptime_s', sa.Integer(), nullable=False),
    sa.Column('outbox_length', sa.Integer(), nullable=False),
    sa.Column('devices', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_terminals_last_seen_at'), ['last_seen_at'], unique=False)

    op.create_table('ticket_counters',
    sa.Column('prefix', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix')
    )
    op.create_table('windows',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('bundles',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('window_code', sa.String(length=8), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('item_codes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['window_code'], ['windows.code'], ),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('items',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('type', sa.String(length=2), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('window_code', sa.String(length=8), nullable=False),
    sa.Column('department_code', sa.String(length=16), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('legal_days', sa.Integer(), nullable=False),
    sa.Column('promised_days', sa.Integer(), nullable=False),
    sa.Column('visits', sa.Integer(), nullable=False),
    sa.Column('fees', sa.JSON(), nullable=False),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('kiosk', sa.Boolean(), nullable=False),
    sa.Column('where_instead', sa.Text(), nullable=False),
    sa.Column('where_instead_en', sa.Text(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('conditions_en', sa.JSON(), nullable=False),
    sa.Column('form', sa.JSON(), nullable=False),
    sa.Column('pinyin_initials', sa.String(length=200), nullable=False),
    sa.Column('pinyin_full', sa.String(length=600), nullable=False),
    sa.ForeignKeyConstraint(['department_code'], ['departments.code'], ),
    sa.ForeignKeyConstraint(['window_code'], ['windows.code'], ),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_items_department_code'), ['department_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_pinyin_initials'), ['pinyin_initials'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_type'), ['type'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_window_code'), ['window_code'], unique=False)

    op.create_table('staff_tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('staff_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_tokens_staff_id'), ['staff_id'], unique=False)

    op.create_table('terminal_commands',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('command', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('acked_at', sa.DateTime(), nullable=True),
    sa.Column('result', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['terminal_id'], ['terminals.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('terminal_commands', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_terminal_commands_terminal_id'), ['terminal_id'], unique=False)

    op.create_table('appointments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('item_code', sa.String(length=64), nullable=False),
    sa.Column('applicant_lookup', sa.String(length=64), nullable=False),
    sa.Column('applicant_masked', sa.String(length=64), nullable=False),
    sa.Column('slot_start', sa.DateTime(), nullable=False),
    sa.Column('slot_end', sa.DateTime(), nullable=False),
    sa.Column('window_code', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('ticket_number', sa.String(length=16), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(), nullable=True),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['item_code'], ['items.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointments_applicant_lookup'), ['applicant_lookup'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('item_code', sa.String(length=64), nullable=True),
    sa.Column('bundle_code', sa.String(length=16), nullable=True),
    sa.Column('item_name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('department_code', sa.String(length=16), nullable=False),
    sa.Column('department_name', sa.String(length=100), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('applicant_kind', sa.String(length=16), nullable=False),
    sa.Column('applicant_lookup', sa.String(length=64), nullable=False),
    sa.Column('applicant_id_enc', sa.Text(), nullable=False),
    sa.Column('applicant_name_enc', sa.Text(), nullable=False),
    sa.Column('applicant_masked', sa.String(length=64), nullable=False),
    sa.Column('applicant_id_masked', sa.String(length=32), nullable=False),
    sa.Column('phone_enc', sa.Text(), nullable=False),
    sa.Column('phone_masked', sa.String(length=16), nullable=False),
    sa.Column('answers_enc', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('promised_days', sa.Integer(), nullable=False),
    sa.Column('promised_date', sa.Date(), nullable=True),
    sa.Column('promised_date_pending', sa.Boolean(), nullable=False),
    sa.Column('paused_on', sa.Date(), nullable=True),
    sa.Column('paused_working_days', sa.Integer(), nullable=False),
    sa.Column('deferred_pending', sa.Boolean(), nullable=False),
    sa.Column('deferred_due', sa.Date(), nullable=True),
    sa.Column('commitment_signed', sa.Boolean(), nullable=False),
    sa.Column('correction', sa.JSON(), nullable=True),
    sa.Column('overdue', sa.Boolean(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('tracking_token', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bundle_code'], ['bundles.code'], ),
    sa.ForeignKeyConstraint(['item_code'], ['items.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_applicant_lookup'), ['applicant_lookup'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_department_code'), ['department_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_number'), ['number'], unique=True)
        batch_op.create_index(batch_op.f('ix_cases_overdue'), ['overdue'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_promised_date'), ['promised_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_status'), ['status'], unique=False)

    op.create_table('materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('necessity', sa.String(length=16), nullable=False),
    sa.Column('forms', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('licence_type_code', sa.String(length=32), nullable=False),
    sa.Column('copies', sa.Integer(), nullable=False),
    sa.Column('blank_form', sa.Boolean(), nullable=False),
    sa.Column('sample', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_code'], ['items.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('item_code', 'code')
    )
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_materials_item_code'), ['item_code'], unique=False)

    op.create_table('case_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_events_case_id'), ['case_id'], unique=False)

    op.create_table('case_materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('material_code', sa.String(length=96), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('form', sa.String(length=16), nullable=False),
    sa.Column('copies', sa.Integer(), nullable=False),
    sa.Column('licence_id', sa.String(length=128), nullable=False),
    sa.Column('deferred', sa.Boolean(), nullable=False),
    sa.Column('deferred_due', sa.Date(), nullable=True),
    sa.Column('supplied_at', sa.DateTime(), nullable=True),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('content_enc', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_materials_case_id'), ['case_id'], unique=False)

    op.create_table('case_parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=64), nullable=False),
    sa.Column('item_name', sa.String(length=200), nullable=False),
    sa.Column('department_code', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['item_code'], ['items.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_parts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_parts_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_parts_department_code'), ['department_code'], unique=False)

    op.create_table('licences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('identifier', sa.String(length=128), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('type_code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('holder_lookup', sa.String(length=64), nullable=False),
    sa.Column('holder_masked', sa.String(length=64), nullable=False),
    sa.Column('issuer_name', sa.String(length=100), nullable=False),
    sa.Column('issuer_uscc', sa.String(length=18), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('identifier')
    )
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licences_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_licences_holder_lookup'), ['holder_lookup'], unique=False)

    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('department_code', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id')
    )
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ratings_department_code'), ['department_code'], unique=False)

    op.create_table('rectifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('callback_due', sa.Date(), nullable=True),
    sa.Column('rectify_due', sa.Date(), nullable=True),
    sa.Column('called_back_at', sa.DateTime(), nullable=True),
    sa.Column('rectified_at', sa.DateTime(), nullable=True),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('appeal_reason', sa.Text(), nullable=False),
    sa.Column('appeal_decision', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['rating_id'], ['ratings.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('rating_id')
    )


def downgrade() -> None:
    op.drop_table('rectifications')
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ratings_department_code'))

    op.drop_table('ratings')
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licences_holder_lookup'))
        batch_op.drop_index(batch_op.f('ix_licences_case_id'))

    op.drop_table('licences')
    with op.batch_alter_table('case_parts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_parts_department_code'))
        batch_op.drop_index(batch_op.f('ix_case_parts_case_id'))

    op.drop_table('case_parts')
    with op.batch_alter_table('case_materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_materials_case_id'))

    op.drop_table('case_materials')
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_events_case_id'))

    op.drop_table('case_events')
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_materials_item_code'))

    op.drop_table('materials')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_status'))
        batch_op.drop_index(batch_op.f('ix_cases_received_at'))
        batch_op.drop_index(batch_op.f('ix_cases_promised_date'))
        batch_op.drop_index(batch_op.f('ix_cases_overdue'))
        batch_op.drop_index(batch_op.f('ix_cases_number'))
        batch_op.drop_index(batch_op.f('ix_cases_department_code'))
        batch_op.drop_index(batch_op.f('ix_cases_applicant_lookup'))

    op.drop_table('cases')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointments_applicant_lookup'))

    op.drop_table('appointments')
    with op.batch_alter_table('terminal_commands', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_terminal_commands_terminal_id'))

    op.drop_table('terminal_commands')
    with op.batch_alter_table('staff_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_tokens_staff_id'))

    op.drop_table('staff_tokens')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_items_window_code'))
        batch_op.drop_index(batch_op.f('ix_items_type'))
        batch_op.drop_index(batch_op.f('ix_items_pinyin_initials'))
        batch_op.drop_index(batch_op.f('ix_items_department_code'))

    op.drop_table('items')
    op.drop_table('bundles')
    op.drop_table('windows')
    op.drop_table('ticket_counters')
    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_terminals_last_seen_at'))

    op.drop_table('terminals')
    with op.batch_alter_table('terminal_nonces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_terminal_nonces_seen_at'))

    op.drop_table('terminal_nonces')
    op.drop_table('staff')
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_username'))
        batch_op.drop_index(batch_op.f('ix_login_failures_at'))

    op.drop_table('login_failures')
    op.drop_table('job_locks')
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_keys_created_at'))

    op.drop_table('idempotency_keys')
    op.drop_table('departments')
    op.drop_table('case_counters')
    op.drop_table('calendar_years')
    op.drop_table('calendar_overrides')
    op.drop_table('audit_log')
    op.drop_table('audit_head')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_subject'))
        batch_op.drop_index(batch_op.f('ix_alerts_kind'))
        batch_op.drop_index(batch_op.f('ix_alerts_cleared_at'))

    op.drop_table('alerts')
