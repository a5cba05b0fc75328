"""(b) Upload to result visible, for a trivial submission, through HTTP with the real worker and engine.

    python3 bench/board/latency.py [--runs 10] [--workers 2] [--poll 0.05]

A fresh board (`python -m web.cli serve --exam exams/demo`, the embedded worker pool,
the real Docker engine) with one candidate. Each run uploads the demo's reference
`fast.py` (task `fast`: one candidate sandbox, no judge; a comment makes every upload's
bytes different) as a browser form does, then polls `/submissions/<id>/status` every
`--poll` seconds until it says graded, then fetches the receipt page and checks the
score is on it. Alongside, an SSE stream (`/events`, what the candidate's browser
listens to) records when the `graded` event arrives. The job's timestamps in the
database (enqueued, started, finished: same host clock) split the time into upload,
queue wait, grading, and notice. One warm-up run first (not counted).
Writes bench/results/board-latency.json.
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from boardlib import DEMO, ROOT, Board, Client, quantile, table, utc_ts, write_json  # noqa: E402

TRIVIAL = ROOT / "reference_solutions" / "demo" / "full" / "fast.py"
TARGET_S = 2.0


def make_board(instance: Path) -> tuple[str, str]:
    from web.services import accounts
    from web.storage.db import db
    from web.storage.models import Exam
    from web.services.roster import RosterRow
    from web.serve import prepare

    app = prepare([DEMO], instance_path=instance, secure_cookies=False)
    with app.app_context():
        exam = db.session.scalars(db.select(Exam)).one()
        issued = accounts.import_roster(exam, [RosterRow(1, "L0001", "延迟测试", "A01")])
        db.session.remove()
        db.engine.dispose()
    return issued[0].number, issued[0].code


class SSEWatch(threading.Thread):
    """The candidate's event stream: first wall time each (submission, status) arrived."""

    def __init__(self, client: Client):
        super().__init__(daemon=True)
        self.client, self.seen, self.stop = client, {}, threading.Event()

    def run(self) -> None:
        import requests

        while not self.stop.is_set():
            try:
                with self.client.s.get(self.client.base + "/events", stream=True, timeout=(5, 400)) as r:
                    for line in r.iter_lines(decode_unicode=True):
                        if self.stop.is_set():
                            return
                        if line and line.startswith("data: "):
                            d = json.loads(line[6:])
                            self.seen.setdefault((d["id"], d["status"]), time.time())
            except requests.RequestException:       # the stream ended (SSE_MAX_S) or the board stopped
                self.stop.wait(0.5)


def one_run(c: Client, sse: SSEWatch, n: int, poll: float) -> dict:
    body = TRIVIAL.read_bytes() + f"\n# latency run {n} {time.time()}\n".encode()
    token = c.token("/exam")
    t0, w0 = time.perf_counter(), time.time()
    r = c.s.post(c.base + "/exam/fast/upload", data={"csrf_token": token},
                 files={"file": ("fast.py", body, "text/x-python")}, allow_redirects=False, timeout=60)
    t_ack = time.perf_counter()
    assert r.status_code == 303, (r.status_code, r.text[:300])
    sid = int(r.headers["Location"].split("/submissions/")[1].split("?")[0])
    seen, polls = {}, 0
    while True:
        status = c.get(f"/submissions/{sid}/status").json()["status"]
        polls += 1
        now = time.perf_counter()
        seen.setdefault(status, now)
        if status in ("graded", "failed"):
            break
        if now - t0 > 300:
            raise SystemExit(f"submission {sid} not graded in 300 s")
        time.sleep(poll)
    page = c.get(f"/submissions/{sid}").text
    t_vis = time.perf_counter()
    assert status == "graded" and 'class="score"' in page, f"submission {sid}: {status}"
    deadline = time.time() + 5
    while (sid, "graded") not in sse.seen and time.time() < deadline:
        time.sleep(0.01)
    return {"sid": sid, "t0_wall": w0, "upload_s": t_ack - t0, "seen_running_s": seen.get("running", t_ack) - t0,
            "seen_graded_s": seen["graded"] - t0, "visible_s": t_vis - t0, "polls": polls,
            "sse_graded_wall": sse.seen.get((sid, "graded"))}


def add_db_times(instance: Path, runs: list[dict]) -> None:
    con = sqlite3.connect(f"file:{instance / 'board.sqlite3'}?mode=ro", uri=True)
    for r in runs:
        enq, started, finished, attempts = con.execute(
            "select enqueued_at, started_at, finished_at, attempts from jobs where submission_id=? order by id desc",
            (r["sid"],)).fetchone()
        created = con.execute("select created_at from submissions where id=?", (r["sid"],)).fetchone()[0]
        dur = con.execute("select duration_s from results where submission_id=?", (r["sid"],)).fetchone()[0]
        w0 = r["t0_wall"]
        r.update(attempts=attempts, engine_task_s=dur,
                 row_created_s=utc_ts(created) - w0, enqueued_s=utc_ts(enq) - w0,
                 started_s=utc_ts(started) - w0, finished_s=utc_ts(finished) - w0)
        r["queue_wait_s"] = r["started_s"] - r["enqueued_s"]
        r["grading_s"] = r["finished_s"] - r["started_s"]              # the worker's whole job
        r["poll_notice_s"] = r["seen_graded_s"] - r["finished_s"]
        r["sse_notice_s"] = (r["sse_graded_wall"] - w0 - r["finished_s"]) if r["sse_graded_wall"] else None
        r["overhead_s"] = r["visible_s"] - r["grading_s"]              # everything but the grading itself
        r["sse_visible_s"] = (r["sse_graded_wall"] - w0) if r["sse_graded_wall"] else None
    con.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2, help="grading threads of the board")
    ap.add_argument("--poll", type=float, default=0.05, help="seconds between status polls")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="board-latency-") as tmp:
        instance = Path(tmp) / "instance"
        number, code = make_board(instance)
        with Board(instance, workers=a.workers) as board:
            c = Client(board.url).login_candidate(number, code)
            sse = SSEWatch(Client(board.url))
            sse.client.s.cookies.update(c.s.cookies)
            sse.start()
            time.sleep(0.5)
            print(f"board {board.url} pid {board.pid}, {a.workers} workers; warm-up run", flush=True)
            one_run(c, sse, 0, a.poll)
            runs = []
            for n in range(1, a.runs + 1):
                r = one_run(c, sse, n, a.poll)
                runs.append(r)
                print(f"  run {n}: visible after {r['visible_s']:.2f} s", flush=True)
            sse.stop.set()
        add_db_times(instance, runs)

    keys = [("upload_s", "upload (POST → 303)"), ("queue_wait_s", "queue wait (enqueued → started)"),
            ("grading_s", "grading (started → finished)"), ("engine_task_s", "  of which engine's task time"),
            ("poll_notice_s", "finished → status says graded"), ("seen_graded_s", "upload → status graded"),
            ("visible_s", "upload → result page visible"), ("overhead_s", "visible minus grading"),
            ("sse_notice_s", "finished → SSE graded event"), ("sse_visible_s", "upload → SSE graded event")]
    rows, stats = [], {}
    for k, label in keys:
        v = [r[k] for r in runs if r.get(k) is not None]
        stats[k] = {"median": round(quantile(v, 0.5), 3), "p95": round(quantile(v, 0.95), 3),
                    "min": round(min(v), 3), "max": round(max(v), 3)}
        rows.append([label, f"{stats[k]['median']:.3f}", f"{stats[k]['p95']:.3f}", f"{stats[k]['min']:.3f}",
                     f"{stats[k]['max']:.3f}"])
    print()
    print(table(["seconds", "median", "p95", "min", "max"], rows))
    ok = stats["overhead_s"]["p95"] < TARGET_S
    print(f"\nvisible minus grading p95 {stats['overhead_s']['p95']:.2f} s: target < {TARGET_S:g} s "
          f"{'met' if ok else 'MISSED'}")
    path = write_json("latency", {"runs_n": a.runs, "workers": a.workers, "poll_s": a.poll, "target_s": TARGET_S,
                                  "submission": str(TRIVIAL.relative_to(ROOT)), "stats": stats, "runs": runs})
    print(f"written {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
