"""competitions: affiliations, teams and their members, sites and their keys, the national
board's imports of signed results packages and the teams they reported; people gain a
competitor's eligibility (category, national title)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 21:08:06.121169
"""
from alembic import op
import sqlalchemy as sa
import web.storage.db


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('affiliations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('school', 'company', name='affiliationkind', native_enum=False, length=16), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('competitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=63), nullable=False),
    sa.Column('title_zh', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('stage', sa.Enum('preliminary', 'final', name='stage', native_enum=False, length=16), nullable=False),
    sa.Column('site', sa.String(length=63), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=True),
    sa.Column('exam_sha256', sa.String(length=64), nullable=True),
    sa.Column('practical_max', sa.Float(), nullable=True),
    sa.Column('team_min', sa.Integer(), nullable=False),
    sa.Column('team_max', sa.Integer(), nullable=False),
    sa.Column('theory_rule', sa.String(length=16), nullable=False),
    sa.Column('theory_weight', sa.Integer(), nullable=False),
    sa.Column('awards', sa.JSON(), nullable=False),
    sa.Column('finalists', sa.JSON(), nullable=False),
    sa.Column('created_at', web.storage.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_table('competition_sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=63), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('public_key', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('competition_id', 'code')
    )
    with op.batch_alter_table('competition_sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competition_sites_competition_id'), ['competition_id'], unique=False)

    op.create_table('result_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('site', sa.String(length=63), nullable=False),
    sa.Column('status', sa.Enum('current', 'superseded', 'refused', name='importstatus', native_enum=False, length=16), nullable=False),
    sa.Column('manifest_sha256', sa.String(length=64), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('exported_at', web.storage.db.UTCDateTime(), nullable=True),
    sa.Column('imported_at', web.storage.db.UTCDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.Column('teams', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('result_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_imports_competition_id'), ['competition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_result_imports_status'), ['status'], unique=False)

    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('affiliation_id', sa.Integer(), nullable=False),
    sa.Column('division', sa.Enum('employee', 'student', name='division', native_enum=False, length=16), nullable=False),
    sa.ForeignKeyConstraint(['affiliation_id'], ['affiliations.id'], ),
    sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('competition_id', 'external_id'),
    sa.UniqueConstraint('competition_id', 'name')
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_competition_id'), ['competition_id'], unique=False)

    op.create_table('national_teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('site', sa.String(length=63), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('affiliation', sa.String(length=200), nullable=False),
    sa.Column('division', sa.Enum('employee', 'student', name='division', native_enum=False, length=16), nullable=False),
    sa.Column('practical', sa.Float(), nullable=False),
    sa.Column('theory', sa.Float(), nullable=True),
    sa.Column('final', sa.Float(), nullable=True),
    sa.Column('last_counted_at', web.storage.db.UTCDateTime(), nullable=True),
    sa.Column('site_rank', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['result_imports.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('national_teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_national_teams_import_id'), ['import_id'], unique=False)

    op.create_table('team_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.Enum('captain', 'member', name='memberrole', native_enum=False, length=16), nullable=False),
    sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('competition_id', 'person_id')
    )
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_members_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_members_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.Enum('student', 'employee', name='category', native_enum=False, length=16), nullable=True))
        batch_op.add_column(sa.Column('national_title', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('national_title')
        batch_op.drop_column('category')

    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_team_members_team_id'))

    op.drop_table('team_members')
    with op.batch_alter_table('national_teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_national_teams_import_id'))

    op.drop_table('national_teams')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_competition_id'))

    op.drop_table('teams')
    with op.batch_alter_table('result_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_imports_status'))
        batch_op.drop_index(batch_op.f('ix_result_imports_competition_id'))

    op.drop_table('result_imports')
    with op.batch_alter_table('competition_sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competition_sites_competition_id'))

    op.drop_table('competition_sites')
    op.drop_table('competitions')
    op.drop_table('affiliations')
