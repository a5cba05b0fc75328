"""Sandbox overhead: wall time of a sandboxed run minus the same code run bare on the host.

    python3 bench/overhead.py                       # 10 repeats, bare = image's python
    python3 bench/overhead.py --repeat 20 --bare-python image,host
    python3 bench/overhead.py --workloads trivial,fast

Workloads
  trivial    bench/workloads/trivial.py through grader.tryout.run_script (raw mode)
  numpy_cv2  bench/workloads/numpy_cv2.py through grader.tryout.run_script (raw mode)
  fast       the candidate phase of demo task `fast` (reference_solutions/demo/full/fast.py)
             through grader.runner.run_candidate: import the script, run its hidden tests
  blur       the candidate phase of demo task `blur` (full/blur.ipynb): execute the notebook
             in a kernel, then its public + hidden tests in that kernel

Sandboxed = the real code path: output_folder (tmpfs mount) + stage + container create/
start/wait/inspect/logs/remove + umount. Bare = the same Python calls with only
`sandbox.run` and `sandbox.output_folder` swapped for bench.common's bare versions,
which run on the host the command the container's supervisor would have started
(see bench/README.md). Runs alternate sandboxed/bare so drift hits both alike.
Writes bench/results/overhead.json.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402  (puts the repository on sys.path)

from grader import images, runner, sandbox, tryout  # noqa: E402
from grader.intake import accept  # noqa: E402
from grader.manifest import load_exam  # noqa: E402
from grader.store import Store  # noqa: E402

ROOT = common.ROOT
WORKLOADS = ("trivial", "numpy_cv2", "fast", "blur")
DESCRIPTION = {
    "trivial": "raw script: pass",
    "numpy_cv2": "raw script: import numpy+cv2, blur/Canny 640x480, imwrite",
    "fast": "candidate phase, script task fast (2 hidden tests)",
    "blur": "candidate phase, notebook task blur (4 cells + 2 tests in kernel)",
}


class Bench:
    def __init__(self, image: str, workdir: Path):
        self.image = image
        self.exam = load_exam(ROOT / "exams" / "demo")
        store = Store(workdir / "store")
        self.intake = accept(ROOT / "reference_solutions" / "demo" / "full", self.exam, store,
                             workdir=workdir / "intake")

    def once(self, workload: str) -> dict:
        """One timed run of a workload under whatever sandbox.run is installed."""
        if workload in ("trivial", "numpy_cv2"):
            script = common.BENCH / "workloads" / f"{workload}.py"
            t0 = time.perf_counter()
            res = tryout.run_script(script, image=self.image, limits=self.exam.limits)
            wall = time.perf_counter() - t0
            return {"wall_s": wall, "inside_s": res.duration_s, "verdict": res.verdict.value,
                    "outcomes": {"exit_code": res.exit_code},
                    "error": (res.infra_error or res.stderr[-300:]) if res.verdict.value != "ok" else None}
        task = self.exam.task(workload)
        files = self.intake.tasks[workload]
        t0 = time.perf_counter()
        with sandbox.output_folder(task.limits) as out:
            rep = runner.run_candidate(task, files, self.image, out)
        wall = time.perf_counter() - t0
        outcomes = {name: r.outcome for name, r in sorted(rep.records.items())}
        ok = rep.run.verdict.value == "ok" and outcomes and all(o == "passed" for o in outcomes.values())
        return {"wall_s": wall, "inside_s": rep.run.duration_s, "verdict": rep.run.verdict.value,
                "outcomes": outcomes,
                "error": None if ok else (rep.run.infra_error or rep.run.stderr[-300:] or str(outcomes))}


def run_mode(bench: Bench, workload: str, mode: str, steps: common.StepTimer) -> dict:
    if mode == "sandboxed":
        steps.take()
        before = common.cpu_busy()
        sample = bench.once(workload)
        sample["cpu_s"] = common.busy_cpu_s(before, common.cpu_busy())
        sample["steps"] = steps.take()
        return sample
    common.set_bare_python(mode.split(":", 1)[1])
    with common.bare():
        before = common.cpu_busy()
        sample = bench.once(workload)
        sample["cpu_s"] = common.busy_cpu_s(before, common.cpu_busy())
        return sample


def summarize(samples: list[dict]) -> dict:
    walls = [s["wall_s"] for s in samples]
    inside = [s["inside_s"] for s in samples]
    return {"cpu_median_s": round(common.quantile([s["cpu_s"] for s in samples], 0.5), 3),
            "median_s": round(common.quantile(walls, 0.5), 4), "p90_s": round(common.quantile(walls, 0.9), 4),
            "min_s": round(min(walls), 4), "inside_median_s": round(common.quantile(inside, 0.5), 4),
            "samples_s": [round(w, 4) for w in walls]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=10, help="timed runs per workload and mode (default 10)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs per workload and mode first (default 1)")
    ap.add_argument("--workloads", default=",".join(WORKLOADS), help=f"comma list of {', '.join(WORKLOADS)}")
    ap.add_argument("--bare-python", default="image",
                    help="interpreter(s) of the bare runs, comma list of: image (a venv of the host's "
                         "/usr/bin/python3 with the image's wheels: same CPython build and packages as "
                         "the sandbox), host (the python running this bench), or a path. Default image")
    ap.add_argument("--output", default="overhead.json", help="file name under bench/results/")
    args = ap.parse_args(argv)
    workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    unknown = set(workloads) - set(WORKLOADS)
    if unknown:
        ap.error(f"unknown workload(s): {', '.join(sorted(unknown))}")
    variants = [v.strip() for v in args.bare_python.split(",") if v.strip()]
    modes = ["sandboxed"] + [f"bare:{v}" for v in variants]

    sandbox.install_signal_cleanup()
    image = images.ensure_image(sandbox.get_client(), "default")
    pythons = {v: common.interpreter_info(common.set_bare_python(v)) for v in variants}
    print(f"image {image}")
    for v, info in pythons.items():
        print(f"bare python [{v}]: {info}")
    print(f"{len(workloads)} workload(s) x {len(modes)} modes x ({args.warmup} warm-up + {args.repeat} timed)")

    machine = common.machine()
    files_before = common.grader_files()
    samples = {w: {m: [] for m in modes} for w in workloads}
    problems: list[str] = []
    loads: list[float] = []
    with tempfile.TemporaryDirectory(prefix="practicum-bench-") as tmp, common.StepTimer() as steps:
        bench = Bench(image, Path(tmp))
        for w in workloads:
            for m in modes:
                for _ in range(args.warmup):
                    run_mode(bench, w, m, steps)
        for i in range(args.repeat):
            line = []
            for w in workloads:
                order = modes if i % 2 == 0 else modes[::-1]
                for m in order:
                    s = run_mode(bench, w, m, steps)
                    samples[w][m].append(s)
                    if s["error"]:
                        problems.append(f"{w} {m} run {i + 1}: {s['verdict']}: {s['error']}")
                line.append(f"{w} " + "/".join(f"{samples[w][m][-1]['wall_s']:.2f}" for m in modes))
            loads.append(common.loadavg())
            print(f"[{i + 1:>2}/{args.repeat}] " + "  ".join(line) + "   (s: " + "/".join(modes) + ")"
                  + f"  load {loads[-1]:.2f}", flush=True)

    results = []
    for w in workloads:
        sb = samples[w]["sandboxed"]
        for v in variants:
            br = samples[w][f"bare:{v}"]
            diffs = [a["wall_s"] - b["wall_s"] for a, b in zip(sb, br)]
            s_sum, b_sum = summarize(sb), summarize(br)
            same = all(a["outcomes"] == b["outcomes"] for a, b in zip(sb, br))
            if not same:
                problems.append(f"{w}: test outcomes differ between sandboxed and bare [{v}]")
            results.append({
                "workload": w, "description": DESCRIPTION[w], "bare_python": v,
                "bare": b_sum, "sandboxed": s_sum,
                "overhead_median_s": round(common.quantile(diffs, 0.5), 4),
                "overhead_p90_s": round(common.quantile(diffs, 0.9), 4),
                "ratio_median": round(s_sum["median_s"] / b_sum["median_s"], 3),
                "ratio_p90": round(s_sum["p90_s"] / b_sum["p90_s"], 3),
                # sandboxed wall minus the supervisor-measured run of the command inside:
                # container lifecycle + mount + supervisor start, without the code itself
                "lifecycle_median_s": round(s_sum["median_s"] - s_sum["inside_median_s"], 4),
                "outcomes": sb[-1]["outcomes"], "same_outcomes": same,
            })

    step_rows = []
    for w in workloads:
        per = [s["steps"] for s in samples[w]["sandboxed"]]
        med = {k: round(common.quantile([p[k] for p in per], 0.5), 4) for k in common.StepTimer.STEPS}
        for r in results:
            if r["workload"] == w:
                r["sandboxed_steps_median_s"] = med
        step_rows.append([w] + [f"{med[k]:.3f}" for k in common.StepTimer.STEPS]
                         + [f"{common.quantile([s['inside_s'] for s in samples[w]['sandboxed']], 0.5):.3f}"])

    rows = [[r["workload"], r["bare_python"], f"{r['bare']['median_s']:.3f}", f"{r['bare']['p90_s']:.3f}",
             f"{r['sandboxed']['median_s']:.3f}", f"{r['sandboxed']['p90_s']:.3f}",
             f"{r['overhead_median_s']:+.3f}", f"{r['overhead_p90_s']:+.3f}", f"{r['ratio_median']:.2f}",
             f"{r['sandboxed']['inside_median_s']:.3f}", f"{r['lifecycle_median_s']:.3f}",
             f"{r['bare']['cpu_median_s']:.2f}", f"{r['sandboxed']['cpu_median_s']:.2f}"] for r in results]
    print()
    print(common.table(["workload", "bare py", "bare med", "bare p90", "sbx med", "sbx p90",
                        "ovh med", "ovh p90", "ratio", "inside med", "lifecycle", "cpu bare", "cpu sbx"], rows))
    print("\n(seconds; ovh = paired sandboxed - bare; ratio = sandboxed median / bare median;"
          "\n inside = the command's own time measured by the in-container supervisor;"
          "\n lifecycle = sandboxed median - inside median; cpu = CPU-seconds the whole machine"
          "\n was busy during the run (all processes, kernel included); target: overhead < 0.5 s per run)")
    print("\nWhere the sandboxed time goes (medians, s; `wait` includes the run inside):")
    print(common.table(["workload", *common.StepTimer.STEPS, "inside"], step_rows))
    problems += common.grader_changes(files_before)
    if problems:
        print("\nPROBLEMS:")
        for p in problems[:20]:
            print("  " + p)
    path = common.write_json(args.output, {
        "bench": "overhead", "machine": machine, "image": image,
        "bare_pythons": pythons, "repeat": args.repeat, "warmup": args.warmup,
        "command": "python3 bench/overhead.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "target_overhead_s": 0.5, "loadavg_1min_per_repeat": loads, "results": results, "problems": problems,
    })
    print(f"\nwrote {path.relative_to(ROOT)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
