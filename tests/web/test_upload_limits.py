"""Upload size enforced while the body streams in: refused early, nothing over the limit kept,
the refusal recorded with its size, a capped number of refusals, a refusal page with the limit."""
from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from web.storage.db import db
from web.storage.models import Submission, SubmissionStatus

from .conftest import SHAPES_PATH, submission_id

LIMIT = 10_000
SLACK = 4_000


def limited(app, **more):
    app.config.update(UPLOAD_MAX_BYTES=LIMIT, UPLOAD_FORM_SLACK_BYTES=SLACK, **more)


def stored_files(app) -> list:
    from pathlib import Path
    return [p for p in Path(app.config["STORE_DIR"]).rglob("*") if p.is_file()]


def rows(app) -> list[Submission]:
    with app.app_context():
        out = list(db.session.scalars(select(Submission).order_by(Submission.id)))
        db.session.expunge_all()
        return out


class Source(io.RawIOBase):
    """A client body of `total` bytes (None: endless) that counts what the server read."""

    def __init__(self, total: int | None, *, explode: bool = False):
        self.total, self.read_bytes, self.explode = total, 0, explode

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.explode:
            raise AssertionError("the server read a body it had to refuse unread")
        n = len(buffer) if self.total is None else min(len(buffer), self.total - self.read_bytes)
        buffer[:n] = b"x" * n
        self.read_bytes += n
        return n


def post_raw(candidate, source, *, content_length=None, terminated=False, headers=None):
    """POST `source` as the body, with the Content-Length given (None: none, as chunked)."""
    from flask.testing import EnvironBuilder
    from werkzeug.wrappers import Request

    client = candidate.client
    environ = EnvironBuilder(client.application, path="/exam/shapes/upload", method="POST", headers=headers,
                             content_type="multipart/form-data; boundary=xyz").get_environ()
    environ["wsgi.input"] = source
    environ.pop("CONTENT_LENGTH", None)
    if content_length is not None:
        environ["CONTENT_LENGTH"] = str(content_length)
    if terminated:
        environ["wsgi.input_terminated"] = True
    return client.open(Request(environ))


def test_a_declared_size_over_the_limit_is_refused_before_a_byte_is_read(app, candidate):
    limited(app, UPLOAD_DRAIN_MAX_BYTES=0)
    r = post_raw(candidate, Source(None, explode=True), content_length=5 * 1024 * 1024)
    assert r.status_code == 413
    page = r.get_data(as_text=True)
    assert "上传未被接受" in page and "超过了 0.01 MB 的上限" in page and "至少 5 MB" in page
    assert 'href="/exam#task-shapes"' in page and "返回考试页面" in page
    assert stored_files(app) == []
    [row] = rows(app)
    assert row.status is SubmissionStatus.REJECTED and row.reject_code == "too_large"
    assert row.size == 5 * 1024 * 1024 and row.sha256 == "" and row.stored_path is None


def test_a_body_without_a_length_stops_being_read_past_the_limit(app, candidate):
    limited(app, UPLOAD_DRAIN_MAX_BYTES=0)
    source = Source(None)                              # chunked: no Content-Length, never ends
    r = post_raw(candidate, source, terminated=True)
    assert r.status_code == 413
    assert LIMIT + SLACK < source.read_bytes <= LIMIT + SLACK + 128 * 1024
    assert stored_files(app) == []
    [row] = rows(app)
    assert row.reject_code == "too_large" and row.size > LIMIT + SLACK


def test_a_refused_body_is_read_to_its_end_so_the_browser_gets_the_page(app, candidate):
    limited(app)
    source = Source(300_000)
    assert post_raw(candidate, source, content_length=300_000).status_code == 413
    assert source.read_bytes == 300_000
    assert stored_files(app) == []


def test_a_file_just_over_the_limit_is_measured_and_dropped(app, candidate):
    limited(app)
    r = candidate.upload("shapes", name="shapes.py", data=b"#" * (LIMIT + 1))
    assert r.status_code == 413
    assert "上传未被接受" in r.get_data(as_text=True)
    assert stored_files(app) == []
    [row] = rows(app)
    assert row.size == LIMIT + 1 and row.filename == "shapes.py" and row.sha256 == ""
    receipt = candidate.get(f"/submissions/{row.id}").get_data(as_text=True)
    assert "没有被保存" in receipt and "文件已保存" not in receipt
    # a file within the limit is still taken as before
    assert SHAPES_PATH.stat().st_size <= LIMIT
    assert candidate.upload("shapes", SHAPES_PATH).status_code == 303


def test_refused_uploads_are_capped_per_minute(app, candidate):
    limited(app, REFUSED_PER_MINUTE=2)
    for _ in range(2):
        assert candidate.upload("shapes", name="shapes.py", data=b"#" * (LIMIT + 1)).status_code == 413
    r = candidate.upload("shapes", name="shapes.py", data=b"#" * (LIMIT + 1))
    assert r.status_code == 429 and "一分钟内被拒绝的上传已达 2 次" in r.get_data(as_text=True)
    r = post_raw(candidate, Source(50_000), content_length=50_000)
    assert r.status_code == 429 and "一分钟内被拒绝的上传已达 2 次" in r.get_data(as_text=True)
    assert len(rows(app)) == 2                        # the refusals past the cap leave nothing
    # an accepted-looking upload waits too: the cap is on the candidate, not the file
    assert candidate.upload("shapes", SHAPES_PATH).status_code == 429


def test_refused_uploads_are_capped_per_hour_then_allowed_again(app, candidate):
    limited(app, REFUSED_PER_HOUR=1)
    assert candidate.upload("shapes", name="shapes.zip", data=b"not a zip").status_code == 400
    r = candidate.upload("shapes", name="shapes.py", data=b"#" * (LIMIT + 1))
    assert r.status_code == 429 and "一小时内被拒绝的上传已达 1 次" in r.get_data(as_text=True)
    with app.app_context():                       # an hour later the window has moved on
        for row in db.session.scalars(select(Submission)):
            row.created_at -= timedelta(minutes=61)
        db.session.commit()
    assert candidate.upload("shapes", SHAPES_PATH).status_code == 303


def test_the_bare_413_of_max_content_length_is_the_refusal_page_in_english(app, candidate):
    app.config.update(MAX_CONTENT_LENGTH=20_000)      # below the upload limit: werkzeug refuses first
    candidate.set_lang("en")
    r = candidate.upload("shapes", name="shapes.py", data=b"#" * 30_000)
    assert r.status_code == 413
    page = r.get_data(as_text=True)
    assert "Upload refused" in page and "the limit is 20 MB" in page and "Back to the exam" in page
    assert stored_files(app) == []


def test_the_exam_page_states_the_limit(app, candidate):
    assert "每次上传的文件最大为 20 MB" in candidate.get("/exam").get_data(as_text=True)


def test_a_refusal_from_another_site_is_not_charged_to_the_candidate(app, candidate):
    limited(app, UPLOAD_DRAIN_MAX_BYTES=0)
    r = post_raw(candidate, Source(None, explode=True), content_length=5 * 1024 * 1024,
                 headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 413 and rows(app) == []


def test_operators_set_the_limits_and_the_disk_alert_in_the_environment(tmp_path, monkeypatch):
    from web.storage.settings import base_app
    env = {"PRACTICUM_UPLOAD_MAX_BYTES": "5000000", "PRACTICUM_REFUSED_PER_MINUTE": "3",
           "PRACTICUM_REFUSED_PER_HOUR": "9", "PRACTICUM_DISK_WARN_FREE_PERCENT": "25",
           "PRACTICUM_DISK_CRITICAL_FREE_PERCENT": "7.5"}
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    app = base_app({"INSTANCE_PATH": str(tmp_path / "board")})
    assert (app.config["UPLOAD_MAX_BYTES"], app.config["REFUSED_PER_MINUTE"], app.config["REFUSED_PER_HOUR"],
            app.config["DISK_WARN_FREE_PERCENT"], app.config["DISK_CRITICAL_FREE_PERCENT"]) == (5000000, 3, 9, 25.0, 7.5)
