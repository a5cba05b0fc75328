"""Make the tasks' data: python3 generate.py OUT [TASK ...]   (no TASK: all of them)

Each task has a module gen/<task id>.py with `generate(out, rng)` that writes
out/public (the candidates' samples), out/hidden (the grading inputs) and
out/answers (only the judge sees them). The seed is fixed per task, so the data
is the same on every machine; a generator draws the public samples and the
hidden set from different parts of the stream, so they never coincide.
"""
import hashlib
import importlib
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
EXAM = "@ID@"           # part of every seed: the data does not depend on where the package sits


def seed_for(task: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{EXAM}/{task}".encode()).digest()[:4], "big")


def main(out: Path, only: list[str]) -> None:
    sys.path.insert(0, str(HERE))
    tasks = sorted(p.stem for p in (HERE / "gen").glob("*.py") if p.stem != "__init__")
    unknown = set(only) - set(tasks)
    if unknown:
        sys.exit(f"unknown task(s): {', '.join(sorted(unknown))}")
    for task in only or tasks:
        target = out / task
        for part in ("public", "hidden", "answers"):
            (target / part).mkdir(parents=True, exist_ok=True)
        importlib.import_module(f"gen.{task}").generate(target, np.random.default_rng(seed_for(task)))
        print(task, sum(1 for p in target.rglob("*") if p.is_file()), "files", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
