"""The national board at full size: 20 sites x 500 teams x 3 members (10,000 teams, 30,000
people). Each site's signed results package is built (as `practicum results export` signs
it), the national board verifies and imports all 20, ranks both divisions with awards and
finalists, and its pages are timed at that size. Figures, not a test: printed and written to
bench/results/contest.json.

    python3 bench/contest.py [--sites 20] [--teams 500] [--requests 200] [--database URL]

Pages are timed through the Flask test client (the whole request: session, role check,
ranking from the per-app cache, template), so the network is not in the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from web.pages.app import create_app  # noqa: E402
from web.services import accounts  # noqa: E402
from web.services.contest import keys, national, package, setup  # noqa: E402
from web.services.contest.ranking import Counted, Member, TeamScore, by_division, final_score, percent  # noqa: E402
from web.storage.db import db, upgrade  # noqa: E402
from web.storage.models import Division, Role  # noqa: E402

EXAM_SHA = "5e" * 32
T0 = datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc)
TASKS = {"blur": 6.0, "fast": 4.0, "shapes": 5.0}
PMAX = sum(TASKS.values())
PASSWORD = "bench password 1"


def site_teams(site: int, n: int) -> list[TeamScore]:
    """n teams of 3 with made-up, spread-out scores (a few exact ties), ranked per division."""
    rows = []
    for t in range(n):
        seed = (site * 7919 + t * 104729) % 1000
        tasks = {task: round(points * ((seed + 37 * i) % 101) / 100, 2) for i, (task, points) in enumerate(TASKS.items())}
        practical = round(sum(tasks.values()), 4)
        members = tuple(Member(f"选手{site}-{t}-{m}", "captain" if m == 0 else "member", f"S{site:02d}{t:04d}{m}",
                               "", f"P{site:02d}{t:04d}{m}", float(50 + (seed + 13 * m) % 50)) for m in range(3))
        theory = round(sum(m.theory for m in members) / 3, 2)
        last = T0 + timedelta(minutes=seed % 240)
        counted = tuple(Counted(task, site * 100000 + t * 3 + i, f"{seed:064x}", score, last)
                        for i, (task, score) in enumerate(tasks.items()))
        rows.append(TeamScore(f"T{site:02d}-{t:04d}", f"赛区{site}队{t}", f"单位 {site}-{t}",
                              Division.STUDENT if t % 2 else Division.EMPLOYEE, f"S{site:02d}", tasks, practical,
                              percent(practical, PMAX), theory, final_score(practical, PMAX, theory, 30), last,
                              members, counted))
    return [r for ranked in by_division(rows).values() for r in ranked]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=20)
    ap.add_argument("--teams", type=int, default=500)
    ap.add_argument("--requests", type=int, default=200, help="timed requests per page")
    ap.add_argument("--database", help="a SQLAlchemy URL (default: SQLite in a temporary folder)")
    ap.add_argument("--postgres", action="store_true", help="a PostgreSQL of its own (support/infra.py)")
    args = ap.parse_args()
    server = None
    if args.postgres:
        from support.infra import PostgresServer

        server = PostgresServer().start()
        args.database = server.create_database("bench_contest")
    try:
        run(args)
    finally:
        if server is not None:
            server.close()


def run(args) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="practicum-bench-contest-"))
    config = {"INSTANCE_PATH": str(tmp / "national"), "TESTING": True}
    if args.database:
        config["SQLALCHEMY_DATABASE_URI"] = args.database
    app = create_app(config)
    upgrade(app)
    site_keys = {f"S{s:02d}": Ed25519PrivateKey.generate() for s in range(args.sites)}
    out: dict = {"sites": args.sites, "teams_per_site": args.teams, "members_per_team": 3,
                 "load_before": [round(x, 1) for x in os.getloadavg()],
                 "database": "postgresql" if args.database and args.database.startswith("postgres") else "sqlite"}
    with app.app_context():
        comp = setup.create("nat", exam=None, exam_sha256=EXAM_SHA, finalist_rule={"mode": "quota", "quota": 5, "top": 100})
        for code, k in site_keys.items():
            national.trust(comp, code, keys.public_hex(k.public_key()))
        accounts.create_staff("examiner1", PASSWORD, Role.EXAMINER)
        packages, build_s = [], []
        for s, (code, k) in enumerate(site_keys.items()):
            started = time.perf_counter()
            header = package.Header("nat", "preliminary", code, T0 + timedelta(hours=6), "demo", EXAM_SHA, PMAX, 30)
            packages.append(package.build(header, site_teams(s, args.teams), k))
            build_s.append(time.perf_counter() - started)
        out["package_bytes_mean"] = round(statistics.mean(len(p) for p in packages))
        out["build_s_per_site"] = round(statistics.mean(build_s), 3)
        import_s = []
        for data in packages:
            started = time.perf_counter()
            got = national.import_package(comp, data, "bench.zip", "bench")
            import_s.append(time.perf_counter() - started)
            assert got.status == "imported", (got.status, got.reason)
        out["import_s_per_site"] = {"mean": round(statistics.mean(import_s), 3), "max": round(max(import_s), 3)}
        out["import_s_total"] = round(sum(import_s), 2)
        started = time.perf_counter()
        assert national.import_package(comp, packages[0], "again.zip", "bench").status == "same"
        out["reimport_same_s"] = round(time.perf_counter() - started, 3)
        rank_s, rank_cpu = [], []
        for _ in range(3):
            started, cpu = time.perf_counter(), time.process_time()
            ranked = national.ranking(comp)
            rank_s.append(time.perf_counter() - started)
            rank_cpu.append(time.process_time() - cpu)
        out["ranking_s"] = {"min": round(min(rank_s), 3), "max": round(max(rank_s), 3)}
        out["ranking_cpu_s"] = {"min": round(min(rank_cpu), 3), "max": round(max(rank_cpu), 3)}   # this process's CPU
        out["ranked"] = {d.value: len(r) for d, r in ranked.items()}
        out["awards"] = {d.value: sum(1 for t in r if t.award) for d, r in ranked.items()}
        out["finalists"] = {d.value: sum(1 for t in r if t.finalist) for d, r in ranked.items()}
        db.session.remove()

    client = app.test_client()
    page = client.get("/login/staff").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/login/staff", data={"username": "examiner1", "password": PASSWORD,
                                             "csrf_token": token}).status_code == 302
    started = time.perf_counter()
    assert client.get("/staff/contests/nat?tab=student").status_code == 200
    out["first_page_s"] = round(time.perf_counter() - started, 3)       # the ranking computed once, then cached
    pages = {"student division, page 1": "/staff/contests/nat?tab=student",
             "employee division, last page": f"/staff/contests/nat?tab=employee&page={args.sites * args.teams // 200}",
             "imports": "/staff/contests/nat?tab=imports",
             "export xlsx (the whole ranking, kept once written)": "/staff/contests/nat/export.xlsx?what=ranking"}
    started = time.perf_counter()
    assert client.get(pages["export xlsx (the whole ranking, kept once written)"]).status_code == 200
    out["first_export_xlsx_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    assert client.get("/staff/contests/nat/export.csv?what=ranking").status_code == 200
    out["first_export_csv_s"] = round(time.perf_counter() - started, 2)
    out["pages_ms"] = {}
    for name, url in pages.items():
        n = args.requests
        times = []
        for _ in range(n):
            started = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert r.status_code == 200, (url, r.status_code)
        out["pages_ms"][name] = {"requests": n, "p50": round(pct(times, 0.5), 1), "p95": round(pct(times, 0.95), 1),
                                 "max": round(max(times), 1)}
    out["load_after"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(out, ensure_ascii=False, indent=1))
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "contest.json").write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
