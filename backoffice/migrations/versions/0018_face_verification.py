"""face verification: challenges, passports' proven DG2 faces for one session, frames seen

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'face_references',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('terminal_id', sa.String(length=64), nullable=False),
        sa.Column('session_ref', sa.String(length=64), nullable=False),
        sa.Column('citizen_lookup', sa.String(length=64), nullable=False),
        sa.Column('image_enc', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('face_references', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_face_references_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_face_references_terminal_id'), ['terminal_id'], unique=False)
    op.create_table(
        'face_challenges',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('terminal_id', sa.String(length=64), nullable=False),
        sa.Column('session_ref', sa.String(length=64), nullable=False),
        sa.Column('citizen_lookup', sa.String(length=64), nullable=False),
        sa.Column('document_kind', sa.String(length=24), nullable=False),
        sa.Column('document_enc', sa.Text(), nullable=False),
        sa.Column('name_enc', sa.Text(), nullable=False),
        sa.Column('reference_id', sa.String(length=32), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('consent_version', sa.String(length=32), nullable=False),
        sa.Column('tries_left', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('face_challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_face_challenges_citizen_lookup'), ['citizen_lookup'], unique=False)
        batch_op.create_index(batch_op.f('ix_face_challenges_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_face_challenges_terminal_id'), ['terminal_id'], unique=False)
    op.create_table(
        'face_frames_seen',
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('digest'),
    )
    with op.batch_alter_table('face_frames_seen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_face_frames_seen_seen_at'), ['seen_at'], unique=False)


def downgrade() -> None:
    op.drop_table('face_frames_seen')
    op.drop_table('face_challenges')
    op.drop_table('face_references')
