"""The sandbox on its own: one script, the real engine, every limit."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import sandbox
from grader.cli import main
from grader.errors import ImageMissing
from grader.images import ensure_image
from grader.models import Limits
from grader.tryout import run_script

from .conftest import REPO

pytestmark = pytest.mark.docker

TIGHT = Limits(wall_s=6, memory_mb=128, pids=32, output_mb=4, stdout_kb=16, tmpfs_mb=16)


def run(tmp_path: Path, code: str, image: str, limits: Limits = TIGHT):
    script = tmp_path / "try.py"
    script.write_text(code)
    return run_script(script, image=image, limits=limits)


def test_plain_run_is_ok_and_confined(tmp_path, image_tag):
    res = run(tmp_path, """
import os
print(os.getuid(), os.getgid(), os.getcwd())
status = open('/proc/self/status').read()
print([l.split()[1] for l in status.splitlines() if l.startswith(('CapEff', 'NoNewPrivs', 'Seccomp:'))])
print(sorted(os.listdir('/sys/class/net')))
""", image_tag)
    assert res.verdict.value == "ok" and res.exit_code == 0
    lines = res.stdout.splitlines()
    assert lines[0] == "65534 65534 /out/work"
    assert lines[1] == "['0000000000000000', '1', '2']"      # no capabilities, no new privileges, seccomp
    assert lines[2] == "['lo']"                               # no network but loopback


def test_memory_hog_is_memory_limit(tmp_path, image_tag):
    res = run(tmp_path, "x = []\nwhile True: x.append(bytearray(16 << 20))", image_tag)
    assert res.verdict.value == "memory_limit" and res.oom_killed


def test_infinite_loop_is_time_limit(tmp_path, image_tag):
    t0 = time.monotonic()
    res = run(tmp_path, "while True: pass", image_tag)
    assert res.verdict.value == "time_limit" and res.timed_out and not res.oom_killed
    assert time.monotonic() - t0 < TIGHT.wall_s + 15


def test_sleep_past_the_limit_is_time_limit(tmp_path, image_tag):
    res = run(tmp_path, "import time\ntime.sleep(600)", image_tag)
    assert res.verdict.value == "time_limit"


def test_fork_bomb_stops_at_the_pids_limit(tmp_path, image_tag):
    res = run(tmp_path, """
import os, time
n = 0
try:
    while True:
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        n += 1
except OSError as e:
    print('stopped after', n, e.errno)
""", image_tag)
    assert res.verdict.value == "ok"
    stopped = int(res.stdout.split()[2])
    assert stopped < TIGHT.pids


def test_network_is_unreachable(tmp_path, image_tag):
    res = run(tmp_path, """
import socket
for host, port in (('1.1.1.1', 53), ('172.17.0.1', 2375), ('pypi.org', 443)):
    try:
        socket.create_connection((host, port), timeout=2); print('REACHED', host)
    except OSError as e:
        print('blocked', host)
""", image_tag)
    assert "REACHED" not in res.stdout and res.stdout.count("blocked") == 3


def test_writes_outside_tmp_and_out_fail(tmp_path, image_tag):
    res = run(tmp_path, """
import os
for path in ('/etc/x', '/usr/x', '/x', '/opt/practicum/practicum/x', '/opt/spec/x', '/var/tmp/x'):
    try:
        open(path, 'w').write('x'); print('WROTE', path)
    except OSError:
        pass
open('/tmp/ok', 'w').write('fine'); open('/out/work/ok', 'w').write('fine')
print('done')
""", image_tag)
    assert "WROTE" not in res.stdout and "done" in res.stdout


def test_tmp_is_capped(tmp_path, image_tag):
    res = run(tmp_path, """
try:
    with open('/tmp/big', 'wb') as f:
        for _ in range(64): f.write(b'0' * (1 << 20))
    print('WROTE 64MB')
except OSError as e:
    print('capped', e.errno)
""", image_tag)
    # the file-size limit (EFBIG) or the 16 MB tmpfs (ENOSPC), whichever comes first
    assert "capped 27" in res.stdout or "capped 28" in res.stdout


def test_output_folder_is_capped(tmp_path, image_tag):
    res = run(tmp_path, "f = open('big', 'wb')\nwhile True: f.write(b'0' * (1 << 20))", image_tag)
    assert res.verdict.value == "output_limit"


def test_stdout_flood_is_output_limit(tmp_path, image_tag):
    res = run(tmp_path, "while True: print('x' * 1000)", image_tag)
    assert res.verdict.value == "output_limit" and res.stdout_truncated
    assert len(res.stdout.encode()) <= TIGHT.stdout_kb * 1024


def test_candidate_cannot_end_or_read_pid_1(tmp_path, image_tag):
    res = run(tmp_path, """
import os, signal
for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
    try: os.kill(1, sig)
    except OSError: pass
for path in ('/proc/1/environ', '/proc/1/mem', '/proc/1/fd/1'):
    try:
        open(path, 'rb').read(10); print('READ', path)
    except OSError:
        pass
print('alive')
""", image_tag)
    assert res.verdict.value == "ok" and "alive" in res.stdout and "READ" not in res.stdout


def test_runtime_error_keeps_the_traceback(tmp_path, image_tag):
    res = run(tmp_path, "raise ValueError('bad input 42')", image_tag)
    assert res.verdict.value == "runtime_error" and res.exit_code == 1
    assert "ValueError: bad input 42" in res.stderr


def test_cli_json_contract(tmp_path, image_tag):
    script = tmp_path / "hello.py"
    script.write_text("print('你好')")
    out = CliRunner().invoke(main, ["sandbox", "run", "--exam", str(REPO / "exams" / "demo"), str(script), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert set(data) >= {"verdict", "exit_code", "oom_killed", "duration_s", "stdout", "stderr"}
    assert data["verdict"] == "ok" and data["stdout"] == "你好\n"


def test_missing_image_says_how_to_build_it(tmp_path, monkeypatch):
    """A definition whose inputs changed has a new tag, not built yet."""
    import shutil

    shutil.copytree(REPO / "sandbox_images" / "default", tmp_path / "default")
    with open(tmp_path / "default" / "requirements.txt", "a") as fh:
        fh.write("\n# changed\n")
    monkeypatch.setenv("PRACTICUM_IMAGES_DIR", str(tmp_path))
    with pytest.raises(ImageMissing) as err:
        ensure_image(sandbox.get_client(), "default")
    assert "practicum image build default" in str(err.value)


def test_interrupted_grader_removes_its_container(tmp_path, image_tag):
    """SIGTERM to a grader in the middle of a run still removes the container."""
    script = tmp_path / "sleepy.py"
    script.write_text("import time\ntime.sleep(600)")
    proc = subprocess.Popen([sys.executable, "-m", "grader.cli", "sandbox", "run", "--exam",
                             str(REPO / "exams" / "demo"), str(script)], cwd=REPO)
    client = sandbox.get_client()
    owner = f":{proc.pid}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        mine = [c for c in client.containers.list(filters={"label": sandbox.LABEL})
                if c.labels.get(sandbox.OWNER_LABEL, "").endswith(owner)]
        if mine:
            break
        time.sleep(0.2)
    assert mine, "the grader never started its container"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    left = [c for c in client.containers.list(all=True, filters={"label": sandbox.LABEL})
            if c.labels.get(sandbox.OWNER_LABEL, "").endswith(owner)]
    assert left == []


def test_sweep_removes_orphans_of_dead_graders(image_tag):
    client = sandbox.get_client()
    dead = subprocess.Popen(["true"])
    dead.wait()
    c = client.containers.create(image_tag, ["true"], labels={
        sandbox.LABEL: "1", sandbox.OWNER_LABEL: f"{os.uname().nodename}:{dead.pid}"})
    try:
        assert sandbox.sweep_orphans(client) >= 1
        assert c.id not in {x.id for x in client.containers.list(all=True)}
    finally:
        try:
            c.remove(force=True)
        except Exception:
            pass


def test_a_run_without_the_supervisors_report_is_an_infrastructure_fault():
    """The engine stopping mid-run kills PID 1 before it reports: that must be retried, not
    charged to the candidate as a runtime error. With the report, a non-zero exit is theirs."""
    limits = Limits()
    lost = sandbox._verdict(limits, None, 143, oom=False, timed_out=False, duration=1.0, out_bytes=0)
    assert lost.verdict.value == "sandbox_error" and "supervisor" in lost.infra_error
    theirs = sandbox._verdict(limits, {"exit_code": 1, "duration_s": 0.5}, 1, oom=False, timed_out=False,
                              duration=1.0, out_bytes=0)
    assert theirs.verdict.value == "runtime_error"
    oom = sandbox._verdict(limits, None, 137, oom=True, timed_out=False, duration=1.0, out_bytes=0)
    assert oom.verdict.value == "memory_limit"
