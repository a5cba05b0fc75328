"""worker tokens: a worker machine reaches the board's worker API with a bearer token (kept
as its sha256) instead of the database password; its `workers` row and the attempts it
claims remember the token

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""
from alembic import op
import sqlalchemy as sa

from web.storage.db import UTCDateTime


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'worker_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('last_used_at', UTCDateTime(), nullable=True),
        sa.Column('revoked_at', UTCDateTime(), nullable=True),
        sa.Column('revoked_by', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
        sa.UniqueConstraint('token_sha256'),
    )
    with op.batch_alter_table('workers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_workers_token_id', ['token_id'], unique=False)
        batch_op.create_foreign_key('fk_workers_token_id', 'worker_tokens', ['token_id'], ['id'])
    with op.batch_alter_table('job_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_job_attempts_token_id', 'worker_tokens', ['token_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('job_attempts', schema=None) as batch_op:
        batch_op.drop_constraint('fk_job_attempts_token_id', type_='foreignkey')
        batch_op.drop_column('token_id')
    with op.batch_alter_table('workers', schema=None) as batch_op:
        batch_op.drop_constraint('fk_workers_token_id', type_='foreignkey')
        batch_op.drop_index('ix_workers_token_id')
        batch_op.drop_column('token_id')
    op.drop_table('worker_tokens')
