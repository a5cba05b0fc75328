"""time limits scaled to the worker's speed: workers keep their measured speed, results the
speed and factor they were graded with, exams their package's reference speed

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('results', 'result_history'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('worker_speed', sa.Float(), nullable=True))
            batch_op.add_column(sa.Column('time_factor', sa.Float(), nullable=True))
    with op.batch_alter_table('workers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('speed', sa.Float(), nullable=True))
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference_speed', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.drop_column('reference_speed')
    with op.batch_alter_table('workers', schema=None) as batch_op:
        batch_op.drop_column('speed')
    for table in ('results', 'result_history'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('time_factor')
            batch_op.drop_column('worker_speed')
