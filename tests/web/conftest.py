"""Fixtures for the board: a real SQLite database migrated by Alembic, the demo exam,
candidates from a roster, and a client helper that signs in and carries the CSRF token."""
from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest

from web.services import accounts, exams
from web.pages.app import create_app
from web.storage.db import db, upgrade, utcnow
from web.storage.models import Exam, Role
from web.services.roster import RosterRow

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "exams" / "demo"
FULL = REPO / "reference_solutions" / "demo" / "full"
SHAPES_PATH = FULL / "shapes.py"
STAFF_PASSWORD = "correct horse battery"
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def _database(request) -> dict:
    """SQLite in the instance folder by default; a fresh database on the session's real
    PostgreSQL (support/infra.py) for tests marked `postgres`, or for all with PRACTICUM_TEST_DB=postgres."""
    if request.node.get_closest_marker("postgres") or os.environ.get("PRACTICUM_TEST_DB") == "postgres":
        return {"SQLALCHEMY_DATABASE_URI": request.getfixturevalue("pg_url")}
    return {}


@pytest.fixture
def app(tmp_path, request):
    app = create_app({
        **_database(request),
        "INSTANCE_PATH": str(tmp_path / "board"),
        "TESTING": True,
        "SSE_POLL_S": 0.02, "SSE_KEEPALIVE_S": 0.2, "SSE_MAX_S": 3.0,
        "HEARTBEAT_S": 0.5, "RETRY_DELAY_S": 0.0,
    })
    upgrade(app)
    yield app   # no app context stays pushed: each request gets its own, as in production
    with app.app_context():
        db.engine.dispose()     # no pooled connection outlives the test (its PG database is dropped)


@pytest.fixture
def ctx(app):
    """An app context for a test that reads or writes the database directly."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def exam(app) -> int:
    """The demo exam's row id, open from an hour ago for an hour."""
    now = utcnow()
    with app.app_context():
        return exams.register_exam(DEMO, window_start=now - timedelta(hours=1),
                                   window_end=now + timedelta(hours=1)).id


def add_candidates(app, exam_id: int, *numbers: str) -> dict[str, str]:
    """{candidate number: one-time code}"""
    rows = [RosterRow(i + 1, n, f"考生{n}", f"A{i + 1}") for i, n in enumerate(numbers)]
    with app.app_context():
        return {c.number: c.code for c in accounts.import_roster(db.session.get(Exam, exam_id), rows)}


def update_exam(app, exam_id: int, **values) -> None:
    with app.app_context():
        row = db.session.get(Exam, exam_id)
        for k, v in values.items():
            setattr(row, k, v)
        db.session.commit()


@pytest.fixture
def codes(app, exam) -> dict[str, str]:
    return add_candidates(app, exam, "2024001", "2024002")


@pytest.fixture
def staff(app):
    """{role: username} for one account of each staff role."""
    out = {}
    with app.app_context():
        for role in (Role.ADMIN, Role.EXAMINER, Role.PROCTOR):
            accounts.create_staff(f"{role.value}1", STAFF_PASSWORD, role)
            out[role.value] = f"{role.value}1"
    return out


class Browser:
    """The Flask test client with the CSRF token of the current session at hand."""

    def __init__(self, client):
        self.client = client

    def token(self) -> str:
        page = self.client.get("/login")
        return TOKEN_RE.search(page.get_data(as_text=True)).group(1)

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, data=None, csrf=True, confirm=True, **kw):
        """`confirm`: as if the staff member said yes to the confirmation (web/pages/confirm.py)."""
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token())
        if confirm:
            data.setdefault("confirm", "yes")
        return self.client.post(url, data=data, **kw)

    def login_candidate(self, number: str, code: str):
        return self.post("/login", {"number": number, "code": code})

    def login_staff(self, username: str, password: str = STAFF_PASSWORD):
        return self.post("/login/staff", {"username": username, "password": password})

    def upload(self, task: str, path: Path | None = None, *, name: str | None = None, data: bytes | None = None):
        import io
        body = data if data is not None else Path(path).read_bytes()
        return self.post(f"/exam/{task}/upload", {"file": (io.BytesIO(body), name or Path(path).name)},
                         content_type="multipart/form-data")

    def set_lang(self, lang: str):
        return self.get(f"/lang/{lang}")


@pytest.fixture
def browser(app):
    return Browser(app.test_client())


@pytest.fixture
def make_browser(app):
    return lambda: Browser(app.test_client())


@pytest.fixture
def candidate(browser, codes):
    """A browser signed in as candidate 2024001."""
    r = browser.login_candidate("2024001", codes["2024001"])
    assert r.status_code == 302, r.get_data(as_text=True)
    return browser


def submission_id(response) -> int:
    m = re.search(r"/submissions/(\d+)", response.headers.get("Location", ""))
    assert m, (response.status_code, response.get_data(as_text=True)[:2000])
    return int(m.group(1))


# ------------------------------------------------------------------ examiner, proctor, scoreboard

@pytest.fixture
def signed_in(make_browser, staff):
    """signed_in("examiner") -> a browser signed in with that staff role."""
    def _sign_in(role: str) -> Browser:
        b = make_browser()
        r = b.login_staff(staff[role])
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        return b
    return _sign_in


def grade_by_hand(app, sid: int, score: float, *, task: str = "shapes", max_score: float = 5.0, tests=None,
                  status=None):
    """Claim the submission's queued job and finish it as graded with `score` (no sandbox)."""
    from grader.models import TaskResult, Verdict
    from sqlalchemy import select as _select
    from web.grading import jobs
    from web.storage.models import AttemptOutcome, Job, JobStatus

    with app.app_context():
        job_id = db.session.scalar(_select(Job.id).where(Job.submission_id == sid, Job.status == JobStatus.QUEUED))
        claim = jobs.claim("hand", job_id=job_id)
        assert claim is not None, f"submission {sid} has no queued job"
        result = TaskResult(id=task, score=score, max_score=max_score,
                            status=status or (Verdict.OK if score == max_score else Verdict.WRONG),
                            message=f"{score:g} points",
                            tests=tuple(tests or ()))
        assert jobs.finish(claim, AttemptOutcome.GRADED, result=result) is not None
        db.session.remove()
        return claim.job_id


@pytest.fixture
def live_board(app):
    """The board's app served on a free port in a thread, for clients that speak real HTTP
    (`BoardGateway`, `practicum results send`)."""
    import threading

    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)
