"""How long a sitting of N people (default 5,000) takes to register, publish and issue
certificates, and how big its zip of certificate PDFs is.

One board (SQLite in a temporary instance folder) with the edge-AI exam (intermediate):
a sitting, N + N/10 people registered from one xlsx sheet (valid ID numbers, each getting a
candidate account), a theory score and graded practical results for each: N pass (N
certificates), the tenth on top fails the theory minimum. Then timed:

* registration: `sittings.register` of the whole sheet (parse, ID checks, people, accounts);
* publish: `passlist.publish` (the live pass list, the frozen snapshot, one certificate
  number block and N certificates in one transaction);
* one PDF: `certpdf.render` of one certificate (median of 20), what the download of a
  single certificate costs;
* zip: `certpdf.write_zip` of every certificate, in a pool of one process per core, as the
  board's background build runs it; its size.

    python3 bench/certificates.py [--n 5000] [--workers CORES]

Prints the figures and writes bench/results/certificates.json. The zip's CPU time (its worker
processes' own, from getrusage) is printed with the wall time: on a shared machine the wall
time is mostly waiting for a core, and CPU time / workers is what idle cores would take.
The machine's load average is printed too.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EDGE = ROOT / "exams" / "edge-ai-practical"
RESULTS = ROOT / "bench" / "results"


def id_numbers(n: int) -> list[str]:
    """`n` distinct valid resident ID numbers (Shenzhen, born 1970-2003)."""
    from web.services import idnumber

    out = []
    day = date(1970, 1, 1).toordinal()
    for i in range(n):
        born = date.fromordinal(day + (i // 500) * 37 + i % 9)
        first17 = f"440300{born:%Y%m%d}{i % 500 + 100:03d}"[:17]
        out.append(first17 + idnumber.check_character(first17))
    assert len(set(out)) == n
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()

    from web.serve import prepare
    from web.services import certificates, certpdf, demo_sitting, passlist, sheets, sittings
    from web.services.passrule import Rule
    from web.storage.db import db
    from web.storage.models import Exam

    people = args.n + args.n // 10
    tmp = Path(tempfile.mkdtemp(prefix="bench-cert-"))
    app = prepare([EDGE], instance_path=tmp / "instance", secure_cookies=False)
    timings: dict[str, float] = {}
    with app.app_context():
        exam = db.session.scalar(db.select(Exam).where(Exam.key == "edge-ai-practical"))
        form = sittings.SittingForm("2026年第一批 中级", "2026 first sitting, intermediate", "intermediate", exam.id,
                                    "SZ", "深圳考点 Shenzhen", date(2026, 11, 20), date(2026, 11, 21))
        sitting = sittings.create(form, Rule(1, 60.0, 60.0, 30, None), "bench")
        sheet = sheets.write_xlsx(["姓名", "身份证号", "单位"],
                                  [[f"考生{i:05d}", pid, "深圳职业技术大学"] for i, pid in enumerate(id_numbers(people))])
        t = time.perf_counter()
        done = sittings.register(sitting, sheet)
        timings["register_s"] = time.perf_counter() - t
        assert not done.problems and done.added == people, done.problems[:3]
        regs = sittings.registrations(sitting)
        demo_sitting.write_scores(exam, {r.candidate_id: (55.0 if i % 11 == 10 else 75.0, 80.0)
                                         for i, r in enumerate(regs)})
        t = time.perf_counter()
        published = passlist.publish(sitting.id, "bench")
        assert published.passed == args.n, (published.passed, args.n)
        timings["publish_s"] = time.perf_counter() - t
        t = time.perf_counter()
        views = certificates.views(sitting.id)
        timings["load_views_s"] = time.perf_counter() - t
        base = "https://cert.example.org/"
        certpdf.render(views[0], base)                       # imports and fonts loaded once
        one, one_cpu = [], []
        for v in views[:20]:
            t, c = time.perf_counter(), time.process_time()
            certpdf.render(v, base)
            one.append(time.perf_counter() - t)
            one_cpu.append(time.process_time() - c)
        timings["one_pdf_ms"] = statistics.median(one) * 1000
        timings["one_pdf_cpu_ms"] = statistics.median(one_cpu) * 1000
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        stats = certpdf.write_zip(views, base, tmp / "certificates.zip", workers=args.workers)
        timings["zip_s"] = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)     # the pool's processes, once they ended
        zip_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
        timings["zip_cpu_s"] = zip_cpu
        timings["zip_cpu_ms_per_pdf"] = 1000 * zip_cpu / max(1, len(views))
        # what the zip takes when the cores are this bench's alone: its CPU time spread over the workers
        timings["zip_idle_estimate_s"] = zip_cpu / args.workers
    load = os.getloadavg()
    report = {"n": args.n, "people": people, "certificates": len(views), "passed": published.passed, "failed": published.failed,
              "workers": args.workers, "cores": os.cpu_count(), "load_avg_1m_after": round(load[0], 2),
              "zip_bytes": stats.size, "pdf_kb_mean": round(stats.size / max(1, stats.count) / 1024, 1),
              **{k: round(v, 2) for k, v in timings.items()},
              "issue_total_s": round(timings["publish_s"] + timings["load_views_s"] + timings["zip_s"], 1)}
    print(f"{people} registered in {report['register_s']} s; published in {report['publish_s']} s "
          f"({published.passed} certificates, {published.failed} failed)")
    print(f"one certificate PDF: {report['one_pdf_ms']:.0f} ms wall, {report['one_pdf_cpu_ms']:.0f} ms CPU (median of 20)")
    print(f"zip of {stats.count} PDFs with {args.workers} worker processes: {report['zip_s']:.1f} s, "
          f"{stats.size / 1e6:.1f} MB ({report['pdf_kb_mean']} KB a certificate); "
          f"{report['zip_cpu_s']:.0f} s CPU ({report['zip_cpu_ms_per_pdf']:.0f} ms a PDF), "
          f"so {report['zip_idle_estimate_s']:.0f} s on {args.workers} idle cores")
    print(f"publish + zip: {report['issue_total_s']} s (target: under 120 s on 2 cores); "
          f"load average {load[0]:.1f} on {os.cpu_count()} cores")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "certificates.json").write_text(json.dumps(report, indent=2))
    import shutil
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
