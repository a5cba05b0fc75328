"""The AI-trainer exam's two costs: grading its full-marks submission, and proving the package.

    python3 bench/ai_trainer.py                  # 1 grading run + 1 prove, jobs = cores
    python3 bench/ai_trainer.py --runs 3 --jobs 2

Grading: bench/exam_time.py's measurement on exams/ai-trainer-practical (one zip with
every task, graded by `grade_path` as `practicum grade` does; per-task sandbox times).
The target is 60 s on 2 cores. Proving: the wall time of `practicum exam prove
exams/ai-trainer-practical` (every reference solution of every task, as scripts/demo.sh
runs it), with the load average before and after. The exam's data is generated before
either is timed. Writes bench/results/ai_trainer.json; exits 1 unless every grading run
earned 100 under the target and the proof passed.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402  (puts the repository on sys.path)
import exam_time  # noqa: E402

EXAM = common.ROOT / "exams" / "ai-trainer-practical"
TARGET_S = 60.0


def prove(jobs: int | None) -> dict:
    cli = Path(sys.executable).with_name("practicum")
    cmd = [str(cli) if cli.exists() else "practicum", "exam", "prove", str(EXAM)]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    load_before = common.loadavg()
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - t0
    lines = proc.stdout.strip().splitlines()
    failed = [line for line in lines if line.startswith("FAIL")]   # with the reason prove gives
    print(f"\nprove: exit {proc.returncode} in {wall:.1f} s   load {load_before:.2f} -> {common.loadavg():.2f}   "
          f"{(lines or [''])[-1]}", *failed, sep="\n")
    return {"command": " ".join(cmd[1:]), "exit": proc.returncode, "wall_s": round(wall, 1),
            "load_before": load_before, "load_after": common.loadavg(), "failed": failed,
            "stderr_tail": proc.stderr[-2000:] if proc.returncode else ""}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=None, help="sandboxes at once (default: the cores)")
    ap.add_argument("--no-prove", action="store_true", help="time the grading only")
    args = ap.parse_args()
    grading = exam_time.run(argparse.Namespace(exam=EXAM, runs=args.runs, jobs=args.jobs, cli=False, keep=None,
                                               target=TARGET_S))
    out = {"bench": "ai_trainer", "machine": common.machine(), "target_s": TARGET_S,
           "grading": {k: grading[k] for k in ("jobs", "wall_s", "full_marks", "under_target", "per_task_median_s")},
           "grading_runs": [{k: r[k] for k in ("score", "wall_s", "load_before", "load_after")}
                            for r in grading["runs"]]}
    if not args.no_prove:
        out["prove"] = prove(args.jobs)
    path = common.write_json("ai_trainer.json", out)
    print(f"written {path.relative_to(common.ROOT)}")
    proved = args.no_prove or out["prove"]["exit"] == 0
    return 0 if grading["full_marks"] and grading["under_target"] and proved else 1


if __name__ == "__main__":
    sys.exit(main())
