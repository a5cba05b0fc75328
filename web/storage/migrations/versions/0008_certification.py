"""certification: sittings with versioned pass rules, registrations, the frozen pass list,
certificates and their serial counters

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa
import web.storage.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('certificate_serials',
    sa.Column('prefix', sa.String(length=24), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix')
    )
    op.create_table('sittings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), server_default='', nullable=False),
    sa.Column('level', sa.Enum('basic', 'intermediate', 'advanced', name='level', native_enum=False, length=16), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('site_code', sa.String(length=8), nullable=False),
    sa.Column('site_name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'published', name='sittingstatus', native_enum=False, length=16), nullable=False),
    sa.Column('published_at', web.storage.db.UTCDateTime(), nullable=True),
    sa.Column('published_by', sa.String(length=64), nullable=True),
    sa.Column('package_sha256', sa.String(length=64), nullable=True),
    sa.Column('rule_version', sa.Integer(), nullable=True),
    sa.Column('created_at', web.storage.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_sittings_exam_id'), 'sittings', ['exam_id'], unique=False)
    op.create_table('pass_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('theory_min', sa.Float(), nullable=True),
    sa.Column('practical_min', sa.Float(), nullable=True),
    sa.Column('theory_weight', sa.Integer(), nullable=False),
    sa.Column('total_min', sa.Float(), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('created_at', web.storage.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sitting_id', 'version')
    )
    op.create_table('registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=True),
    sa.Column('exception_outcome', sa.Enum('passed', 'failed', 'absent', name='outcome', native_enum=False, length=16), nullable=True),
    sa.Column('exception_reason', web.storage.db.OutputText(), nullable=True),
    sa.Column('exception_by', sa.String(length=64), nullable=True),
    sa.Column('exception_at', web.storage.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', web.storage.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sitting_id', 'person_id')
    )
    op.create_index(op.f('ix_registrations_person_id'), 'registrations', ['person_id'], unique=False)
    op.create_index(op.f('ix_registrations_sitting_id'), 'registrations', ['sitting_id'], unique=False)
    op.create_table('pass_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('theory', sa.Float(), nullable=True),
    sa.Column('practical', sa.Float(), nullable=True),
    sa.Column('total', sa.Float(), nullable=True),
    sa.Column('outcome', sa.Enum('passed', 'failed', 'absent', name='outcome', native_enum=False, length=16), nullable=False),
    sa.Column('rule_outcome', sa.Enum('passed', 'failed', 'absent', name='outcome', native_enum=False, length=16), nullable=False),
    sa.Column('exception_reason', web.storage.db.OutputText(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], ),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sitting_id', 'registration_id')
    )
    op.create_index(op.f('ix_pass_list_person_id'), 'pass_list', ['person_id'], unique=False)
    op.create_index(op.f('ix_pass_list_sitting_id'), 'pass_list', ['sitting_id'], unique=False)
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('issued_at', web.storage.db.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', web.storage.db.UTCDateTime(), nullable=True),
    sa.Column('revoked_reason', web.storage.db.OutputText(), nullable=True),
    sa.Column('revoked_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['pass_list.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entry_id'),
    sa.UniqueConstraint('number'),
    sa.UniqueConstraint('token')
    )
    op.create_index(op.f('ix_certificates_person_id'), 'certificates', ['person_id'], unique=False)
    op.create_index(op.f('ix_certificates_sitting_id'), 'certificates', ['sitting_id'], unique=False)


def downgrade() -> None:
    for table in ('certificates', 'pass_list', 'registrations', 'pass_rules', 'sittings', 'certificate_serials'):
        op.drop_table(table)
