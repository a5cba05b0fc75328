"""Seed a board's SQLite database directly: N candidates, M graded submissions with results.

    python3 bench/board/seed.py --instance /tmp/board-bench [--candidates 5000] [--submissions 20000]

The schema is the board's own (Alembic `upgrade` through `web.serve.prepare`), the demo
exam is registered as `practicum serve --exam exams/demo` would, three staff accounts are
made (admin1, examiner1, proctor1; password in boardlib.STAFF_PASSWORD), and then rows go
in with SQLAlchemy Core bulk inserts into the models' tables (any column added later with
a default is filled by that default). Per submission: the Submission row (graded), its
Job (graded, 1 attempt), the JobAttempt, and the Result with per-test entries shaped like
`grader.report.test_json`. A few more submissions are left queued, running or failed so
the proctor's pages have a queue to show. The first `--codes` candidates get a known
one-time login code (`code_for(number)`), so benches can sign them in.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from boardlib import DEMO, STAFF_PASSWORD  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红梅鑫波斌宇浩凯健俊帆帅旭宁晨阳欣怡婷雪琳晶"
EXTRA_STATES = {"queued": 60, "running": 2, "failed": 10}     # besides the graded ones


def code_for(number: str) -> str:
    """The known one-time code of a seeded candidate (only those with --codes)."""
    return "BNCH-" + "".join("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[int(c) * 3 % 32] for c in number[-4:])


def chinese_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def seed(instance: Path, *, candidates: int = 5000, submissions: int = 20000, codes: int = 0,
         seed_value: int = 2024, theory: bool = True, progress=print) -> dict:
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from web.services import accounts, exams
    from web.storage.db import db, utcnow
    from web.storage.models import Exam, Job, JobAttempt, Result, Role, Submission, User
    from web.serve import prepare

    t0 = time.perf_counter()
    rng = random.Random(seed_value)
    app = prepare([DEMO], instance_path=instance, secure_cookies=False)
    out: dict = {"instance": str(instance)}
    with app.app_context():
        exam = db.session.scalar(select(Exam).where(Exam.key == "demo"))
        package = exams.package(exam)
        for role in (Role.ADMIN, Role.EXAMINER, Role.PROCTOR):
            accounts.create_staff(f"{role.value}1", STAFF_PASSWORD, role)
        now = utcnow()
        start = now - timedelta(hours=3)

        def cols(table, row: dict) -> dict:
            return {k: v for k, v in row.items() if k in table.c}

        # candidates
        users = []
        for n in range(1, candidates + 1):
            number = f"B{n:05d}"
            row = {"role": Role.CANDIDATE, "username": number, "name": chinese_name(rng), "seat": f"{(n - 1) // 50 + 1:03d}-{(n - 1) % 50 + 1:02d}",
                   "exam_id": exam.id, "session_version": 0, "active": True, "created_at": start,
                   "last_login_at": start + timedelta(seconds=rng.uniform(0, 1800)),
                   "code_hash": None, "code_issued_at": None}
            if n <= codes:
                row["code_hash"] = generate_password_hash(accounts.normalize_code(code_for(number)), method=accounts.CODE_HASH)
                row["code_issued_at"], row["last_login_at"] = start, None
            users.append(cols(User.__table__, row))
        db.session.execute(insert(User.__table__), users)
        ids = dict(db.session.execute(select(User.username, User.id).where(User.role == Role.CANDIDATE)).all())
        cand_ids = [ids[f"B{n:05d}"] for n in range(1, candidates + 1)]
        t_users = time.perf_counter()

        # submissions: spread over candidates (some hand in nothing) and tasks, in time order
        tasks = package.tasks
        suffix = {"blur": "ipynb", "fast": "py", "shapes": "py"}
        total = submissions + sum(EXTRA_STATES.values())
        stamps = sorted(start + timedelta(seconds=rng.uniform(0, 3 * 3600 - 60)) for _ in range(total))
        states = ["graded"] * submissions + [s for s, k in EXTRA_STATES.items() for _ in range(k)]
        rng.shuffle(states)
        active = cand_ids[: max(1, int(len(cand_ids) * 0.97))]          # 3 % hand in nothing
        subs, plan = [], []
        for i, (at, state) in enumerate(zip(stamps, states)):
            if state != "graded":
                at = now - timedelta(seconds=rng.uniform(5, 120))
            cid = rng.choice(active)
            task = rng.choice(tasks)
            sha = uuid.UUID(int=rng.getrandbits(128)).hex + uuid.UUID(int=rng.getrandbits(128)).hex
            subs.append(cols(Submission.__table__, {
                "candidate_id": cid, "exam_id": exam.id, "task_id": task.id, "sha256": sha,
                "filename": f"{task.name}.{suffix.get(task.id, 'py')}", "size": rng.randint(800, 60000),
                "stored_path": f"/nonexistent/seeded/{sha}", "lang": "zh", "status": state,
                "created_at": at, "updated_at": at}))
            plan.append((task, state, at))
        db.session.execute(insert(Submission.__table__), subs)
        sub_ids = list(db.session.scalars(select(Submission.id).order_by(Submission.id)))
        assert len(sub_ids) == total
        t_subs = time.perf_counter()

        jobs, results = [], []
        for sid, (task, state, at) in zip(sub_ids, plan):
            dur = rng.uniform(1.0, 8.0)
            started = at + timedelta(seconds=rng.uniform(0.05, 3.0))
            finished = started + timedelta(seconds=dur) if state in ("graded", "failed") else None
            jobs.append(cols(Job.__table__, {
                "submission_id": sid, "status": state, "priority": 0,
                "attempts": {"queued": 0, "running": 1, "graded": 1, "failed": 3}[state], "max_attempts": 3,
                "worker": f"bench:{sid % 4}" if state == "running" else None,
                "heartbeat_at": now if state == "running" else None,
                "enqueued_at": at, "available_at": at, "started_at": started if state != "queued" else None,
                "finished_at": finished,
                "error": "attempt 3: sandbox_error: seeded" if state == "failed" else None}))
            if state != "graded":
                continue
            tests, score, visible = [], 0.0, 0.0
            for t in task.tests:
                frac = rng.choice((1.0, 1.0, 1.0, 0.5, 0.0))
                pts = round(t.points * frac, 2)
                score += pts
                visible += pts if t.visibility.value == "visible" else 0.0
                tests.append({"name": t.name, "score": pts, "max_score": t.points,
                              "status": "passed" if frac == 1 else "partial" if frac else "failed",
                              "message": "" if frac == 1 else "seeded", "messages": {},
                              "visibility": t.visibility.value, "phase": t.phase.value,
                              "duration_s": round(rng.uniform(0.01, 1.0), 3), "description": t.description})
            results.append(cols(Result.__table__, {
                "submission_id": sid, "task_id": task.id, "score": round(score, 2), "max_score": task.points,
                "visible_score": round(visible, 2),
                "status": "ok" if score == task.points else "wrong",
                "message": "全部检查通过。" if score == task.points else "部分检查未通过。",
                "tests": tests, "artifacts": [], "artifacts_dir": None, "duration_s": round(dur, 2),
                "graded_at": finished}))
        db.session.execute(insert(Job.__table__), jobs)
        job_ids = dict(db.session.execute(select(Job.submission_id, Job.id)).all())
        attempts = []
        for sid, (task, state, at) in zip(sub_ids, plan):
            if state == "queued":
                continue
            attempts.append(cols(JobAttempt.__table__, {
                "job_id": job_ids[sid], "number": 1, "worker": f"bench:{sid % 4}", "started_at": at,
                "ended_at": None if state == "running" else at + timedelta(seconds=3),
                "outcome": {"graded": "graded", "failed": "sandbox_error"}.get(state),
                "detail": "seeded" if state == "failed" else None}))
        db.session.execute(insert(JobAttempt.__table__), attempts)
        if "job_id" in Result.__table__.c:
            for r in results:
                r["job_id"] = job_ids[r["submission_id"]]
        db.session.execute(insert(Result.__table__), results)
        theory_rows = 0
        if theory:
            try:
                from web.storage.models import TheoryScore
            except ImportError:
                TheoryScore = None
            if TheoryScore is not None:
                rows = [{"exam_id": exam.id, "candidate_id": cid, "score": round(rng.uniform(40, 100), 1),
                         "imported_at": now} for cid in cand_ids if rng.random() < 0.95]
                db.session.execute(insert(TheoryScore.__table__), rows)
                theory_rows = len(rows)
        db.session.commit()
        t_end = time.perf_counter()
        out.update(exam_id=exam.id, candidates=candidates, submissions=total, graded=submissions,
                   results=len(results), jobs=len(jobs), attempts=len(attempts), theory_scores=theory_rows,
                   extra_states=EXTRA_STATES, codes=codes,
                   seconds={"users": round(t_users - t0, 2), "submissions": round(t_subs - t_users, 2),
                            "total": round(t_end - t0, 2)})
        db.session.remove()
        db.engine.dispose()
    db_path = Path(instance) / "board.sqlite3"
    out["db_mib"] = round(db_path.stat().st_size / 2 ** 20, 1)
    progress(f"seeded {instance}: {candidates} candidates, {total} submissions ({submissions} graded with results), "
             f"{out['db_mib']} MiB, {out['seconds']['total']} s")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--instance", type=Path, required=True, help="a new (empty) folder")
    ap.add_argument("--candidates", type=int, default=5000)
    ap.add_argument("--submissions", type=int, default=20000, help="graded submissions with results")
    ap.add_argument("--codes", type=int, default=0, help="candidates with a known login code")
    ap.add_argument("--no-theory", action="store_true", help="no theory scores")
    a = ap.parse_args(argv)
    if a.instance.exists() and any(a.instance.iterdir()):
        ap.error(f"{a.instance} is not empty")
    print(json.dumps(seed(a.instance, candidates=a.candidates, submissions=a.submissions, codes=a.codes,
                          theory=not a.no_theory), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
