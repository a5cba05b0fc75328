"""Shared pytest fixtures."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

# ==========================================================================
# intake / store fixtures (owner: intake & store module). Keep this block
# self-contained; add other fixtures outside it.
# ==========================================================================

from grader.manifest import load_exam
from grader.store import Store

MINI_EXAM_TOML = """\
id = "mini"
title = { zh = "小考", en = "Mini exam" }

[[tasks]]
id = "blur"
title = { zh = "模糊", en = "Blur" }
points = 3
accepts = ["notebook", "script"]
name = "blur"

[[tasks]]
id = "count"
title = { zh = "计数", en = "Count" }
points = 2
accepts = ["script"]
name = "count"

[[tasks]]
id = "qt"
title = { zh = "界面", en = "Qt app" }
points = 5
accepts = ["project"]
name = "qt"
entry = "main.py"
"""

MINI_POINTS = {"blur": 3, "count": 2, "qt": 5}


def write_mini_exam(root: Path) -> Path:
    """A tiny but valid exam package: blur (notebook|script), count (script), qt (project)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "exam.toml").write_text(MINI_EXAM_TOML, encoding="utf-8")
    for task_id, points in MINI_POINTS.items():
        troot = root / "tasks" / task_id
        (troot / "tests" / "hidden").mkdir(parents=True)
        (troot / "statement.zh.md").write_text(f"# {task_id}\n", encoding="utf-8")
        (troot / "statement.en.md").write_text(f"# {task_id}\n", encoding="utf-8")
        (troot / "tests" / "hidden" / "test_x.py").write_text(
            f"import pytest\n@pytest.mark.points({points})\ndef test_x(): pass\n", encoding="utf-8")
    return root


@pytest.fixture
def mini_exam(tmp_path):
    """The loaded `Exam` of the tiny package above."""
    return load_exam(write_mini_exam(tmp_path / "exam_pkg"))


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "store")


@pytest.fixture
def workdir(tmp_path):
    """A fresh (not yet existing) folder for `intake.accept(..., workdir=)`."""
    return tmp_path / "work"

# ==========================================================================
# end of intake / store fixtures
# ==========================================================================


# ==========================================================================
# the real engine: Docker, the sandbox image, and grading helpers
# ==========================================================================

import shutil  # noqa: E402

from grader import images, pool, sandbox  # noqa: E402
from grader.errors import PracticumError  # noqa: E402
from grader.grading import grade_path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.fixture(scope="session")
def image_tag() -> str:
    """The sandbox image. The test command builds it; a missing one fails loudly."""
    try:
        return images.ensure_image(sandbox.get_client(), "default")
    except PracticumError as exc:
        pytest.fail(f"the real engine is required: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def lab_exam():
    return load_exam(FIXTURES / "lab")


@pytest.fixture(scope="session")
def demo_exam():
    return load_exam(REPO / "exams" / "demo")


@pytest.fixture
def grade(tmp_path, image_tag):
    """grade(exam, source, task=None) -> GradeReport, with artifacts under tmp_path."""
    pool.configure(2)
    store = Store(tmp_path / "store")

    def _grade(exam, source, task=None, lang="en"):
        return grade_path(exam, Path(source), store=store, task=task, lang=lang,
                          artifacts_root=tmp_path / "artifacts", image=image_tag)
    return _grade


@pytest.fixture(autouse=True, scope="session")
def _no_leftover_containers():
    """After the whole session, no sandbox container may be left behind."""
    yield
    try:
        client = sandbox.get_client()
    except PracticumError:
        return
    # the low-level listing: no per-container inspect that races with workers removing theirs
    left = client.api.containers(all=True, filters={"label": sandbox.LABEL})
    mine = [c for c in left if (c.get("Labels") or {}).get(sandbox.OWNER_LABEL, "").endswith(f":{os.getpid()}")]
    assert not mine, f"sandbox containers left behind: {[c['Id'][:12] for c in mine]}"


# ==========================================================================
# an editable copy of the demo package, for tests that break it on purpose
# ==========================================================================


@pytest.fixture
def pkg(tmp_path) -> Path:
    """A private, editable copy of the demo exam package."""
    dst = tmp_path / "demo"
    shutil.copytree(REPO / "exams" / "demo", dst)
    return dst


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the demo changed: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ==========================================================================
# real Redis and PostgreSQL servers (support/infra.py), for the distributed mode
# ==========================================================================

import itertools  # noqa: E402
import re  # noqa: E402

from support.infra import InfraError, PostgresServer, RedisServer  # noqa: E402


def _serve(cls):
    try:
        server = cls()
        server.start()
    except InfraError as exc:
        pytest.fail(str(exc), pytrace=False)
    return server


@pytest.fixture(scope="session")
def redis_server():
    """One redis-server for the session, append-only; tests may stop, kill and restart it."""
    server = _serve(RedisServer)
    yield server
    server.close()


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL cluster for the session (initdb once); tests may stop, kill and restart it."""
    server = _serve(PostgresServer)
    yield server
    server.close()


@pytest.fixture
def redis_url(redis_server):
    """The session's Redis, emptied: no keys left from an earlier test (or the one that killed it)."""
    redis_server.start()
    with redis_server.client() as r:
        r.flushall()
    return redis_server.url


_db_numbers = itertools.count(1)


@pytest.fixture
def pg_url(request, postgres_server):
    """A fresh, empty database on the session's PostgreSQL, dropped afterwards."""
    postgres_server.start()              # an earlier test may have left it stopped or killed
    name = f"t{next(_db_numbers)}_" + re.sub(r"[^a-z0-9_]+", "_", request.node.name.lower())
    name = name[:63]
    url = postgres_server.create_database(name)
    yield url
    if postgres_server.running:
        postgres_server.drop_database(name)
