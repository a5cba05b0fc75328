"""Side by side: nbgrader, Otter and Practicum grade the same 20 notebooks (see README.md).

    .venv/bin/python bench/sidebyside/run.py            # installs the tools on first use (~2 min)

Each tool is installed by this script in its own virtualenv under
bench/results/sidebyside/ (nbgrader; otter-grader with ipykernel), from the package
index pip is set up with. Each grades two sets in turn: the 18 ordinary submissions,
then the infinite loop and the memory hog. Figures go to bench/results/sidebyside.json
and a markdown table is printed.

How each tool is driven, as its documentation has it for a folder of notebooks:
* nbgrader: `nbgrader generate_assignment ps1` once (not timed), then `nbgrader autograde
  ps1` over submitted/<student>/ps1/ps1.ipynb and `nbgrader export` (timed); serial, on the
  host, its default 30 s per-cell timeout.
* Otter: `otter generate` once (not timed), then `otter run -a autograder.zip` per notebook,
  one after the other (`otter grade` needs Docker images pulled from a registry this machine
  cannot reach; `otter run` is its non-containerised grader). Otter has no timeout: the
  bench kills a run after OTTER_KILL_S and counts that time.
* Practicum: `practicum batch EXAM FOLDER --jobs <cores>`, every sandbox limit on
  (512 MB, 1 CPU, 10 s per cell, no network, read-only root...), start-up and the machine
  speed calibration included.

Memory: "host RSS" is the largest resident set of any process the tool ran on the host
(getrusage of its waited children); "machine" is the peak of MemTotal - MemAvailable
sampled every 50 ms, above the median of the second before the run (it sees the sandboxes'
memory too, and anything else the machine does meanwhile).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
import exam  # noqa: E402

WORK = ROOT / "bench" / "results" / "sidebyside"
OUT = ROOT / "bench" / "results" / "sidebyside.json"
OTTER_KILL_S = 60.0
TOOLS = {"nbgrader": ["nbgrader"], "otter": ["otter-grader", "ipykernel"]}
WRAP = ("import json, resource, subprocess, sys\n"
        "rc = subprocess.call(sys.argv[1:])\n"
        "print('MAXRSS_KB=' + str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss), file=sys.stderr)\n"
        "sys.exit(rc)\n")


def venv(tool: str) -> Path:
    """The tool's own virtualenv, made and filled on first use."""
    path = WORK / f"venv-{tool}"
    py = path / "bin" / "python"
    if not (path / ".installed").exists():
        shutil.rmtree(path, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", *TOOLS[tool]], check=True)
        (path / ".installed").write_text("ok")
    return path / "bin"


def version(bin_dir: Path, dist: str) -> str:
    out = subprocess.run([str(bin_dir / "python"), "-c",
                          f"import importlib.metadata as m; print(m.version({dist!r}))"],
                         capture_output=True, text=True)
    return out.stdout.strip()


# --------------------------------------------------------------------------- measuring


def _used_mb() -> float:
    info = {}
    with open("/proc/meminfo") as f:
        for line in f:
            key, value = line.split(":", 1)
            info[key] = int(value.split()[0])
    return (info["MemTotal"] - info["MemAvailable"]) / 1024


class Sampler:
    def __init__(self) -> None:
        base = []
        for _ in range(20):
            base.append(_used_mb())
            time.sleep(0.05)
        self.base = statistics.median(base)
        self.peak = self.base
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(0.05):
            self.peak = max(self.peak, _used_mb())

    def close(self) -> float:
        self.stop.set()
        self.thread.join()
        return round(self.peak - self.base, 1)


def timed(cmd: list[str], *, cwd: Path, env: dict | None = None, kill_after: float | None = None,
          lines: list | None = None) -> dict:
    """Run `cmd` in its own session; wall time, exit, peak memory; killed (whole group) past
    `kill_after`. `lines` collects (time since start, stderr+stdout line)."""
    sampler = Sampler()
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", WRAP, *cmd], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    got: list = []

    def read():
        for line in proc.stdout:
            got.append((time.monotonic() - t0, line.rstrip("\n")))
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    killed = False
    try:
        proc.wait(timeout=kill_after)
    except subprocess.TimeoutExpired:
        killed = True
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    wall = time.monotonic() - t0
    reader.join(5)
    machine = sampler.close()
    rss = next((int(l.split("=", 1)[1]) for _, l in reversed(got) if l.startswith("MAXRSS_KB=")), None)
    if lines is not None:
        lines.extend(got)
    return {"wall_s": round(wall, 2), "rc": proc.returncode, "killed": killed,
            "host_rss_mb": round(rss / 1024, 1) if rss else None, "machine_mb": machine,
            "tail": [l for _, l in got[-6:]]}


def _merge(runs: list[dict]) -> dict:
    return {"wall_s": round(sum(r["wall_s"] for r in runs), 2),
            "host_rss_mb": max((r["host_rss_mb"] or 0) for r in runs),
            "machine_mb": max(r["machine_mb"] for r in runs)}


# --------------------------------------------------------------------------- the tools


def run_nbgrader(subs, phase: str) -> dict:
    bin_dir = venv("nbgrader")
    course = exam.write_nbgrader_course(WORK / f"nbgrader-{phase}")
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
    for leftover in ("submitted", "autograded", "feedback", "gradebook.db", "grades.csv"):
        path = course / leftover
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    subprocess.run([str(bin_dir / "nbgrader"), "generate_assignment", "ps1", "--force"], cwd=course, env=env,
                   check=True, capture_output=True)
    released = course / "release" / "ps1" / "ps1.ipynb"
    for who, _, cells in subs:
        dest = course / "submitted" / who / "ps1"
        dest.mkdir(parents=True)
        (dest / "ps1.ipynb").write_text(exam.nbgrader_submission(released, cells), encoding="utf-8")
    lines: list = []
    grade = timed([str(bin_dir / "nbgrader"), "autograde", "ps1"], cwd=course, env=env, lines=lines)
    export = timed([str(bin_dir / "nbgrader"), "export"], cwd=course, env=env)
    scores = {}
    import csv
    with open(course / "grades.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            scores[row["student_id"]] = float(row["score"])
    # per notebook: from one student's first log line to the next one's
    starts = {}
    for t, line in lines:
        for who, _, _ in subs:
            if who not in starts and f"/{who}/ps1" in line:
                starts[who] = t
    order = sorted(starts.values()) + [grade["wall_s"]]
    per = [b - a for a, b in zip(order, order[1:])]
    # nbgrader's log does not say which notebook a timeout belongs to: only the loop can time out
    timed_out = any("Timeout" in l or "timed out" in l.lower() for _, l in lines)
    notes = {who: "cell timed out (30 s), kernel interrupted" for who, kind, _ in subs
             if kind == "loop" and timed_out}
    return {**_merge([grade, export]), "per_submission_s": per, "scores": scores, "notes": notes,
            "log_tail": grade["tail"]}


def run_otter(subs, phase: str) -> dict:
    bin_dir = venv("otter")
    work = WORK / f"otter-{phase}"
    shutil.rmtree(work, ignore_errors=True)
    exam.write_otter_tests(work / "tests")
    subprocess.run([str(bin_dir / "otter"), "generate", "-t", "tests"], cwd=work, check=True, capture_output=True)
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
    runs, scores, per, notes = [], {}, [], {}
    for who, kind, cells in subs:
        nb = work / "subs" / f"{who}.ipynb"
        nb.parent.mkdir(parents=True, exist_ok=True)
        nb.write_text(exam.plain_notebook(cells), encoding="utf-8")
        out = work / "out" / who
        out.mkdir(parents=True)
        r = timed([str(bin_dir / "otter"), "run", "-a", "autograder.zip", "-o", str(out), "--no-logo", str(nb)],
                  cwd=work, env=env, kill_after=OTTER_KILL_S)
        runs.append(r)
        per.append(r["wall_s"])
        try:
            data = json.loads((out / "results.json").read_text(encoding="utf-8"))
            scores[who] = sum(t.get("score") or 0 for t in data["tests"])
        except (OSError, ValueError, KeyError):
            scores[who] = None
        if r["killed"]:
            notes[who] = f"no timeout: still running after {OTTER_KILL_S:.0f} s, killed by the bench"
    return {**_merge(runs), "per_submission_s": per, "scores": scores, "notes": notes}


def run_practicum(subs, phase: str, jobs: int) -> dict:
    work = WORK / f"practicum-{phase}"
    shutil.rmtree(work, ignore_errors=True)
    pkg = exam.write_practicum(work / "exam")
    folder = work / "class"
    folder.mkdir()
    for who, _, cells in subs:
        (folder / f"{who}.ipynb").write_text(exam.plain_notebook(cells), encoding="utf-8")
    env = dict(os.environ, PRACTICUM_HOME=str(work / "home"), PYTHONPATH=str(ROOT))
    r = timed([sys.executable, "-m", "web.cli", "batch", str(pkg), str(folder), "--out", str(work / "graded"),
               "--jobs", str(jobs)], cwd=ROOT, env=env)
    scores, per, notes = {}, [], {}
    for who, kind, _ in subs:
        rec = json.loads((work / "graded" / "reports" / f"{who}.json").read_text(encoding="utf-8"))
        scores[who] = rec["score"]
        per.append(rec["duration_s"])
        if kind in ("loop", "hog", "raising"):
            notes[who] = f"{rec['status']}: {rec['reason']}"
    return {**_merge([r]), "per_submission_s": per, "scores": scores, "notes": notes, "tail": r["tail"]}


# --------------------------------------------------------------------------- table


def table(results: dict, subs) -> str:
    kinds = {who: kind for who, kind, _ in subs}
    lines = ["| tool | 18 ordinary: total | median per notebook | loop + hog: total | all 20 | peak host RSS | "
             "peak machine memory | correct / wrong / raising scores | loop | hog |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for tool, r in results.items():
        o, a = r["ordinary"], r["adversarial"]
        sc = {**o["scores"], **a["scores"]}

        def span(kind):
            vals = [sc[w] for w in sc if kinds[w] == kind and sc[w] is not None]
            return f"{min(vals):g}–{max(vals):g}" if vals and min(vals) != max(vals) else (
                f"{vals[0]:g}" if vals else "-")
        loop = f"{sc.get('loop')}/5; {a['notes'].get('loop', '')}".strip("; ")
        hog = f"{sc.get('hog')}/5; {a['notes'].get('hog', '')}".strip("; ")
        lines.append(f"| {tool} | {o['wall_s']:.1f} s | {statistics.median(o['per_submission_s']):.2f} s | "
                     f"{a['wall_s']:.1f} s | {o['wall_s'] + a['wall_s']:.1f} s | "
                     f"{max(o['host_rss_mb'], a['host_rss_mb']):.0f} MB | "
                     f"{max(o['machine_mb'], a['machine_mb']):.0f} MB | "
                     f"{span('correct')} / {span('wrong')} / {span('raising')} | {loop} | {hog} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)), help="Practicum's --jobs")
    ap.add_argument("--tools", default="nbgrader,otter,practicum")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    subs = exam.submissions()
    ordinary = [s for s in subs if s[1] not in ("loop", "hog")]
    adversarial = [s for s in subs if s[1] in ("loop", "hog")]
    results = {}
    for tool in args.tools.split(","):
        print(f"== {tool}", file=sys.stderr, flush=True)
        run = {"nbgrader": run_nbgrader, "otter": run_otter,
               "practicum": lambda s, p: run_practicum(s, p, args.jobs)}[tool]
        results[tool] = {"ordinary": run(ordinary, "ordinary"), "adversarial": run(adversarial, "adversarial")}
        print(f"   ordinary {results[tool]['ordinary']['wall_s']} s, loop+hog "
              f"{results[tool]['adversarial']['wall_s']} s", file=sys.stderr, flush=True)
    versions = {"nbgrader": version(venv("nbgrader"), "nbgrader") if "nbgrader" in results else None,
                "otter": version(venv("otter"), "otter-grader") if "otter" in results else None}
    load = os.getloadavg()
    ratios = {}
    if {"practicum", "nbgrader", "otter"} <= set(results):
        p = results["practicum"]["ordinary"]["wall_s"]
        ratios = {"practicum/nbgrader": round(p / results["nbgrader"]["ordinary"]["wall_s"], 3),
                  "practicum/otter": round(p / results["otter"]["ordinary"]["wall_s"], 3)}
    doc = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "cores": os.cpu_count(),
           "load_after": [round(x, 2) for x in load], "python": platform.python_version(),
           "versions": versions, "jobs": args.jobs, "ratios_18_ordinary": ratios, "results": results}
    exam.write_json(OUT, doc)
    print(table(results, subs))
    print(f"\nratios on the 18 ordinary: {ratios}; load after {doc['load_after']}; {versions}")


if __name__ == "__main__":
    main()
