"""examiner and proctor: result history, theory scores, prove runs, frozen boards; indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Existing results get the id of the job that graded them and the points of their
`visible` tests (what a public board may show before publication).
"""
from alembic import op
import sqlalchemy as sa
import web.storage.db

results = sa.table('results', sa.column('id', sa.Integer), sa.column('submission_id', sa.Integer),
                   sa.column('job_id', sa.Integer), sa.column('tests', sa.JSON),
                   sa.column('visible_score', sa.Float))
jobs = sa.table('jobs', sa.column('id', sa.Integer), sa.column('submission_id', sa.Integer),
                sa.column('status', sa.String))


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('board_freezes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('frozen_at', web.storage.db.UTCDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('exam_id')
    )
    op.create_table('prove_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('running', 'passed', 'failed', 'error', 'interrupted', name='provestatus', native_enum=False, length=16), nullable=False),
    sa.Column('only', sa.String(length=255), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('started_at', web.storage.db.UTCDateTime(), nullable=False),
    sa.Column('finished_at', web.storage.db.UTCDateTime(), nullable=True),
    sa.Column('outcome', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('log', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('prove_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prove_runs_exam_id'), ['exam_id'], unique=False)

    op.create_table('theory_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('imported_at', web.storage.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('exam_id', 'candidate_id')
    )
    op.create_table('result_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('archived_at', web.storage.db.UTCDateTime(), nullable=False),
    sa.Column('task_id', sa.String(length=63), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('max_score', sa.Float(), nullable=False),
    sa.Column('visible_score', sa.Float(), server_default='0', nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('tests', sa.JSON(), nullable=False),
    sa.Column('artifacts', sa.JSON(), nullable=False),
    sa.Column('artifacts_dir', sa.String(length=1024), nullable=True),
    sa.Column('duration_s', sa.Float(), nullable=False),
    sa.Column('graded_at', web.storage.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('result_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_history_submission_id'), ['submission_id'], unique=False)

    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('theory_weight', sa.Integer(), server_default='30', nullable=False))
        batch_op.add_column(sa.Column('board_public', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('job_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_attempts_outcome'), ['outcome'], unique=False)

    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('visible_score', sa.Float(), server_default='0', nullable=False))

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index('ix_submissions_exam_candidate_task', ['exam_id', 'candidate_id', 'task_id'], unique=False)
        batch_op.create_index('ix_submissions_exam_created', ['exam_id', 'created_at'], unique=False)

    _backfill_results()


def _backfill_results() -> None:
    conn = op.get_bind()
    graded = (sa.select(sa.func.max(jobs.c.id)).where(jobs.c.submission_id == results.c.submission_id,
                                                       jobs.c.status == 'graded').scalar_subquery())
    conn.execute(results.update().values(job_id=graded))
    last = 0
    while True:
        rows = conn.execute(sa.select(results.c.id, results.c.tests).where(results.c.id > last)
                            .order_by(results.c.id).limit(1000)).all()
        if not rows:
            return
        for rid, tests in rows:
            visible = sum(float(t.get('score') or 0) for t in (tests or []) if t.get('visibility') == 'visible')
            if visible:
                conn.execute(results.update().where(results.c.id == rid).values(visible_score=visible))
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_exam_created')
        batch_op.drop_index('ix_submissions_exam_candidate_task')

    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.drop_column('visible_score')
        batch_op.drop_column('job_id')

    with op.batch_alter_table('job_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_attempts_outcome'))

    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.drop_column('board_public')
        batch_op.drop_column('theory_weight')

    with op.batch_alter_table('result_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_history_submission_id'))

    op.drop_table('result_history')
    op.drop_table('theory_scores')
    with op.batch_alter_table('prove_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prove_runs_exam_id'))

    op.drop_table('prove_runs')
    op.drop_table('board_freezes')
