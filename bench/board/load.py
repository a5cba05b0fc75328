"""The board under load in the distributed mode: locust candidates uploading and polling while
two worker processes grade.

    python3 bench/board/load.py [--users 100] [--spawn-rate 20] [--run-time 75] [--upload-every 30] [--workers 2]

A whole deployment (bench/deploy.py, from support/cluster.py): redis-server, PostgreSQL, the
board (`practicum serve --broker --database`) and `--workers` `practicum worker -c 1`
processes, with `--users` candidates on the lab exam. Then bench/board/locustfile.py runs in
its own process (locust patches the standard library for gevent on import): each user signs
in with its one-time code, polls its latest receipt about once a second and the exam page
every fifth time, and uploads a full-marks `calc` answer every `--upload-every` seconds on
average (0.5x to 1.5x, first one spread over the first interval).

100 users uploading every few seconds would be some 20 uploads a second, twenty times what
two workers on two cores grade; the default of 30 s is still about 3 uploads a second, so
the queue grows through the run and drains after it. Measured: requests per second, p50,
p95 and p99 per kind of request, failures (any non-200 page, any upload not answered 303 to
its receipt), the machine's load while locust runs; then, once the queue has drained, that
every acknowledged upload was graded exactly once, and that the board committed no
submission it did not acknowledge.

Prints a table, writes bench/results/load.json (bench/results/ is git-ignored).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from deploy import (Deployment, Sampler, exactly_once, job_times, log_problems, table,  # noqa: E402
                    trap_signals, uptime, write_json)

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
FULL_MARKS = 4.0


def run_locust(cluster, codes: dict[str, str], args) -> dict:
    root = cluster.root
    codes_file, out = root / "codes.json", root / "locust.json"
    codes_file.write_text(json.dumps(list(codes.items())))
    cmd = [sys.executable, str(LOCUSTFILE), "--host", cluster.board_url, "--codes", str(codes_file),
           "--out", str(out), "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
           "--run-time", str(args.run_time), "--upload-every", str(args.upload_every)]
    with open(root / "locust.log", "wb") as log:
        # own session: Ctrl-C reaches only this script, whose `finally` ends it like the rest
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    try:
        code = proc.wait(timeout=args.run_time + 180)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    tail = (root / "locust.log").read_text(errors="replace")[-3000:]
    if code != 0 or not out.exists():
        raise SystemExit(f"locust ended with {code}:\n{tail}")
    record = json.loads(out.read_text())
    record["log_tail"] = tail[-1500:] if "Traceback" in tail or "Error" in tail else ""
    return record


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--spawn-rate", type=float, default=20)
    ap.add_argument("--run-time", type=float, default=75)
    ap.add_argument("--upload-every", type=float, default=30)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--drain-timeout", type=float, default=1200)
    ap.add_argument("--fast-clocks", action="store_true",
                    help="the fault tests' clocks (heartbeat 0.5 s) instead of the board's defaults (10 s)")
    args = ap.parse_args()
    trap_signals()

    try:
        with Deployment("load", fast_clocks=args.fast_clocks) as dep, dep.round("load") as cluster:
            for _ in range(args.workers):
                cluster.start_worker(1)
            codes = cluster.add_candidates(args.users)
            procs = {"board": cluster.board.pid, **{w.name: w.pid for w in cluster.workers}}
            print(f"board {cluster.board_url}, {args.workers} workers, {args.users} users for {args.run_time:g} s "
                  f"({uptime()})", flush=True)
            sampler = Sampler(procs).start()
            loc = run_locust(cluster, codes, args)
            load = sampler.stop()
            ids = [a["sid"] for a in loc["acknowledged"]]
            graded_by_end = cluster.scalar("select count(*) from submissions where status = 'graded'")
            print(f"locust done: {loc['total']['requests']} requests, {loc['total']['failures']} failures, "
                  f"{len(ids)} uploads acknowledged, {graded_by_end} graded so far; draining the queue...",
                  flush=True)
            t_drain = time.monotonic()
            drain_error = None
            try:
                cluster.wait_graded(ids, timeout=args.drain_timeout)
            except AssertionError as exc:
                drain_error = str(exc)[:2000]
            drain_s = time.monotonic() - t_drain
            once = exactly_once(cluster, ids, FULL_MARKS)
            unacked = [r[0] for r in cluster.rows(
                "select id from submissions where not (id = any(:ids)) order by id", ids=ids)]
            span = cluster.rows("""select extract(epoch from min(s.created_at)), extract(epoch from max(j.finished_at))
                                   from submissions s join jobs j on j.submission_id = s.id""")[0]
            jobs = job_times(cluster, ids)
            problems = log_problems(cluster)
            end_uptime = uptime()
    except KeyboardInterrupt:
        print("\ninterrupted: locust, servers, board and workers stopped, temp dirs removed", file=sys.stderr)
        return 130

    window = loc["ended"] - loc["started"]
    rows = [[e["name"], e["requests"], e["failures"], round(e["requests"] / window, 1),
             e["p50"], e["p95"], e["p99"], e["max_ms"]]
            for e in sorted(loc["requests"], key=lambda e: -e["requests"])]
    t = loc["total"]
    rows.append(["all", t["requests"], t["failures"], round(t["requests"] / window, 1), t["p50"], t["p95"], t["p99"],
                 t["max_ms"]])
    print()
    print(table(["request", "count", "failures", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows))
    grading_per_min = None
    if span[0] is not None and span[1] is not None:
        grading_per_min = round(len(ids) / (float(span[1]) - float(span[0])) * 60, 1)
    print(f"\nwindow {window:.1f} s; load while locust ran: cores busy {load['cpu_busy_pct']} %, load1 mean "
          f"{load['loadavg1_mean']} max {load['loadavg1_max']}; CPU % of one core: {load['process_cpu_pct_of_one_core']}")
    print(f"uploads acknowledged {len(ids)}, graded when locust stopped {graded_by_end}, queue drained in "
          f"{drain_s:.0f} s; grading {grading_per_min} /min first upload to last graded; graded attempt mean "
          f"{jobs['grading_s'].get('mean')} s, queue wait p50 {jobs['queue_wait_s'].get('p50')} s")
    print(f"exactly once: {once['ok']}/{once['checked']}; committed but not acknowledged: {unacked or 'none'}")
    if once["wrong"]:
        print(f"NOT graded exactly once: {once['wrong']}")
    if loc["failures"]:
        print(f"failures: {loc['failures'][:10]}")
    if problems:
        print("log lines worth a look: " + "; ".join(f"{k}: {v['count']}" for k, v in problems.items()))
    print(f"end: {end_uptime}")
    acked = loc.pop("acknowledged")
    path = write_json("load", {"args": vars(args), "locust": loc, "window_s": round(window, 1), "load": load,
                               "acknowledged": len(acked), "graded_when_locust_stopped": graded_by_end,
                               "drain_s": round(drain_s, 1), "drain_error": drain_error,
                               "grading_per_min": grading_per_min, "jobs": jobs, "exactly_once": once,
                               "committed_not_acknowledged": unacked, "log_problems": problems,
                               "uptime_end": end_uptime})
    print(f"wrote {path}")
    return 0 if (t["failures"] == 0 and not once["wrong"] and not unacked and not drain_error) else 1


if __name__ == "__main__":
    sys.exit(main())
