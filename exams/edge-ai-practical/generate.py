"""Make the tasks' data: python3 generate.py OUT [TASK ...]   (no TASK: all of them)

Each task has a module gen/<task id>.py with `generate(out: Path, rng)` that
writes out/public, out/hidden and out/answers. Seeds are fixed per task and
differ between public and hidden sets, so the exam is reproducible and the
hidden sets are not the public samples.
"""
import hashlib
import importlib
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
TASKS = ("video", "gui", "vision", "pipeline", "dataset", "train", "integrate")


def seed_for(task: str) -> int:
    return int.from_bytes(hashlib.sha256(f"edge-ai-practical/{task}".encode()).digest()[:4], "big")


def main(out: Path, only: list[str]) -> None:
    sys.path.insert(0, str(HERE))
    unknown = set(only) - set(TASKS)
    if unknown:
        sys.exit(f"unknown task(s): {', '.join(sorted(unknown))}")
    for task in (only or TASKS):
        if not (HERE / "gen" / f"{task}.py").is_file():
            continue
        t0 = time.monotonic()
        module = importlib.import_module(f"gen.{task}")
        target = out / task
        for part in ("public", "hidden", "answers"):
            (target / part).mkdir(parents=True, exist_ok=True)
        module.generate(target, np.random.default_rng(seed_for(task)))
        files = sum(1 for p in target.rglob("*") if p.is_file())
        print(f"{task:<10} {files:>5} files  {time.monotonic() - t0:5.1f}s", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
