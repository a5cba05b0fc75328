"""people: one row per real person (name, gender, resident ID, affiliation, contact), shared by
certification sittings and contests

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

import web.storage.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'people',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('gender', sa.Enum('male', 'female', name='gender', native_enum=False, length=8),
                  nullable=True),
        sa.Column('id_number', sa.String(length=32), nullable=True),
        sa.Column('affiliation', sa.String(length=300), server_default='', nullable=False),
        sa.Column('contact', sa.String(length=200), server_default='', nullable=False),
        sa.Column('external_id', sa.String(length=64), nullable=True),
        sa.Column('created_at', web.storage.db.UTCDateTime(), nullable=False),
        sa.Column('updated_at', web.storage.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('id_number'),
        sa.UniqueConstraint('external_id'),
    )


def downgrade() -> None:
    op.drop_table('people')
