"""How long the similarity report takes for one task of N submissions (default 500).

Two sets, both of the demo exam's `shapes` task:

* typical: N different programs (random helper functions over cv2 / numpy calls, each
  candidate's own), 20 of them disguised copies of others (support/similarity_set.py's
  disguises): few suspects, so the time is the comparison of every pair;
* worst: N disguised variants of the ten hand-written solutions: about a tenth of all
  pairs are suspects, and each gets its shared fragments computed.

Timed: `compare()` alone (the engine), and `practicum similarity EXAM FOLDER` as a command,
which adds laying out each hand-in with the intake and reading its code. Prints a table and
writes bench/results/similarity.json.

    python3 bench/similarity.py [--n 500] [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.similarity import Document, compare  # noqa: E402
from support.similarity_set import STARTER, disguise, honest_solutions  # noqa: E402

CALLS = ["cv2.threshold(V, 127, 255, cv2.THRESH_BINARY)[1]", "cv2.GaussianBlur(V, (5, 5), 0)",
         "cv2.medianBlur(V, 3)", "np.count_nonzero(V > 100)", "cv2.Canny(V, 50, 150)", "np.mean(V)",
         "cv2.dilate(V, np.ones((3, 3), np.uint8))", "V.astype(np.float32) / 255.0", "np.argmax(V, axis=0)",
         "cv2.moments(V)['m00']", "len(cv2.findContours(V, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)[0])",
         "np.std(V)", "V[::2, ::2]", "np.hypot(V, V)", "sorted(V)[len(V) // 2]", "abs(V - V)",
         "max(V, V)", "min(1.0, V / 64)", "np.clip(V, 0, 255)", "cv2.resize(V, (32, 32))"]
WORDS = ["img", "mask", "edges", "blob", "area", "ratio", "score", "count", "pic", "gray", "level", "size",
         "value", "peak", "total", "width", "height", "shape_kind", "corners", "radius"]


def random_program(rng: random.Random) -> str:
    """A candidate's own program: 2-5 helpers of 3-8 statements, then `classify` calling them."""
    helpers = []
    for n in range(rng.randint(2, 5)):
        params = rng.sample(WORDS, rng.randint(1, 2))
        names = list(params)
        body = []
        for _ in range(rng.randint(3, 8)):
            target = rng.choice(WORDS)
            expr = _call(rng, names)
            if rng.random() < 0.25:
                body.append(f"    if {rng.choice(names)} > {rng.randint(1, 200)}:\n        {target} = {expr}")
            else:
                body.append(f"    {target} = {expr}")
            names.append(target)
        body.append(f"    return {rng.choice(names)}")
        helpers.append(f"def step_{n}_{rng.choice(WORDS)}({', '.join(params)}):\n" + "\n".join(body))
    calls = [h.split("(")[0][4:] for h in helpers]
    labels = ["circle", "square", "triangle"]
    rng.shuffle(labels)
    main = ("def classify(img):\n    x = img\n" + "".join(f"    x = {c}(x)\n" for c in calls)
            + f"    if x > {rng.randint(1, 99)}:\n        return '{labels[0]}'\n"
            + f"    if x > {rng.randint(1, 99)}:\n        return '{labels[1]}'\n    return '{labels[2]}'\n")
    return "import cv2\nimport numpy as np\n\n\n" + "\n\n\n".join(helpers) + "\n\n\n" + main


def _call(rng: random.Random, names: list[str]) -> str:
    template = rng.choice(CALLS)
    while "V" in template:
        template = template.replace("V", rng.choice(names), 1)
    return template


def typical(n: int, rng: random.Random) -> list[str]:
    codes = [random_program(rng) for _ in range(n - 20)]
    codes += [disguise(rng.choice(codes[:n - 20]), rng) for _ in range(20)]
    return codes


def worst(n: int, rng: random.Random) -> list[str]:
    honest = list(honest_solutions().values())
    return [disguise(honest[i % len(honest)], rng) for i in range(n)]


def time_engine(codes: list[str], runs: int) -> tuple[list[float], object]:
    docs = [Document(f"c{i:04d}", f"c{i:04d}", f"c{i:04d}", code) for i, code in enumerate(codes)]
    times, report = [], None
    for _ in range(runs):
        start = time.perf_counter()
        report = compare("shapes", docs, boilerplate=[STARTER])
        times.append(time.perf_counter() - start)
    return times, report


def time_cli(codes: list[str], runs: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        for i, code in enumerate(codes):                  # a folder per candidate, as the command reads them
            (Path(tmp) / f"c{i:04d}").mkdir()
            (Path(tmp) / f"c{i:04d}" / "shapes.py").write_text(code, encoding="utf-8")
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "web.cli", "similarity", str(ROOT / "exams" / "demo"), tmp,
                            "--task", "shapes", "--csv", str(Path(tmp).parent / "similarity-bench.csv")],
                           cwd=ROOT, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    rng = random.Random(16)
    out = {"n": args.n, "runs": args.runs, "sets": {}}
    print(f"{'set':<8} {'pairs':>7} {'suspects':>8} {'engine s (median, min-max)':>28} {'command s (median)':>18}")
    for name, make in (("typical", typical), ("worst", worst)):
        codes = make(args.n, rng)
        engine, report = time_engine(codes, args.runs)
        cli = time_cli(codes, args.runs)
        row = {"pairs": report.compared, "suspects": len(report.suspects), "kept_pairs": len(report.pairs),
               "common": report.common, "engine_s": engine, "command_s": cli,
               "engine_median_s": statistics.median(engine), "command_median_s": statistics.median(cli)}
        out["sets"][name] = row
        print(f"{name:<8} {report.compared:>7} {len(report.suspects):>8} "
              f"{statistics.median(engine):>12.2f} ({min(engine):.2f}-{max(engine):.2f}){'':>6} "
              f"{statistics.median(cli):>12.2f}")
    out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["load_avg"] = list(os.getloadavg())
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "similarity.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(f"max RSS {out['max_rss_mb']:.0f} MB, load average {out['load_avg'][0]:.1f}; "
          f"bench/results/similarity.json")


if __name__ == "__main__":
    main()
