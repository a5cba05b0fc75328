"""results keep their artifacts as blobs, so the board shows them whichever worker graded

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('results', 'result_history'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('artifact_blobs', sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in ('results', 'result_history'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('artifact_blobs')
