"""Candidates under load, for bench/board/load.py: locust users that sign in with a one-time
code, upload full-marks `calc` answers now and then, and poll their latest receipt about
once a second, with a look at the exam page every few polls.

It runs in its own process because locust monkey-patches the standard library for gevent on
import, which the deployment harness (threads, subprocesses, psycopg) must not get. Run by
load.py as

    python bench/board/locustfile.py --host URL --codes codes.json --out stats.json \
        [--users 100] [--spawn-rate 20] [--run-time 75] [--upload-every 30]

with locust as a library (an Environment and a local runner, no web UI). It writes the
per-request statistics and every acknowledged upload's id to --out. `python -m locust -f`
can load the same file (CandidateUser) with BENCH_CODES and BENCH_UPLOAD_EVERY set.
"""
from __future__ import annotations

import json
import os
import random
import re
import time

from locust import HttpUser, between, task

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SID = re.compile(r"/submissions/(\d+)")
TIMEOUT = 60
# the lab exam's `calc` task, as support/cluster.py's calc_solution(): 4 points
ANSWER = b"def add(a, b):\n    return a + b\n"

settings = {"codes": [], "upload_every": float(os.environ.get("BENCH_UPLOAD_EVERY", "30"))}
if os.environ.get("BENCH_CODES"):
    with open(os.environ["BENCH_CODES"]) as _fh:
        settings["codes"] = json.load(_fh)
acknowledged: list[dict] = []      # every upload the board answered with a receipt
_taken = 0


def _next_code() -> tuple[str, str]:
    """Each user its own candidate: a code signs in once, and two users on one account would
    share an upload history and a CSRF session."""
    global _taken
    number, code = settings["codes"][_taken]
    _taken += 1
    return number, code


class CandidateUser(HttpUser):
    wait_time = between(0.8, 1.2)

    def on_start(self) -> None:
        self.number, code = _next_code()
        self.sids: list[int] = []
        self.polls = 0
        self.token = None
        page = self.client.get("/login", name="GET /login", timeout=TIMEOUT)
        token = CSRF.search(page.text)
        with self.client.post("/login", name="POST /login", timeout=TIMEOUT, allow_redirects=False,
                              data={"number": self.number, "code": code, "csrf_token": token and token.group(1)},
                              catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"sign-in answered {r.status_code}")
                self.stop()
                return
        # uploads start spread over the first interval, not all in the first second
        every = settings["upload_every"]
        self.next_upload = time.monotonic() + random.uniform(0.0, every)

    @task
    def step(self) -> None:
        if time.monotonic() >= self.next_upload:
            self.upload()
            self.next_upload = time.monotonic() + settings["upload_every"] * random.uniform(0.5, 1.5)
        elif self.sids and self.polls % 5:
            self.receipt()
        else:
            self.exam_page()
        self.polls += 1

    def exam_page(self) -> None:
        with self.client.get("/exam", name="GET /exam", timeout=TIMEOUT, catch_response=True) as r:
            m = CSRF.search(r.text) if r.status_code == 200 else None
            if not m:
                r.failure(f"/exam answered {r.status_code} without a form")
                return
            self.token = m.group(1)

    def receipt(self) -> None:
        with self.client.get(f"/submissions/{self.sids[-1]}", name="GET /submissions/[id]", timeout=TIMEOUT,
                             catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"receipt answered {r.status_code}")

    def upload(self) -> None:
        """As the browser: the form on /exam, then the multipart POST, answered 303 to the receipt."""
        self.exam_page()
        if self.token is None:
            return
        body = ANSWER + f"# {self.number} {len(self.sids)} {time.time()}\n".encode()
        with self.client.post("/exam/calc/upload", name="POST /exam/calc/upload", timeout=TIMEOUT,
                              allow_redirects=False, data={"csrf_token": self.token},
                              files={"file": ("calc.py", body, "text/x-python")}, catch_response=True) as r:
            m = SID.search(r.headers.get("Location", ""))
            if r.status_code != 303 or not m:
                r.failure(f"upload answered {r.status_code}: {r.text[:200]!r}")
                return
            sid = int(m.group(1))
            self.sids.append(sid)
            acknowledged.append({"number": self.number, "sid": sid, "at": time.time()})


def _entry(e) -> dict:
    pct = {f"p{int(q * 100)}": e.get_response_time_percentile(q) for q in (0.5, 0.95, 0.99)}
    return {"method": e.method, "name": e.name, "requests": e.num_requests, "failures": e.num_failures,
            "mean_ms": round(e.avg_response_time, 1), **pct, "max_ms": round(e.max_response_time or 0, 1),
            "rps": round(e.total_rps, 2)}


def main() -> None:
    import argparse

    import gevent
    from locust.env import Environment

    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--codes", required=True, help="JSON list of [number, code]")
    ap.add_argument("--out", required=True)
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--spawn-rate", type=float, default=20)
    ap.add_argument("--run-time", type=float, default=75)
    ap.add_argument("--upload-every", type=float, default=30)
    args = ap.parse_args()
    with open(args.codes) as fh:
        settings["codes"] = json.load(fh)
    settings["upload_every"] = args.upload_every
    if len(settings["codes"]) < args.users:
        raise SystemExit(f"{args.users} users need as many candidates, got {len(settings['codes'])}")

    # stop_timeout: users finish the request they are in, so an upload is not cut between the
    # board's commit and its answer (it would be graded but never acknowledged)
    env = Environment(user_classes=[CandidateUser], host=args.host, stop_timeout=TIMEOUT)
    runner = env.create_local_runner()
    t0 = time.time()
    runner.start(args.users, spawn_rate=args.spawn_rate)
    gevent.spawn_later(args.run_time, runner.quit)
    runner.greenlet.join()
    t1 = time.time()

    stats = env.stats
    failures = [{"method": f.method, "name": f.name, "error": str(f.error)[:300], "count": f.occurrences}
                for f in stats.errors.values()]
    record = {"users": args.users, "spawn_rate": args.spawn_rate, "run_time_s": args.run_time,
              "upload_every_s": args.upload_every, "started": t0, "ended": t1,
              "total": _entry(stats.total), "requests": [_entry(e) for e in stats.entries.values()],
              "failures": failures, "acknowledged": acknowledged,
              "exceptions": [str(x)[:500] for x in runner.exceptions.values()]}
    with open(args.out, "w") as fh:
        json.dump(record, fh, indent=1)


if __name__ == "__main__":
    main()
