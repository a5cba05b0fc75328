"""Infrastructure faults keep their cause: real failures (a full device, an engine socket
that is not there, a missing image) are named by category, and a failed sandbox run's own
words reach the task result for staff while the candidate reads the catalogue's text."""
from __future__ import annotations

import docker
import pytest
import requests

from grader import sandbox
from grader.errors import EngineUnavailable, FaultCause, ImageMissing, SandboxError, cause_of, cause_of_text
from grader.manifest import load_exam
from grader.models import RunResult, Verdict
from grader.scoring import PhaseReport, score_task

from .conftest import REPO


def test_a_full_device_is_out_of_disk():
    with pytest.raises(OSError) as caught:
        with open("/dev/full", "wb") as f:      # the kernel's always-full device: a real ENOSPC
            f.write(b"x" * 65536)
            f.flush()
    assert cause_of(caught.value) is FaultCause.OUT_OF_DISK


def test_an_engine_address_where_nothing_listens_is_engine_unavailable(monkeypatch):
    monkeypatch.setattr(sandbox, "_client", None)
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")     # the discard port: nothing listens
    with pytest.raises(EngineUnavailable) as caught:
        sandbox.get_client()
    assert cause_of(caught.value) is FaultCause.ENGINE_UNAVAILABLE


def test_an_engine_that_does_not_answer_in_time_is_engine_timeout(tmp_path):
    import socket
    quiet = socket.socket()
    quiet.bind(("127.0.0.1", 0))
    quiet.listen(1)                              # accepts, never answers
    try:
        with pytest.raises(requests.RequestException) as caught:
            requests.get(f"http://127.0.0.1:{quiet.getsockname()[1]}/version", timeout=0.3)
    finally:
        quiet.close()
    assert cause_of(caught.value) is FaultCause.ENGINE_TIMEOUT
    assert cause_of(EngineUnavailable(str(caught.value))) is FaultCause.ENGINE_TIMEOUT


def test_a_missing_image_is_image_missing_from_the_real_engine(image_tag):
    client = sandbox.get_client()
    with pytest.raises(docker.errors.ImageNotFound) as caught:
        client.images.get("practicum-no-such-image:never")
    assert cause_of(caught.value) is FaultCause.IMAGE_MISSING
    assert cause_of(ImageMissing("practicum-x:1", "default")) is FaultCause.IMAGE_MISSING


def test_texts_and_exceptions_without_a_known_sign():
    assert cause_of_text("the sandbox ended (exit code 137) without its supervisor's report") is FaultCause.SANDBOX_LOST
    assert cause_of_text("something odd") is FaultCause.SANDBOX
    assert cause_of(SandboxError("something odd")) is FaultCause.SANDBOX
    assert cause_of(KeyError("a bug of ours")) is FaultCause.INTERNAL


def test_a_failed_run_keeps_its_infra_error_for_staff_and_the_generic_text_for_the_candidate():
    task = load_exam(REPO / "exams" / "demo").task("shapes")
    run = RunResult(verdict=Verdict.SANDBOX_ERROR, exit_code=None, oom_killed=False, timed_out=False,
                    duration_s=0.1, stdout="", stderr="", infra_error="create failed: No space left on device")
    result = score_task(task, PhaseReport(run=run, records={}, started=frozenset()), None, "en")
    assert result.status is Verdict.SANDBOX_ERROR
    assert "No space left on device" in result.infra_error and "No space" not in result.message
    assert cause_of_text(result.infra_error) is FaultCause.OUT_OF_DISK
    ok = RunResult(verdict=Verdict.OK, exit_code=0, oom_killed=False, timed_out=False, duration_s=0.1,
                   stdout="", stderr="")
    assert score_task(task, PhaseReport(run=ok, records={}, started=frozenset()), None, "en").infra_error is None
