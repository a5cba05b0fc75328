"""distributed grading: blobs by content hash, worker registry, job publication

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Workers on other machines fetch uploads and packed exam packages from `blobs`
by sha256; `workers` is each worker process's own heartbeat row; a job keeps
the broker queue it was sent to and when, so lost messages can be sent again.
"""
from alembic import op
import sqlalchemy as sa
import web.storage.db


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('blobs',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', web.storage.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )
    op.create_table('workers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('host', sa.String(length=128), nullable=False),
    sa.Column('queues', sa.String(length=1024), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('slots', sa.Integer(), nullable=False),
    sa.Column('busy', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('up', 'stopped', name='workerstatus', native_enum=False, length=16), nullable=False),
    sa.Column('started_at', web.storage.db.UTCDateTime(), nullable=False),
    sa.Column('heartbeat_at', web.storage.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('package_sha256', sa.String(length=64), nullable=True))
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_at', web.storage.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('queue', sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('queue')
        batch_op.drop_column('published_at')
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.drop_column('package_sha256')
    op.drop_table('workers')
    op.drop_table('blobs')
