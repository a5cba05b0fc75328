"""which submission counts (an exam's rule, per-task exceptions, a counting deadline) and what
the public scoreboard shows of a candidate

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

import web.storage.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('count_policy', sa.String(length=16), server_default='last', nullable=False))
        batch_op.add_column(sa.Column('task_count_policy', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('count_deadline', web.storage.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('board_privacy', sa.String(length=16), server_default='masked',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.drop_column('board_privacy')
        batch_op.drop_column('count_deadline')
        batch_op.drop_column('task_count_policy')
        batch_op.drop_column('count_policy')
