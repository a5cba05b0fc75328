"""What the worker API costs per job: one job's round of gateway calls (record, claim, work,
upload and package fetched, heartbeat, finish with a result and one artifact), no grading,
through `BoardGateway` (HTTP to the board served on this machine) against `DatabaseGateway`
(the same calls on the database), alternating the two (ABBA) so drift hits both.

    python3 bench/worker_api.py                  # 60 jobs per round, 4 rounds, SQLite
    python3 bench/worker_api.py --jobs 30 --rounds 2

The package and upload caches are emptied before every job, so each round trip fetches both
blobs (a worker's first job of an exam; later ones read its cache). Writes
bench/results/worker_api.json. Grading one job takes seconds (docs/scale.md: 1.1-2.4 s on two
cores); this is the part the API adds to it.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402,F401  (puts the repository on sys.path)

from sqlalchemy import select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from web.grading.direct import DatabaseGateway  # noqa: E402
from web.grading.dispatch import get_queue  # noqa: E402
from web.grading.gateway import BoardGateway, Finish  # noqa: E402
from web.pages.app import create_app  # noqa: E402
from web.services import accounts, exams, worker_tokens  # noqa: E402
from web.services.roster import RosterRow  # noqa: E402
from web.storage.db import db, upgrade  # noqa: E402
from web.storage import content  # noqa: E402
from web.storage.models import AttemptOutcome, Job, JobStatus, Submission, SubmissionStatus, User  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "exams" / "demo"
SHAPES = REPO / "reference_solutions" / "demo" / "full" / "shapes.py"
RESULT = {"task_id": "shapes", "score": 5.0, "max_score": 5.0, "status": "ok", "message": "ok", "messages": None,
          "tests": [{"name": "t", "score": 5.0, "visibility": "visible"}], "artifacts": ["out.png"],
          "artifacts_dir": None, "duration_s": 1.0, "worker_speed": 1.0, "time_factor": 1.0}


def queued_jobs(app, n: int) -> tuple[list[int], str]:
    """n queued jobs of one shapes.py submission (its bytes kept as a blob, as the board's
    upload keeps them), and their queue."""
    with app.app_context():
        exam = exams.register_exam(DEMO)
        [code] = accounts.import_roster(exam, [RosterRow(1, "2024001", "考生", "A1")])
        user = db.session.scalar(select(User).where(User.username == code.number))
        sha = content.put_file(SHAPES)
        sub = Submission(candidate_id=user.id, exam_id=exam.id, task_id="shapes", filename=SHAPES.name,
                         size=SHAPES.stat().st_size, lang="en", sha256=sha, status=SubmissionStatus.QUEUED)
        db.session.add(sub)
        db.session.commit()
        image = exams.package(exam).image
        ids = [get_queue(app).enqueue(sub.id, image) for _ in range(n)]
        queue = db.session.scalar(select(Job.queue))
        db.session.remove()
    return ids, queue


def one_job(gw, job_id: int, name: str, cache: Path) -> float:
    shutil.rmtree(cache, ignore_errors=True)         # both blobs cross the wire every time
    t0 = time.perf_counter()
    claim = gw.claim(f"{name}/t", job_id)
    work = gw.work_of(claim)
    gw.blob(claim, work.sha256)
    gw.package(claim, work.package_sha256)
    gw.heartbeat([claim])
    done = gw.finish(claim, Finish(AttemptOutcome.GRADED, result=RESULT, artifacts={"out.png": b"x" * 50_000}))
    assert done.status is JobStatus.GRADED, done
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=4)
    args = ap.parse_args()
    import logging
    logging.getLogger("werkzeug").setLevel(logging.WARNING)     # not a line per request
    root = Path(tempfile.mkdtemp(prefix="bench-worker-api-"))
    try:
        app = create_app({"INSTANCE_PATH": str(root / "board"), "RETRY_DELAY_S": 0.0})
        upgrade(app)
        ids, queue = queued_jobs(app, args.jobs * args.rounds)
        with app.app_context():
            _, secret = worker_tokens.create("bench")
            db.session.remove()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        cache = root / "cache"
        os.environ["PRACTICUM_CACHE"] = str(cache)       # DatabaseGateway's cache (content.cache_root)
        board = BoardGateway(f"http://127.0.0.1:{server.server_port}", secret, cache=cache / "blobs")
        direct = DatabaseGateway(app)
        values = {"host": "bench", "queues": queue, "mode": "celery", "slots": 1, "busy": 0, "done": 0,
                  "failed": 0, "status": "up", "speed": 1.0}
        board.record("bench:1", values)
        times = {"board": [], "direct": []}
        order = ["board", "direct", "direct", "board"] * ((args.rounds + 3) // 4)
        it = iter(ids)
        for mode in order[:args.rounds]:
            gw = board if mode == "board" else direct
            for _ in range(args.jobs):
                times[mode].append(one_job(gw, next(it), "bench:1", cache))
        server.shutdown()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    out = {m: {"n": len(v), "mean_ms": round(statistics.mean(v) * 1000, 1),
               "p50_ms": round(statistics.median(v) * 1000, 1),
               "p95_ms": round(sorted(v)[int(len(v) * 0.95) - 1] * 1000, 1)} for m, v in times.items() if v}
    out["load1"] = os.getloadavg()[0]
    print(json.dumps(out, indent=2))
    results = REPO / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "worker_api.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
