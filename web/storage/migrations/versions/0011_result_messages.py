"""a result's task message in every language (the candidate reads it in theirs)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('results', 'result_history'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('messages', sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in ('results', 'result_history'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('messages')
