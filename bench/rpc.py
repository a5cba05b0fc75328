"""What calling the candidate's code across the pipe costs (grader/harness/remote.py), in a sandbox.

    python3 bench/rpc.py [--calls 2000]

Rubric tests call the candidate's functions in the candidate's own process
(docs/architecture.md, "Verdicts candidate code cannot forge"). This measures,
inside a real sandbox (raw mode, the image's Python), with the same
`remote.script_channel` grading uses:

  start      starting the candidate's process and importing a tiny module
  small      one call of add(2, 3): the round trip of a small request and reply
  fast_1m    demo task `fast`'s speed check: smooth() on 1,000,000 floats, k = 50
             (8 MB there, 8 MB back), best of 5, against the same function called
             directly in the process that measures, and as rubric.latency counts it
             (without the harness's own copying)

Prints a table and writes bench/results/rpc.json (with the load average: on a
busy machine every figure grows).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402  (puts the repository on sys.path)

from grader import images, sandbox  # noqa: E402
from grader.models import Limits  # noqa: E402

MODULE = '''
import numpy as np

def add(a, b):
    return a + b

def smooth(values, k):
    c = np.cumsum(np.concatenate([[0.0], np.asarray(values, dtype=float)]))
    return (c[k:] - c[:-k]) / k
'''

PROGRAM = r'''
import json, sys, time
import numpy as np
from practicum import remote

calls = int(sys.argv[1])
t0 = time.perf_counter()
channel = remote.script_channel("/out/work/mod.py")
channel.connect()
cand = remote.Remote(channel, None, "mod.py")
add = cand.add
start_s = time.perf_counter() - t0
add(1, 1)
t0 = time.perf_counter()
for _ in range(calls):
    add(2, 3)
small_s = (time.perf_counter() - t0) / calls

exec(open("/out/work/mod.py").read())       # the same function, here, for the direct figure
values = np.random.default_rng(8).normal(size=1_000_000)
def best(fn):
    fn(values, 50)
    times = []
    for _ in range(5):
        t = time.perf_counter()
        fn(values, 50)
        times.append(time.perf_counter() - t)
    return min(times)
remote_s, direct_s = best(cand.smooth), best(smooth)
from practicum import rubric
counted_s = rubric.latency(cand.smooth, values, 50, repeat=5, warmup=1, statistic="min")
f = cand.smooth
f(values, 50)
own_s = f.harness_seconds()
channel.close()
print(json.dumps({"start_s": start_s, "small_s": small_s, "fast_1m_remote_s": remote_s,
                  "fast_1m_direct_s": direct_s, "fast_1m_counted_s": counted_s, "harness_own_s": own_s}))
'''


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calls", type=int, default=2000)
    args = ap.parse_args()
    image = images.ensure_image(sandbox.get_client(), "default")
    limits = Limits(wall_s=120.0, memory_mb=1024, cpus=1.0, stdout_kb=64)
    with tempfile.TemporaryDirectory() as tmp:
        files = Path(tmp) / "files"
        files.mkdir()
        (files / "mod.py").write_text(MODULE, encoding="utf-8")
        load = common.loadavg()
        with sandbox.raw_run(image, ["python3", "-c", PROGRAM, str(args.calls)], limits, files=files) as (run, _):
            pass
    if run.verdict.value != "ok":
        print(run.stderr[-2000:], file=sys.stderr)
        return 1
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    figures.update(load_before=load, load_after=common.loadavg(), calls=args.calls)
    over = figures["fast_1m_remote_s"] - figures["fast_1m_direct_s"]
    print(common.table(["what", "figure"], [
        ["start the candidate's process + import", f"{figures['start_s'] * 1000:.0f} ms"],
        ["one small call (add(2, 3))", f"{figures['small_s'] * 1e6:.0f} µs"],
        ["smooth, 1,000,000 floats, across the pipe", f"{figures['fast_1m_remote_s'] * 1000:.1f} ms"],
        ["smooth, 1,000,000 floats, direct", f"{figures['fast_1m_direct_s'] * 1000:.1f} ms"],
        ["cost of the pipe for 8 MB there and back", f"{over * 1000:.1f} ms"],
        ["  of which the harness's own copying", f"{figures['harness_own_s'] * 1000:.1f} ms"],
        ["smooth as rubric.latency counts it", f"{figures['fast_1m_counted_s'] * 1000:.1f} ms"],
        ["load average before / after", f"{figures['load_before']:.1f} / {figures['load_after']:.1f}"],
    ]))
    print(common.write_json("rpc.json", figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
