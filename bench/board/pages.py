"""(a) Page latency at exam scale: 5,000 candidates, 20,000 graded submissions with results.

    python3 bench/board/pages.py [--candidates 5000] [--submissions 20000] [--requests 200] [--clients 1]

Seeds a fresh SQLite board (seed.py: direct bulk inserts), starts the real board on
127.0.0.1 (`python -m web.cli serve --workers 0`: pages only, no grading), signs in as
the admin (and one seeded candidate) and, page by page, sends `--warmup` untimed
requests and then `--requests` timed ones from `--clients` threads, each with its own
keep-alive session. Timed: from sending the request until the whole body is read. A page
that answers 404 (not on the board yet) is listed as absent. Writes
bench/results/board-pages.json.
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from boardlib import Board, Client, summary, table, write_json  # noqa: E402
from seed import code_for, seed  # noqa: E402

TARGET_MS = 100.0


def pages(exam_id: int) -> list[tuple[str, str, str]]:
    """(label, path, who) — who: admin or candidate."""
    e = exam_id
    return [
        ("scoreboard (staff, live)", f"/staff/scoreboard/{e}", "admin"),
        ("scoreboard (public)", "/scoreboard/demo", "anon"),
        ("proctor dashboard", f"/staff/proctor/{e}", "admin"),
        ("proctor state.json (live poll)", f"/staff/proctor/{e}/state.json", "admin"),
        ("examiner exam page", f"/staff/examiner/exams/{e}", "admin"),
        ("examiner submissions (page 1)", f"/staff/examiner/exams/{e}/submissions", "admin"),
        ("item analysis", f"/staff/examiner/exams/{e}/analysis", "admin"),
        ("export.csv (all candidates)", f"/staff/examiner/exams/{e}/export.csv", "admin"),
        ("staff candidate list (all)", "/staff/", "admin"),
        ("candidate exam page", "/exam", "candidate"),
        ("candidate history", "/submissions", "candidate"),
    ]


def measure(base: str, cookies: dict, path: str, *, n: int, clients: int, warmup: int) -> dict:
    per: list[float] = []
    sizes: set[int] = set()
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    counts = [n // clients + (1 if i < n % clients else 0) for i in range(clients)]

    def worker(k: int) -> None:
        c = Client(base)
        c.s.cookies.update(cookies)
        for _ in range(warmup if k == 0 else 0):
            c.get(path).content
        mine = []
        for _ in range(counts[k]):
            t0 = time.perf_counter()
            r = c.get(path)
            body = r.content
            mine.append(time.perf_counter() - t0)
            with lock:
                sizes.add(len(body))
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        with lock:
            per.extend(mine)

    if warmup:
        worker_threads = [threading.Thread(target=worker, args=(0,))]
        counts_saved = counts[0]
        counts[0] = 0
        worker_threads[0].start()
        worker_threads[0].join()
        counts[0] = counts_saved
        per.clear(); sizes.clear(); statuses.clear()   # noqa: E702
    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {**summary(per), "rps": round(len(per) / wall, 1), "bytes": max(sizes) if sizes else 0,
            "statuses": statuses}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--candidates", type=int, default=5000)
    ap.add_argument("--submissions", type=int, default=20000)
    ap.add_argument("--requests", type=int, default=200, help="timed requests per page")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--clients", type=int, default=1, help="concurrent client threads")
    ap.add_argument("--instance", type=Path, help="a seeded instance to reuse (default: a fresh temp one)")
    ap.add_argument("--only", help="measure only pages whose label contains this")
    a = ap.parse_args(argv)

    tmp = None
    if a.instance and (a.instance / "board.sqlite3").exists():
        instance, seeded = a.instance, {"reused": str(a.instance)}
    else:
        if a.instance is None:
            tmp = tempfile.TemporaryDirectory(prefix="board-pages-")
        instance = a.instance or Path(tmp.name) / "instance"
        seeded = seed(instance, candidates=a.candidates, submissions=a.submissions, codes=1)
    con = sqlite3.connect(instance / "board.sqlite3")
    exam_id = con.execute("select id from exams where key='demo'").fetchone()[0]
    cols = {r[1] for r in con.execute("pragma table_info(exams)")}
    if "board_public" in cols:                         # let the public scoreboard show
        con.execute("update exams set board_public=1 where id=?", (exam_id,))
        con.commit()
    counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0]
              for t in ("users", "submissions", "results", "jobs")}
    con.close()

    rows, record = [], {}
    with Board(instance, workers=0) as board:
        admin = Client(board.url).login_staff("admin1")
        cand = Client(board.url).login_candidate("B00001", code_for("B00001"))
        jars = {"admin": dict(admin.s.cookies), "candidate": dict(cand.s.cookies), "anon": {}}
        print(f"board {board.url} pid {board.pid}; {counts}; {a.requests} requests x {a.clients} client(s) per page",
              flush=True)
        for label, path, who in pages(exam_id):
            if a.only and a.only not in label:
                continue
            probe = Client(board.url)
            probe.s.cookies.update(jars[who])
            r = probe.get(path)
            if r.status_code == 404:
                rows.append([label, path, "absent (404)", "", "", "", "", "", ""])
                record[label] = {"path": path, "absent": True}
                continue
            if r.status_code != 200:
                raise SystemExit(f"{path}: HTTP {r.status_code} as {who}")
            cpu0 = board.cpu_seconds()
            m = measure(board.url, jars[who], path, n=a.requests, clients=a.clients, warmup=a.warmup)
            m["board_cpu_s_per_request"] = round((board.cpu_seconds() - cpu0) / max(1, m["n"]) * 1000, 1)
            m["path"] = path
            record[label] = m
            ok = ("met" if m["p95"] < TARGET_MS else "MISSED") if label.startswith("scoreboard") else ""
            rows.append([label, path, m["p50"], m["p95"], m["p99"], m["max"], m["rps"],
                         f"{m['bytes'] / 1024:.0f} KiB", ok])
            print(f"  {label}: p50 {m['p50']} ms, p95 {m['p95']} ms", flush=True)
        rss = board.rss_mib()
    print()
    print(table(["page", "path", "p50 ms", "p95 ms", "p99 ms", "max ms", "req/s", "size", f"target p95<{TARGET_MS:g}"], rows))
    path = write_json("pages" if a.clients == 1 else f"pages-c{a.clients}",
                      {"seed": seeded, "rows": counts, "requests": a.requests, "warmup": a.warmup,
                       "clients": a.clients, "target_p95_ms": TARGET_MS, "board_rss_mib": round(rss, 1),
                       "pages": record})
    print(f"\nwritten {path}")
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
