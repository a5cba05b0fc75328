"""(c) Server-Sent Events with 500 connected watchers: connection success and delivery latency.

    python3 bench/board/sse.py [--watchers 500] [--rounds 3] [--uploads 5]

A fresh board (`python -m web.cli serve --exam exams/demo`, the embedded worker pool and
the real engine, default settings: SSE_POLL_S 1 s) with `--watchers` candidates, each signed
in through the login form with their one-time code and each owning one graded submission
(seeded directly in the database). Then, from one asyncio loop with raw sockets on
127.0.0.1, every watcher opens `GET /events` as the candidate's browser does and parses the
stream (HTTP/1.1, chunked). Measured:

* connection: watchers whose stream answered 200 and delivered the initial snapshot event,
  and the time from opening all of them at once to each one's first event;
* delivery: `--rounds` times, every watcher's submission changes state in one committed
  UPDATE (graded → running, then back); latency = the event's arrival minus the commit;
* real jobs: `--uploads` watchers upload a trivial submission through HTTP (graded by the
  real worker); latency of their queued/running/graded events against the job's own
  timestamps in the database (same host clock);
* the board while the watchers are connected: CPU share when idle, threads, memory, and the
  p95 of a candidate's exam page.

Writes bench/results/board-sse.json.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from boardlib import DEMO, ROOT, Board, Client, summary, table, utc_ts, write_json  # noqa: E402

TRIVIAL = ROOT / "reference_solutions" / "demo" / "full" / "fast.py"


def make_board(instance: Path, n: int) -> tuple[dict[str, str], dict[str, int]]:
    """n candidates with codes, each owning one graded submission. ({number: code}, {number: sid})"""
    from datetime import timedelta

    from sqlalchemy import insert, select

    from web.services import accounts
    from web.storage.db import db, utcnow
    from web.storage.models import Exam, Job, Result, Submission, User
    from web.services.roster import RosterRow
    from web.serve import prepare

    app = prepare([DEMO], instance_path=instance, secure_cookies=False)
    with app.app_context():
        exam = db.session.scalars(db.select(Exam)).one()
        rows = [RosterRow(i + 1, f"S{i + 1:04d}", f"考生{i + 1}", f"{i // 50 + 1:02d}-{i % 50 + 1:02d}") for i in range(n)]
        codes = {c.number: c.code for c in accounts.import_roster(exam, rows)}
        ids = dict(db.session.execute(select(User.username, User.id).where(User.username.in_(list(codes)))).all())
        at = utcnow() - timedelta(minutes=5)
        subs = [{"candidate_id": ids[num], "exam_id": exam.id, "task_id": "fast", "sha256": f"{i:064x}",
                 "filename": "fast.py", "size": 100, "stored_path": None, "lang": "zh", "status": "graded",
                 "created_at": at, "updated_at": at} for i, num in enumerate(codes)]
        db.session.execute(insert(Submission.__table__), subs)
        sids = dict(db.session.execute(select(User.username, Submission.id)
                                       .join(Submission, Submission.candidate_id == User.id)).all())
        db.session.execute(insert(Job.__table__), [
            {"submission_id": sid, "status": "graded", "priority": 0, "attempts": 1, "max_attempts": 3,
             "enqueued_at": at, "available_at": at, "started_at": at, "finished_at": at} for sid in sids.values()])
        rc = Result.__table__.c
        db.session.execute(insert(Result.__table__), [
            {k: v for k, v in {"submission_id": sid, "task_id": "fast", "score": 4.0, "max_score": 4.0,
                               "visible_score": 4.0, "status": "ok", "message": "全部检查通过。", "tests": [],
                               "artifacts": [], "duration_s": 1.0, "graded_at": at}.items() if k in rc}
            for sid in sids.values()])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return codes, sids


class Watcher:
    def __init__(self, number: str, cookie: str, sid: int):
        self.number, self.cookie, self.sid = number, cookie, sid
        self.status = None
        self.error: str | None = None
        self.opened = self.first_event = None
        self.events: list[tuple[float, int, str]] = []      # (wall time, submission id, status)
        self.ended = False

    def first(self, sid: int, status: str, after: float) -> float | None:
        for at, s, st in self.events:
            if s == sid and st == status and at >= after:
                return at
        return None


async def watch(w: Watcher, host: str, port: int, stop: asyncio.Event) -> None:
    w.opened = time.time()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 30)
    except Exception as exc:                          # noqa: BLE001 - counted, not raised
        w.error = f"connect: {type(exc).__name__}: {exc}"
        return
    writer.write((f"GET /events HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
                  f"Cache-Control: no-cache\r\nCookie: {w.cookie}\r\n\r\n").encode())
    try:
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
        lines = head.decode("latin-1").split("\r\n")
        w.status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:] if l)}
        if w.status != 200 or "text/event-stream" not in headers.get("content-type", ""):
            w.error = f"HTTP {w.status} {headers.get('content-type')}"
            return
        chunked = headers.get("transfer-encoding", "").lower() == "chunked"
        buf, event, data = b"", None, None
        stop_task = asyncio.ensure_future(stop.wait())
        while True:
            if chunked:
                read = asyncio.ensure_future(reader.readuntil(b"\r\n"))
            else:
                read = asyncio.ensure_future(reader.read(65536))
            done, _ = await asyncio.wait({read, stop_task}, return_when=asyncio.FIRST_COMPLETED)
            if stop_task in done:
                read.cancel()
                return
            piece = read.result()
            if chunked:
                size = int(piece.strip().split(b";")[0], 16)
                if size == 0:
                    w.ended = True
                    return
                piece = (await reader.readexactly(size + 2))[:-2]
            elif not piece:
                w.ended = True
                return
            now = time.time()
            buf += piece
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                line = line.rstrip(b"\r").decode("utf-8")
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data = line[5:].strip()
                elif line == "" and data is not None:
                    if event == "status":
                        d = json.loads(data)
                        w.events.append((now, d["id"], d["status"]))
                        if w.first_event is None:
                            w.first_event = now
                    event, data = None, None
    except Exception as exc:                          # noqa: BLE001
        w.error = f"{type(exc).__name__}: {exc}"
    finally:
        writer.close()


def flip(db_path: Path, sids: list[int], status: str) -> float:
    con = sqlite3.connect(db_path, timeout=30)
    con.execute("pragma busy_timeout=30000")
    con.execute(f"update submissions set status=? where id in ({','.join('?' * len(sids))})", [status, *sids])
    con.commit()
    at = time.time()
    con.close()
    return at


async def wait_until(pred, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        await asyncio.sleep(0.02)
    return pred()


async def run(board: Board, watchers: list[Watcher], uploaders: list[Client], a, db_path: Path) -> dict:
    host, port = "127.0.0.1", int(board.url.rsplit(":", 1)[1])
    stop = asyncio.Event()
    t_open = time.time()
    tasks = [asyncio.ensure_future(watch(w, host, port, stop)) for w in watchers]
    await wait_until(lambda: all(w.first_event or w.error or w.ended for w in watchers), 90)
    connected = [w for w in watchers if w.first_event and w.first(w.sid, "graded", 0)]
    out: dict = {"watchers": len(watchers), "connected": len(connected),
                 "errors": sorted({w.error for w in watchers if w.error})[:10],
                 "connect_s": summary([w.first_event - t_open for w in connected], scale=1.0, digits=3)}
    print(f"  {len(connected)}/{len(watchers)} streams open with their snapshot, "
          f"last after {out['connect_s'].get('max')} s", flush=True)

    await asyncio.sleep(2)
    cpu0, t0 = board.cpu_seconds(), time.monotonic()
    await asyncio.sleep(a.idle)
    out["idle"] = {"seconds": a.idle, "board_cpu_share": round((board.cpu_seconds() - cpu0) / (time.monotonic() - t0), 3),
                   "board_threads": board.threads(), "board_rss_mib": round(board.rss_mib(), 1)}
    print(f"  idle with {len(connected)} watchers: board CPU {out['idle']['board_cpu_share']:.0%} of one core, "
          f"{out['idle']['board_threads']} threads", flush=True)

    # a page while the watchers are connected
    loop = asyncio.get_running_loop()
    page_client = uploaders[-1]

    def page_times(n=50):
        ts = []
        for _ in range(n):
            t = time.perf_counter()
            page_client.get("/exam").content
            ts.append(time.perf_counter() - t)
        return ts
    out["exam_page_ms_under_load"] = summary(await loop.run_in_executor(None, page_times))

    rounds = []
    sids = [w.sid for w in connected]
    for r in range(a.rounds):
        for status in ("running", "graded"):
            at = await loop.run_in_executor(None, flip, db_path, sids, status)
            await wait_until(lambda: all(w.first(w.sid, status, at) for w in connected), 20)
            lat = [w.first(w.sid, status, at) - at for w in connected if w.first(w.sid, status, at)]
            rounds.append({"round": r + 1, "status": status, "delivered": len(lat), "expected": len(connected),
                           **summary(lat)})
            print(f"  round {r + 1} → {status}: {len(lat)}/{len(connected)} delivered, "
                  f"p50 {rounds[-1].get('p50')} ms, p95 {rounds[-1].get('p95')} ms", flush=True)
            await asyncio.sleep(1.5)
    out["flips"] = rounds

    # real jobs while everyone watches
    def upload(c: Client, n: int) -> int:
        body = TRIVIAL.read_bytes() + f"\n# sse bench {n} {time.time()}\n".encode()
        token = c.token("/exam")
        r = c.s.post(c.base + "/exam/fast/upload", data={"csrf_token": token},
                     files={"file": ("fast.py", body, "text/x-python")}, allow_redirects=False, timeout=60)
        assert r.status_code == 303, r.status_code
        return int(r.headers["Location"].split("/submissions/")[1].split("?")[0])

    by_number = {w.number: w for w in watchers}
    jobs = []
    for i, c in enumerate(uploaders[: a.uploads]):
        sid = await loop.run_in_executor(None, upload, c, i)
        jobs.append((by_number[c.number], sid))
        await asyncio.sleep(0.3)
    await wait_until(lambda: all(w.first(sid, "graded", 0) for w, sid in jobs), 300)
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    real = []
    for w, sid in jobs:
        enq, started, finished = con.execute(
            "select enqueued_at, started_at, finished_at from jobs where submission_id=?", (sid,)).fetchone()
        item = {"sid": sid}
        for status, ts in (("queued", enq), ("running", started), ("graded", finished)):
            got = w.first(sid, status, 0)
            item[status] = round((got - utc_ts(ts)) * 1000, 1) if got else None
        real.append(item)
    con.close()
    out["real_jobs_ms"] = real
    for st in ("queued", "running", "graded"):
        v = [r[st] / 1000 for r in real if r[st] is not None]
        out[f"real_{st}"] = {"delivered": len(v), "of": len(real), **summary(v)}

    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    out["streams_ended_early"] = sum(1 for w in watchers if w.ended)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--watchers", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--uploads", type=int, default=5)
    ap.add_argument("--idle", type=float, default=5.0, help="seconds of idle CPU measurement")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="board-sse-") as tmp:
        instance = Path(tmp) / "instance"
        t = time.perf_counter()
        codes, sids = make_board(instance, a.watchers)
        print(f"{a.watchers} candidates with one graded submission each ({time.perf_counter() - t:.1f} s)", flush=True)
        with Board(instance, workers=a.workers) as board:
            def login(item):
                number, code = item
                c = Client(board.url).login_candidate(number, code)
                c.number = number
                return c
            t = time.perf_counter()
            with ThreadPoolExecutor(8) as pool:
                clients = list(pool.map(login, codes.items()))
            print(f"board {board.url} pid {board.pid}: {len(clients)} signed in through the form "
                  f"({time.perf_counter() - t:.1f} s)", flush=True)
            watchers = [Watcher(c.number, c.cookie_header(), sids[c.number]) for c in clients]
            out = asyncio.run(run(board, watchers, clients, a, instance / "board.sqlite3"))

    rows = [["connected (snapshot received)", f"{out['connected']}/{out['watchers']}", "", "", ""],
            ["time to first event (s)", "", out["connect_s"].get("p50"), out["connect_s"].get("p95"),
             out["connect_s"].get("max")]]
    for r in out["flips"]:
        rows.append([f"flip {r['round']} → {r['status']} (ms)", f"{r['delivered']}/{r['expected']}",
                     r.get("p50"), r.get("p95"), r.get("max")])
    for st in ("queued", "running", "graded"):
        r = out[f"real_{st}"]
        rows.append([f"real job {st} event (ms)", f"{r['delivered']}/{r['of']}", r.get("p50"), r.get("p95"), r.get("max")])
    p = out["exam_page_ms_under_load"]
    rows.append(["/exam page during (ms)", p["n"], p["p50"], p["p95"], p["max"]])
    print()
    print(table(["measure", "count", "p50", "p95", "max"], rows))
    print(f"\nidle: board CPU {out['idle']['board_cpu_share']:.0%} of one core, {out['idle']['board_threads']} threads, "
          f"{out['idle']['board_rss_mib']} MiB RSS; streams ended early: {out['streams_ended_early']}; "
          f"errors: {out['errors'] or 'none'}")
    path = write_json("sse", {"watchers": a.watchers, "rounds": a.rounds, "uploads": a.uploads,
                              "workers": a.workers, "sse_poll_s": 1.0, **out})
    print(f"written {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
