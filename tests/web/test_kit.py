"""The candidate kit of a task, from the exam page: the CLI's `exam pack --task` bytes, nothing hidden."""
from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from datetime import timedelta

import pytest

from web.storage.db import utcnow

from .conftest import DEMO, REPO, update_exam

pytestmark = pytest.mark.docker        # the demo's public data is generated in the sandbox image


def test_the_kit_is_the_clis_bytes_and_holds_nothing_hidden(app, candidate, tmp_path, image_tag):
    page = candidate.get("/exam").get_data(as_text=True)
    assert 'href="/exam/shapes/kit.zip"' in page and "下载本题资料包" in page
    with candidate.get("/exam/shapes/kit.zip") as r:       # closed: send_file streams the kept file
        assert r.status_code == 200 and r.mimetype == "application/zip"
        assert "demo-shapes-kit.zip" in r.headers["Content-Disposition"]
        data = r.data
    cli = tmp_path / "cli.zip"
    subprocess.run([sys.executable, "-m", "web.cli", "exam", "pack", str(DEMO), "--task", "shapes", "-o", str(cli)],
                   cwd=REPO, check=True, capture_output=True, timeout=600)
    assert data == cli.read_bytes()                              # byte for byte
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
    assert "shapes/statement.zh.md" in names and "README.md" in names
    assert any(n.startswith("shapes/data/") for n in names)        # the public samples, where the code reads
    assert not any(n.startswith(("blur/", "fast/")) for n in names)
    assert not any("/tests/" in n or "/answers/" in n or "/hidden/" in n for n in names)
    with app.app_context():
        from web.services import exams
        from web.storage.db import db
        from web.storage.models import Exam
        package = exams.package(db.session.get(Exam, 1))
    from grader import grading
    prepared = grading.prepare_exam(package, image_tag)
    hidden_bytes = {p.read_bytes() for part in ("hidden", "answers")
                    for p in prepared.task("shapes").dir(part).rglob("*") if p.is_file()}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert not hidden_bytes & {zf.read(n) for n in names}      # no hidden input or answer, under any name
    with candidate.get("/exam/shapes/kit.zip") as again:
        assert again.data == data                                    # kept: the same kit again
    assert candidate.get("/exam/nosuch/kit.zip").status_code == 404


def test_no_kit_before_the_exam_opens(app, candidate, exam):
    update_exam(app, exam, window_start=utcnow() + timedelta(hours=1))
    assert candidate.get("/exam/shapes/kit.zip").status_code == 403
    assert "kit.zip" not in candidate.get("/exam").get_data(as_text=True)
