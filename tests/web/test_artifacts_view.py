"""Artifacts in the browser for staff (issue 12, finding 8): the executed notebook rendered with
nothing candidate code wrote able to run, logs as text, screenshots inline; the original upload
downloadable by examiners, audited. Real SQLite, real blobs; the hostile notebook is built here."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import zlib

from sqlalchemy import select

from web.services import notebook_view
from web.storage import content
from web.storage.db import db
from web.storage.models import AuditLog, Result

from .conftest import SHAPES_PATH, grade_by_hand, submission_id


def png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG (grey pixels), made here so the test needs no file."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x00\x00\x00\x00"
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PICTURE = png()
HOSTILE = {
    "nbformat": 4, "nbformat_minor": 5, "metadata": {"language_info": {"name": "python"}},
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["**bold** <script>md_runs()</script>\n",
                                                           "[click](javascript:link_runs()) <img src=x onerror=md_img()>"]},
        {"cell_type": "code", "execution_count": 3, "metadata": {}, "source": "print('<script>src_runs()</script>')",
         "outputs": [
             {"output_type": "stream", "name": "stdout", "text": ["<img src=x onerror=out_runs()>\n"]},
             {"output_type": "stream", "name": "stderr", "text": "careful: <b>warning</b>\n"},
             {"output_type": "execute_result", "execution_count": 3, "metadata": {},
              "data": {"text/html": "<script>html_runs()</script>", "text/plain": "plain <b>text</b>"}},
             {"output_type": "display_data", "metadata": {}, "data": {"image/png": base64.b64encode(PICTURE).decode()}},
             {"output_type": "display_data", "metadata": {},
              "data": {"image/png": 'AAAA" onerror="png_runs()'}},
             {"output_type": "display_data", "metadata": {},
              "data": {"image/svg+xml": "<svg onload='svg_runs()'/>", "application/javascript": "js_runs()"}},
             {"output_type": "error", "ename": "ZeroDivisionError", "evalue": "division by zero <i>",
              "traceback": ["\x1b[0;31mZeroDivisionError\x1b[0m Traceback", "----> 1 1/0 <u>"]},
         ]},
    ],
}
RUNS = ("md_runs", "link_runs", "md_img", "src_runs", "out_runs", "html_runs", "png_runs", "svg_runs", "js_runs")


def with_artifacts(app, sid: int, files: dict[str, bytes]) -> None:
    """The submission's current result keeps `files` as blobs, as a grading worker leaves them."""
    with app.app_context():
        result = db.session.scalar(select(Result).where(Result.submission_id == sid))
        result.artifact_blobs = {name: content.put(data) for name, data in files.items()}
        db.session.commit()


def graded(app, candidate) -> int:
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, sid, 3.0)
    with_artifacts(app, sid, {
        "candidate/executed.ipynb": json.dumps(HOSTILE).encode(),
        "judge/shot.png": PICTURE,
        "judge/stderr.log": "Traceback: <script>log_runs()</script>\n第二行".encode(),
        "judge/model.bin": b"\x00\x01\x02binary",
    })
    return sid


def test_the_executed_notebook_shows_its_cells_and_nothing_candidate_code_wrote_runs(app, candidate, signed_in, exam):
    sid = graded(app, candidate)
    examiner = signed_in("examiner")
    examiner.set_lang("en")
    r = examiner.get(f"/staff/examiner/submissions/{sid}/view/candidate/executed.ipynb")
    assert r.status_code == 200 and "script-src 'self'" in r.headers["Content-Security-Policy"]
    page = r.get_data(as_text=True)
    # the candidate's words are all there, as text
    assert "print(&#39;&lt;script&gt;src_runs()&lt;/script&gt;&#39;)" in page and "[3]" in page
    assert "&lt;img src=x onerror=out_runs()&gt;" in page
    assert "careful: &lt;b&gt;warning&lt;/b&gt;" in page and 'class="log stderr"' in page
    assert "plain &lt;b&gt;text&lt;/b&gt;" in page
    assert "ZeroDivisionError: division by zero &lt;i&gt;" in page and "----&gt; 1 1/0 &lt;u&gt;" in page
    assert "\x1b[" not in page                                   # colour codes dropped
    assert "<strong>bold</strong>" in page and "&lt;script&gt;md_runs()" in page
    # the picture as data from the artifact, checked to decode; the forged one and HTML/SVG/JS never shown
    assert f'src="data:image/png;base64,{base64.b64encode(PICTURE).decode()}"' in page
    assert "Output not shown (application/javascript, image/svg+xml)" in page
    for marker in ("html_runs", "svg_runs", "js_runs", "png_runs"):
        assert marker not in page, marker
    for marker in RUNS:                                          # whatever is shown, it is escaped text
        assert f"<script>{marker}" not in page and f"={marker}()>" not in page and f"javascript:{marker}" not in page
    assert page.count("<script") == page.count('<script src="/static/')     # only the board's own scripts


def test_logs_show_as_text_screenshots_inline_and_binaries_as_downloads(app, candidate, signed_in, exam):
    sid = graded(app, candidate)
    examiner = signed_in("examiner")
    examiner.set_lang("zh")
    log = examiner.get(f"/staff/examiner/submissions/{sid}/view/judge/stderr.log").get_data(as_text=True)
    assert '<pre class="log">Traceback: &lt;script&gt;log_runs()&lt;/script&gt;\n第二行</pre>' in log
    shot = examiner.get(f"/staff/examiner/submissions/{sid}/view/judge/shot.png").get_data(as_text=True)
    assert f'<img src="/staff/examiner/submissions/{sid}/artifacts/judge/shot.png"' in shot
    binary = examiner.get(f"/staff/examiner/submissions/{sid}/view/judge/model.bin").get_data(as_text=True)
    assert "只能下载" in binary and 'data-kind="binary"' in binary and "\x00" not in binary
    raw = examiner.get(f"/staff/examiner/submissions/{sid}/artifacts/judge/shot.png")
    assert raw.data == PICTURE and raw.mimetype == "image/png" and raw.headers["Content-Disposition"].startswith("inline")
    log_raw = examiner.get(f"/staff/examiner/submissions/{sid}/artifacts/judge/stderr.log")
    assert log_raw.mimetype == "application/octet-stream" and log_raw.headers["Content-Disposition"].startswith("attachment")
    # the submission page links every viewer and shows the screenshot inline
    page = examiner.get(f"/staff/examiner/submissions/{sid}").get_data(as_text=True)
    for name in ("candidate/executed.ipynb", "judge/stderr.log", "judge/model.bin"):
        assert f'href="/staff/examiner/submissions/{sid}/view/{name}"' in page
    assert f'<img src="/staff/examiner/submissions/{sid}/artifacts/judge/shot.png"' in page
    assert examiner.get(f"/staff/examiner/submissions/{sid}/view/judge/none.txt").status_code == 404


def test_only_examiners_open_artifacts_and_uploads(app, candidate, signed_in, exam):
    sid = graded(app, candidate)
    urls = [f"/staff/examiner/submissions/{sid}/view/candidate/executed.ipynb",
            f"/staff/examiner/submissions/{sid}/artifacts/judge/shot.png",
            f"/staff/examiner/submissions/{sid}/upload"]
    proctor = signed_in("proctor")
    for url in urls:
        assert candidate.get(url).status_code == 403, url
        assert proctor.get(url).status_code == 403, url
        assert signed_in("admin").get(url).status_code == 200, url


def test_the_original_upload_downloads_byte_for_byte_and_is_audited(app, candidate, signed_in, exam):
    sid = graded(app, candidate)
    examiner = signed_in("examiner")
    r = examiner.get(f"/staff/examiner/submissions/{sid}/upload")
    assert r.status_code == 200 and r.data == SHAPES_PATH.read_bytes()
    assert r.headers["Content-Disposition"].startswith('attachment; filename="shapes.py"')
    assert r.mimetype == "application/octet-stream"
    page = examiner.get(f"/staff/examiner/submissions/{sid}").get_data(as_text=True)
    assert f'href="/staff/examiner/submissions/{sid}/upload"' in page
    with app.app_context():
        [row] = db.session.scalars(select(AuditLog).where(AuditLog.action == "download_upload"))
        assert row.details["submission"] == sid and row.details["sha256"] == hashlib.sha256(r.data).hexdigest()


def test_a_chinese_file_name_survives_the_download(app, candidate, signed_in, exam):
    r = candidate.upload("shapes", SHAPES_PATH, name="形状.py")
    sid = submission_id(r)
    got = signed_in("examiner").get(f"/staff/examiner/submissions/{sid}/upload")
    assert got.status_code == 200 and got.data == SHAPES_PATH.read_bytes()
    assert "filename*=UTF-8''%E5%BD%A2%E7%8A%B6.py" in got.headers["Content-Disposition"]


def test_a_damaged_notebook_says_so():
    assert notebook_view.read(b"{not json").problem == "not_json"
    assert notebook_view.read(json.dumps({"cells": 5}).encode()).problem == "no_cells"
    nb = notebook_view.read(json.dumps({"cells": [{"cell_type": "code", "source": ["a", 1], "outputs": [7, None],
                                                   "execution_count": True}, "junk"]}).encode())
    assert nb.problem == "" and len(nb.cells) == 1 and nb.cells[0].source == "a" and nb.cells[0].count is None


def test_the_original_upload_reads_in_the_page_as_text_and_is_audited(app, candidate, signed_in, exam):
    from .conftest import FULL
    script = submission_id(candidate.upload("shapes", SHAPES_PATH))
    notebook = submission_id(candidate.upload("blur", FULL / "blur.ipynb"))
    examiner = signed_in("examiner")
    examiner.set_lang("en")
    assert f'href="/staff/examiner/submissions/{script}/upload/view"' in \
        examiner.get(f"/staff/examiner/submissions/{script}").get_data(as_text=True)
    page = examiner.get(f"/staff/examiner/submissions/{script}/upload/view").get_data(as_text=True)
    first_line = next(line for line in SHAPES_PATH.read_text(encoding="utf-8").splitlines() if line.strip())
    from markupsafe import escape
    assert "Original upload · shapes.py" in page and str(escape(first_line)) in page and 'data-kind="text"' in page
    cells = examiner.get(f"/staff/examiner/submissions/{notebook}/upload/view").get_data(as_text=True)
    assert 'data-kind="notebook"' in cells and cells.count('class="nb-cell') >= 2
    assert signed_in("proctor").get(f"/staff/examiner/submissions/{script}/upload/view").status_code == 403
    with app.app_context():
        seen = [a.details["submission"] for a in db.session.scalars(select(AuditLog).where(AuditLog.action == "view_upload"))]
    assert seen == [script, notebook]
