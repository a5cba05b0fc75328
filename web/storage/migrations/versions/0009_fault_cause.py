"""infrastructure faults keep their cause: a category on each job attempt (engine down, image
missing, out of disk, engine timeout, worker lost...), and submissions may be 'retrying'

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('job_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cause', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('job_attempts', schema=None) as batch_op:
        batch_op.drop_column('cause')
