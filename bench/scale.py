"""Throughput of the distributed mode with 1, 2 and 4 worker processes on this machine.

    python3 bench/scale.py [--workers 1,2,4] [--submissions 80] [--candidates 20] [--variant]

Each round is a whole deployment (bench/deploy.py, from support/cluster.py): a flushed
redis-server, a new PostgreSQL database, the board (`practicum serve --broker --database`,
grading nothing) and N `practicum worker -c C` processes, each with its own instance folder.
Candidates sign in over HTTP, then a warm-up of N*C submissions is graded and not counted
(each worker's first job fetches the exam package from the database). Then every candidate
uploads its share of `--submissions` full-marks answers to the lab exam's `calc` task
(calc_solution() plus a comment, so each upload is a different file), one thread per
candidate, each upload sent as soon as the last was acknowledged.

Measured: the window from the first upload to the last job finished (jobs.finished_at),
submissions per minute over it; per job, from job_attempts, the graded attempt's duration
(started_at to ended_at: fetch, both sandbox phases, writing the result) and the queue wait;
the cores' busy share and the 1-minute load average during the window. Every submission must
be graded exactly once (one result, one graded attempt, 4 points); any that is not is listed.
`--variant` adds a round of 2 workers with `-c 2` each.

Prints a table, writes bench/results/scale.json (bench/results/ is git-ignored).
"""
from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from deploy import (Deployment, Sampler, exactly_once, job_times, log_problems, table,  # noqa: E402
                    trap_signals, uptime, write_json)

from support.cluster import Candidate, calc_solution  # noqa: E402

FULL_MARKS = 4.0


def answer(tag: str) -> bytes:
    return calc_solution() + f"# {tag}\n".encode()


def burst(people: list[Candidate], total: int) -> tuple[list[int], list[str], float, float]:
    """Every candidate uploads its share back to back; (ids, errors, first upload wall time, seconds)."""
    shares = [total // len(people) + (1 if i < total % len(people) else 0) for i in range(len(people))]
    ids, errors, lock = [], [], threading.Lock()
    go = threading.Event()

    def run(p: Candidate, n: int) -> None:
        go.wait()
        for k in range(n):
            try:
                sid = p.upload(answer(f"{p.number} {k} {time.time()}"))
                with lock:
                    ids.append(sid)
            except Exception as exc:       # noqa: BLE001 - counted and shown, the burst goes on
                with lock:
                    errors.append(f"{p.number}: {exc!r}"[:300])

    threads = [threading.Thread(target=run, args=(p, n), daemon=True) for p, n in zip(people, shares)]
    for t in threads:
        t.start()
    t0, p0 = time.time(), time.perf_counter()
    go.set()
    for t in threads:
        t.join()
    return ids, errors, t0, time.perf_counter() - p0


def one_round(dep: Deployment, workers: int, concurrency: int, total: int, candidates: int) -> dict:
    name = f"{workers}x-c{concurrency}"
    print(f"\n== {name}: board + {workers} worker(s) -c {concurrency}, {total} submissions "
          f"({uptime()})", flush=True)
    with dep.round(name) as cluster:
        for _ in range(workers):
            cluster.start_worker(concurrency)
        codes = cluster.add_candidates(candidates)
        people = [Candidate(cluster, n, c) for n, c in codes.items()]

        warm = [people[i % len(people)].upload(answer(f"warm-up {i}")) for i in range(workers * concurrency)]
        cluster.wait_graded(warm, timeout=180)

        procs = {"board": cluster.board.pid, **{w.name: w.pid for w in cluster.workers}}
        sampler = Sampler(procs).start()
        ids, errors, t0, upload_s = burst(people, total)
        print(f"   {len(ids)} uploads acknowledged in {upload_s:.1f} s; grading...", flush=True)
        timed_out = None
        try:
            cluster.wait_graded(ids, timeout=max(300.0, total * 10.0))
        except AssertionError as exc:
            timed_out = str(exc)[:2000]
        load = sampler.stop()
        last = cluster.scalar("select extract(epoch from max(finished_at)) from jobs "
                              "where submission_id = any(:ids)", ids=ids)
        window = (float(last) - t0) if last is not None else None
        times = job_times(cluster, ids)
        once = exactly_once(cluster, ids, FULL_MARKS)
        return {
            "name": name, "workers": workers, "concurrency": concurrency, "slots": workers * concurrency,
            "submissions": len(ids), "upload_errors": errors, "uploads_s": round(upload_s, 2),
            "window_s": round(window, 2) if window else None,
            "per_min": round(len(ids) / window * 60, 1) if window else None,
            "timed_out": timed_out, "jobs": times, "exactly_once": once, "load": load,
            "log_problems": log_problems(cluster),
        }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", default="1,2,4", help="worker processes per round, comma-separated")
    ap.add_argument("--concurrency", type=int, default=1, help="-c of each worker")
    ap.add_argument("--submissions", type=int, default=80)
    ap.add_argument("--candidates", type=int, default=20)
    ap.add_argument("--variant", action="store_true", help="also 2 workers with -c 2 each")
    ap.add_argument("--fast-clocks", action="store_true",
                    help="the fault tests' clocks (heartbeat 0.5 s) instead of the board's defaults (10 s)")
    args = ap.parse_args()
    trap_signals()

    plan = [(int(n), args.concurrency) for n in args.workers.split(",")]
    if args.variant:
        plan.append((2, 2))
    rounds = []
    try:
        with Deployment("scale", fast_clocks=args.fast_clocks) as dep:
            for workers, conc in plan:
                r = one_round(dep, workers, conc, args.submissions, args.candidates)
                rounds.append(r)
                print(f"   {r['per_min']} submissions/min, graded attempt mean {r['jobs']['grading_s'].get('mean')} s, "
                      f"cores busy {r['load']['cpu_busy_pct']} %, exactly once {r['exactly_once']['ok']}/"
                      f"{r['exactly_once']['checked']}", flush=True)
    except KeyboardInterrupt:
        # the rounds done so far are printed; scale.json keeps the last complete run
        print("\ninterrupted: servers, board and workers stopped, temp dirs removed", file=sys.stderr)
        interrupted = True
        if not rounds:
            return 130
    else:
        interrupted = False

    rows = []
    for r in rounds:
        j, ld = r["jobs"], r["load"]
        rows.append([r["name"], r["slots"], r["submissions"], r["window_s"], r["per_min"],
                     j["grading_s"].get("mean"), j["grading_s"].get("p95"), j["engine_task_s"].get("mean"),
                     j["queue_wait_s"].get("p50"), ld["cpu_busy_pct"], ld["loadavg1_mean"], ld["loadavg1_max"],
                     f"{r['exactly_once']['ok']}/{r['exactly_once']['checked']}"])
    print()
    print(table(["workers", "slots", "subs", "window s", "subs/min", "job mean s", "job p95 s", "engine s",
                 "wait p50 s", "cores busy %", "load1 mean", "load1 max", "exactly once"], rows))
    for r in rounds:
        if r["exactly_once"]["wrong"] or r["upload_errors"] or r["timed_out"]:
            print(f"\n{r['name']}: NOT graded exactly once: {r['exactly_once']['wrong']}\n"
                  f"upload errors: {r['upload_errors'][:5]}\ntimed out: {r['timed_out']}")
        if r["log_problems"]:
            print(f"\n{r['name']}: log lines worth a look: "
                  + "; ".join(f"{k}: {v['count']}" for k, v in r["log_problems"].items()))
    if interrupted:
        return 130
    path = write_json("scale", {"args": vars(args), "rounds": rounds})
    print(f"\nwrote {path}")
    return 0 if all(not r["exactly_once"]["wrong"] and not r["upload_errors"] for r in rounds) else 1


if __name__ == "__main__":
    sys.exit(main())
