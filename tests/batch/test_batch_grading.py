"""`practicum batch` on the real engine: a class graded in one command, resumed, and stopped
with a real SIGINT leaving no sandbox behind."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import sandbox
from grader.batch import records
from grader.cli import main

from .helpers import RIGHT, SOLO, WRONG, notebook, write

pytestmark = pytest.mark.docker
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICUM_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def batch(*args):
    return CliRunner().invoke(main, ["batch", "--worker-speed", "1", *map(str, args)])


def test_a_class_in_one_command(tmp_path, home, image_tag):
    cls = tmp_path / "class"
    right = write(cls, "alice.ipynb", notebook(RIGHT))
    shutil.copyfile(right, cls / "bob.ipynb")             # the same bytes as alice
    write(cls, "carol.ipynb", notebook(WRONG))
    write(cls, "dave.ipynb", notebook("raise ValueError('oops')"))
    write(cls, "erin.ipynb", notebook(RIGHT, changed_type=True))
    write(cls, "frank.ipynb", "not json")
    write(cls, "roster.txt", "names")
    out = tmp_path / "graded"
    result = batch(SOLO, cls, "--out", out, "--jobs", "2")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[2:-2]}
    assert set(rows) == {"alice", "bob", "carol", "dave", "erin", "frank", "roster.txt"}
    assert "4 / 4" in rows["alice"] and "4 / 4" in rows["bob"] and "0 / 4" in rows["carol"]
    assert "ValueError: oops" in rows["dave"]
    assert "rejected" in rows["frank"] and "not a valid Jupyter notebook" in rows["frank"]
    assert "unusable" in rows["roster.txt"]
    assert "6/6" in result.stderr and "/min" in result.stderr

    alice, bob = records.read(out, "alice"), records.read(out, "bob")
    assert alice.sha256 == bob.sha256
    # the same bytes, two candidates: two artifact folders, each naming its own
    assert alice.report["artifacts_dir"] != bob.report["artifacts_dir"]
    assert Path(alice.report["artifacts_dir"]) == out / "artifacts" / "alice"
    assert (out / "artifacts" / "bob" / "q1").is_dir() and (out / "artifacts" / "alice" / "q1").is_dir()
    erin = records.read(out, "erin")
    assert erin.score == 4 and "normalised for grading" in erin.report["tasks"][0]["message"]
    for name in ("class.csv", "class.xlsx", "gradescope.json"):
        assert (out / name).stat().st_size > 0
    assert len(json.loads((out / "gradescope.json").read_text(encoding="utf-8"))) == 5

    # a second run keeps everything; a changed submission and --force grade again
    again = batch(SOLO, cls, "--out", out, "--jobs", "2")
    assert again.exit_code == 0 and "graded now 0, kept from before 6" in again.stderr
    assert again.stdout == result.stdout
    write(cls, "carol.ipynb", notebook(RIGHT))
    third = batch(SOLO, cls, "--out", out)
    assert "graded now 1, kept from before 5" in third.stderr
    assert records.read(out, "carol").score == 4
    forced = batch(SOLO, cls, "--out", out, "--force")
    assert "graded now 6, kept from before 0" in forced.stderr


def test_a_one_task_exam_needs_no_task_flag_in_grade_either(tmp_path, home, image_tag):
    sub = write(tmp_path, "zhang_san.ipynb", notebook(RIGHT))
    result = CliRunner().invoke(main, ["grade", str(SOLO), str(sub), "--json", "--worker-speed", "1", "-q"])
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout)
    assert first["score"] == 4
    second = json.loads(CliRunner().invoke(main, ["grade", str(SOLO), str(sub), "--json",
                                                  "--worker-speed", "1", "-q"]).stdout)
    # the same bytes graded twice: two folders, the second never overwrites the first
    assert first["artifacts_dir"] != second["artifacts_dir"]
    assert Path(first["artifacts_dir"]).is_dir() and Path(second["artifacts_dir"]).is_dir()


def _slow_exam(tmp_path) -> Path:
    pkg = tmp_path / "slow"
    shutil.copytree(SOLO, pkg)
    toml = pkg / "exam.toml"
    toml.write_text(toml.read_text().replace("wall_s = 20", "wall_s = 60").replace("cell_s = 4", "cell_s = 40"))
    return pkg


def _mine(pid: int) -> list[str]:
    client = sandbox.get_client()
    return [c["Id"] for c in client.api.containers(all=True, filters={"label": sandbox.LABEL})
            if (c.get("Labels") or {}).get(sandbox.OWNER_LABEL, "").endswith(f":{pid}")]


def test_ctrl_c_stops_cleanly_and_a_rerun_finishes(tmp_path, home, image_tag):
    pkg = _slow_exam(tmp_path)
    cls = tmp_path / "class"
    write(cls, "a_quick.ipynb", notebook(RIGHT))
    for name in ("b_slow", "c_slow", "d_slow"):
        write(cls, f"{name}.ipynb", notebook("import time\ntime.sleep(6)\n" + RIGHT))
    out = tmp_path / "graded"
    cmd = [sys.executable, "-m", "web.cli", "batch", str(pkg), str(cls), "--out", str(out), "--jobs", "2",
           "--worker-speed", "1"]
    env = dict(os.environ, PRACTICUM_HOME=str(home), PYTHONPATH=str(REPO))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO, text=True)
    try:
        deadline = time.monotonic() + 120
        # wait until the quick one is recorded and slow ones are running in their sandboxes
        while not (records.read(out, "a_quick") and _mine(proc.pid)):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the batch never got going"
            time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    assert "Run the same command again" in stderr
    assert _mine(proc.pid) == []                          # no sandbox left behind
    assert "Traceback" not in stderr
    unfinished = [n for n in ("b_slow", "c_slow", "d_slow") if records.read(out, n) is None]
    assert unfinished, "the stop came too late to test anything"
    for name in ("b_slow", "c_slow", "d_slow"):            # nothing cut short was recorded as a verdict
        kept = records.read(out, name)
        assert kept is None or kept.score == 4, kept

    rerun = subprocess.run(cmd, capture_output=True, env=env, cwd=REPO, text=True, timeout=180)
    assert rerun.returncode == 0, rerun.stderr
    assert f"graded now {len(unfinished)}, kept from before {4 - len(unfinished)}" in rerun.stderr
    assert all(records.read(out, n).score == 4 for n in ("a_quick", "b_slow", "c_slow", "d_slow"))
