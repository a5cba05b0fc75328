"""Worker speed calibration: how stable it is, what it costs, and what load does to it.

    python3 bench/speed.py                  # 10 calibrations at rest, then 10 under load
    python3 bench/speed.py --repeat 5 --no-load

At rest, then with a CPU burner on every core (the fresh-clone demo's --load), the bench
runs `grader.speed.calibrate` (as many sandboxes at once as grading slots) and reports the
speeds, their spread, the time one calibration takes and the factor an exam proven at 1.0
would get. Writes bench/results/speed.json. Figures, not pass/fail.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402  (puts the repository on sys.path)

from grader import images, pool, sandbox, speed  # noqa: E402


def _burn(until: float) -> None:
    while time.time() < until:
        pass


def series(image: str, repeat: int) -> dict:
    speeds, seconds = [], []
    for _ in range(repeat):
        t0 = time.monotonic()
        speeds.append(speed.calibrate(image).speed)
        seconds.append(time.monotonic() - t0)
    return {"speeds": speeds, "median": statistics.median(speeds),
            "spread": round((max(speeds) - min(speeds)) / statistics.median(speeds), 3),
            "seconds_median": round(statistics.median(seconds), 2),
            "factor_for_reference_1": speed.time_scale(1.0, speed.fixed(statistics.median(speeds))).factor}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--no-load", action="store_true", help="only the series at rest")
    args = ap.parse_args()
    image = images.ensure_image(sandbox.get_client(), "default")
    out = {"slots": pool.size(), "rest": series(image, args.repeat)}
    print(f"at rest ({pool.size()} slots): {json.dumps(out['rest'])}")
    if not args.no_load:
        until = time.time() + 3600
        burners = [multiprocessing.Process(target=_burn, args=(until,)) for _ in range(multiprocessing.cpu_count())]
        for p in burners:
            p.start()
        try:
            time.sleep(1)
            out["loaded"] = series(image, args.repeat)
        finally:
            for p in burners:
                p.terminate()
        print(f"a burner on every core: {json.dumps(out['loaded'])}")
    print(f"wrote {common.write_json('speed.json', out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
