"""The distributed mode under faults, with everything real: redis-server, PostgreSQL, the board
and two `practicum worker` processes, the Docker engine. Candidates upload over HTTP.

Each test checks the same promise: every submission the board acknowledged ends graded,
exactly once (one result, one graded attempt), with the score its code earns; infrastructure
faults are retried and never charged to the candidate.
"""
from __future__ import annotations

import threading
import time

import pytest
import requests

from support.cluster import QUICK, Candidate, Cluster, calc_solution, engine_up, start_engine, stop_engine

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@pytest.fixture
def cluster(tmp_path, redis_server, redis_url, pg_url, image_tag):
    c = Cluster(tmp_path, redis_server, pg_url)
    c.start_board()
    yield c
    c.close()


def _running_job(cluster: Cluster, sid: int, timeout: float = 60) -> str:
    """The worker (host:pid/thread) grading submission `sid`, once its sandbox runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        worker = cluster.scalar("select worker from jobs where submission_id = :s and status = 'running'", s=sid)
        if worker:
            return worker
        time.sleep(0.1)
    raise AssertionError(f"submission {sid} never started\n{cluster.logs()}")


def _assert_exactly_once(cluster: Cluster, ids: list[int], score: float = 4.0) -> None:
    status = cluster.wait_graded(ids)
    assert set(status.values()) == {"graded"}, status
    once = cluster.graded_once(ids)
    wrong = {sid: v for sid, v in once.items() if v != (1, 1, score)}
    assert not wrong, f"(results, graded attempts, score) per submission: {wrong}"


def test_two_workers_share_the_work_and_each_job_is_graded_once(cluster):
    w1, w2 = cluster.start_worker(), cluster.start_worker()
    codes = cluster.add_candidates(3)
    people = [Candidate(cluster, n, c) for n, c in codes.items()]
    ids = [p.upload(calc_solution()) for p in people for _ in range(2)]
    _assert_exactly_once(cluster, ids)
    by = {r[0].split("/")[0] for r in cluster.rows(
        "select a.worker from job_attempts a join jobs j on j.id = a.job_id where j.submission_id = any(:i)", i=ids)}
    assert len(by) == 2, f"one worker did all the work: {by}"
    health = requests.get(f"{cluster.board_url}/healthz", timeout=5).json()
    assert health["ok"] and health["workers"] == 2 and health["queued"] == 0


def test_a_worker_killed_mid_job_is_replaced_and_the_job_graded_once_by_another(cluster):
    w1, w2 = cluster.start_worker(), cluster.start_worker()
    [(number, code)] = cluster.add_candidates(1).items()
    sid = Candidate(cluster, number, code).upload(calc_solution(sleep_s=2.5))
    holder = _running_job(cluster, sid)
    victim = w1 if holder.split("/")[0].endswith(f":{w1.pid}") else w2
    survivor = w2 if victim is w1 else w1
    time.sleep(0.8)                            # mid-job: its sandbox is running
    victim.kill()
    _assert_exactly_once(cluster, [sid])
    attempts = cluster.rows("""select a.outcome, a.worker from job_attempts a join jobs j on j.id = a.job_id
                               where j.submission_id = :s order by a.number""", s=sid)
    assert [a[0] for a in attempts] == ["abandoned", "graded"], attempts
    assert attempts[1][1].split("/")[0].endswith(f":{survivor.pid}")


def test_restarting_redis_mid_exam_loses_nothing(cluster, redis_server):
    cluster.start_worker(), cluster.start_worker()
    codes = cluster.add_candidates(4)
    people = [Candidate(cluster, n, c) for n, c in codes.items()]
    ids = [p.upload(calc_solution(sleep_s=1)) for p in people for _ in range(2)]
    redis_server.stop()                        # the broker goes away with messages queued
    ids += [people[0].upload(calc_solution())]  # the board still takes uploads: the row is the record
    time.sleep(2)
    redis_server.start()
    ids += [p.upload(calc_solution()) for p in people]
    _assert_exactly_once(cluster, ids)


def test_a_broker_that_loses_its_data_loses_no_submission(cluster, redis_server):
    cluster.start_worker(), cluster.start_worker()
    codes = cluster.add_candidates(3)
    people = [Candidate(cluster, n, c) for n, c in codes.items()]
    ids = [p.upload(calc_solution(sleep_s=1)) for p in people for _ in range(3)]
    with redis_server.client() as r:           # worse than a restart: every queued message is gone
        r.flushall()
    ids += [p.upload(calc_solution()) for p in people]
    _assert_exactly_once(cluster, ids)


def test_restarting_the_board_mid_exam_loses_nothing(cluster):
    cluster.start_worker(), cluster.start_worker()
    codes = cluster.add_candidates(3)
    people = [Candidate(cluster, n, c) for n, c in codes.items()]
    ids = [p.upload(calc_solution(sleep_s=1)) for p in people for _ in range(2)]
    cluster.board.kill()                       # the board dies while the workers grade
    time.sleep(1)
    cluster.start_board()
    ids += [p.upload(calc_solution()) for p in people]      # their sessions outlive the restart
    _assert_exactly_once(cluster, ids)


def test_a_cancel_on_the_board_stops_the_sandbox_on_the_worker(tmp_path, redis_server, redis_url, pg_url, image_tag):
    """The board cannot reach a worker's engine: the worker sees the cancel at its next
    heartbeat and kills the job's sandboxes itself."""
    import docker

    from grader.sandbox import JOB_LABEL
    c = Cluster(tmp_path, redis_server, pg_url, exam_dir=QUICK)
    c.start_board()
    try:
        c.start_worker()
        [(number, code)] = c.add_candidates(1).items()
        sid = Candidate(c, number, code).upload(b"import time\ntime.sleep(80)\n" + calc_solution(),
                                                task="patience", name="patience.py")
        _running_job(c, sid)
        job_id = c.scalar("select id from jobs where submission_id = :s", s=sid)
        engine, label = docker.from_env(), {"label": f"{JOB_LABEL}={job_id}"}
        deadline = time.monotonic() + 60
        while not engine.containers.list(filters=label):
            assert time.monotonic() < deadline, "the job's sandbox never started"
            time.sleep(0.2)
        assert c.stop_job(job_id) == "running"  # the proctor's cancel, from a board on another machine
        t0 = time.monotonic()
        while engine.containers.list(filters=label):
            assert time.monotonic() - t0 < 20, f"the sandbox still runs 20 s after the cancel\n{c.logs()}"
            time.sleep(0.2)
        assert c.scalar("select count(*) from results where submission_id = :s", s=sid) == 0
    finally:
        c.close()


@pytest.fixture
def engine_restored():
    yield
    start_engine()                              # whatever happened, later tests get their engine back
    assert engine_up()


def test_stopping_the_docker_engine_mid_job_is_retried_not_charged(tmp_path, redis_server, redis_url, pg_url,
                                                                    image_tag, engine_restored):
    c = Cluster(tmp_path, redis_server, pg_url, env={"PRACTICUM_JOB_MAX_ATTEMPTS": "6",
                                                     "PRACTICUM_RETRY_DELAY_S": "3"})
    c.start_board()
    try:
        c.start_worker(), c.start_worker()
        [(number, code)] = c.add_candidates(1).items()
        sid = Candidate(c, number, code).upload(calc_solution(sleep_s=2.5))
        _running_job(c, sid)
        time.sleep(0.8)
        stop_engine()
        time.sleep(3)
        start_engine()
        _assert_exactly_once(c, [sid])
        outcomes = [r[0] for r in c.rows("""select a.outcome from job_attempts a join jobs j on j.id = a.job_id
                                            where j.submission_id = :s order by a.number""", s=sid)]
        assert outcomes[-1] == "graded" and "sandbox_error" in outcomes, outcomes
        assert c.scalar("select status from submissions where id = :s", s=sid) == "graded"
    finally:
        c.close()


def test_a_burst_of_300_submissions_from_100_candidates(tmp_path, redis_server, redis_url, pg_url, image_tag):
    cluster = Cluster(tmp_path, redis_server, pg_url, exam_dir=QUICK)   # one sandbox a job: the suite stays short
    cluster.start_board()
    try:
        _burst(cluster)
    finally:
        cluster.close()


def _burst(cluster: Cluster) -> None:
    cluster.start_worker(), cluster.start_worker()
    codes = cluster.add_candidates(100)
    people = [Candidate(cluster, n, c) for n, c in codes.items()]
    ids, errors, lock = [], [], threading.Lock()
    answering = {"ok": 0, "slow_or_failed": 0}
    stop = threading.Event()

    def submit(group):
        for p in group:
            for _ in range(3):
                try:
                    sid = p.upload(calc_solution())
                    with lock:
                        ids.append(sid)
                except Exception as exc:   # noqa: BLE001 - counted and shown
                    with lock:
                        errors.append(repr(exc))

    def probe():                                # the board keeps answering pages while it takes the burst
        while not stop.wait(0.5):
            try:
                r = requests.get(f"{cluster.board_url}/login", timeout=5)
                answering["ok" if r.status_code == 200 else "slow_or_failed"] += 1
            except requests.RequestException:
                answering["slow_or_failed"] += 1

    prober = threading.Thread(target=probe)
    prober.start()
    threads = [threading.Thread(target=submit, args=(people[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert not errors and len(ids) == 300, errors[:5]
        _assert_exactly_once(cluster, ids)
    finally:
        stop.set()
        prober.join()
    assert answering["slow_or_failed"] == 0 and answering["ok"] > 0, answering
