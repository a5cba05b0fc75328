"""Examiner pages: packages (folders, uploads, problems), the rubric, prove, regrade with a result
history, theory scores and the weighted total, publishing, exports, item analysis, roles."""
from __future__ import annotations

import csv
import html as html_lib
import io
import json
import re
import shutil
import threading
import stat
import time
import zipfile
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select, text

from grader.errors import ExamConfigError
from grader.models import Phase, TestResult, TestStatus, Visibility
from web.grading import jobs
from web.services import proving
from web.storage.db import alembic_config, db, upgrade
from web.storage.models import (AttemptOutcome, AuditLog, Exam, Job, JobStatus, ProveRun, Result, ResultHistory,
                        Submission, SubmissionStatus, TheoryScore)

from .conftest import DEMO, FULL, REPO, SHAPES_PATH, add_candidates, grade_by_hand, submission_id

SOLUTIONS = REPO / "reference_solutions" / "demo"


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def examiner_routes(exam: int, sid: int) -> list[tuple[str, str]]:
    base = f"/staff/examiner/exams/{exam}"
    return [("GET", "/staff/examiner/"), ("POST", "/staff/examiner/packages/load"),
            ("POST", "/staff/examiner/packages/upload"), ("GET", base), ("POST", f"{base}/reload"),
            ("POST", f"{base}/prove"), ("GET", "/staff/examiner/prove/1"), ("GET", "/staff/examiner/prove/1.json"),
            ("POST", f"{base}/regrade"), ("GET", f"{base}/submissions"),
            ("GET", f"/staff/examiner/submissions/{sid}"), ("POST", f"/staff/examiner/submissions/{sid}/regrade"),
            ("GET", f"/staff/examiner/submissions/{sid}/gradescope.json"), ("GET", f"{base}/analysis"),
            ("GET", f"{base}/theory"), ("POST", f"{base}/theory"), ("POST", f"{base}/weight"),
            ("POST", f"{base}/publish"), ("GET", f"{base}/export.csv"), ("GET", f"{base}/gradescope.json"),
            ("GET", f"{base}/gradescope.zip")]


def test_candidates_and_proctors_cannot_reach_examiner_actions(app, candidate, signed_in, make_browser, exam):
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, sid, 2.0)
    proctor = signed_in("proctor")
    anonymous = make_browser()
    form = {"published": "1", "theory_weight": "90", "only": "x", "root": "0", "name": "demo"}
    for method, url in examiner_routes(exam, sid):
        for who in (candidate, proctor):
            with (who.get(url) if method == "GET" else who.post(url, form)) as r:
                assert r.status_code == 403, (method, url, r.status_code)
        r = anonymous.get(url) if method == "GET" else anonymous.post(url, form)
        assert r.status_code in (302, 400), (method, url)        # to the sign-in page, or no CSRF token
        if r.status_code == 302:
            assert "/login/staff" in r.headers["Location"]
    with app.app_context():                                      # and nothing happened
        row = db.session.get(Exam, exam)
        assert (row.published, row.theory_weight) == (False, 30)
        assert db.session.scalar(select(func.count(ProveRun.id))) == 0
        assert db.session.scalar(select(func.count(Job.id))) == 1
    assert not {"publish", "theory_weight", "prove_start", "regrade"} & set(actions(app))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_examiner_pages_render_in_both_languages(lang, app, candidate, signed_in, exam):
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, sid, 5.0)
    app.config["EXAM_ROOTS"] = [str(REPO / "exams")]
    b = signed_in("examiner")
    b.set_lang(lang)
    base = f"/staff/examiner/exams/{exam}"
    for url in ("/staff/examiner/", base, f"{base}/submissions", f"/staff/examiner/submissions/{sid}",
                f"{base}/analysis", f"{base}/theory", "/staff/proctor/", f"/staff/proctor/{exam}",
                f"/staff/scoreboard/{exam}"):
        r = b.get(url, follow_redirects=True)
        assert r.status_code == 200, url
        html = r.get_data(as_text=True)
        assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in html
        assert "https://" not in html and "<script>" not in html and ' style="' not in html
        for form in re.findall(r'<form method="post".*?</form>', html, re.S):
            assert 'name="csrf_token"' in form, form[:200]
    english = "Exam packages" in b.get("/staff/examiner/").get_data(as_text=True)
    assert english == (lang == "en")


# ------------------------------------------------------------------ packages

def broken_copy(root: Path) -> Path:
    folder = root / "broken"
    shutil.copytree(DEMO, folder)
    manifest = folder / "exam.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("points = 5", "points = 6"), encoding="utf-8")
    return folder


def test_folders_are_listed_with_every_problem_and_only_valid_ones_load(app, signed_in, exam, tmp_path):
    roots = tmp_path / "exams"
    shutil.copytree(DEMO, roots / "demo")
    broken_copy(roots)
    app.config["EXAM_ROOTS"] = [str(roots)]
    b = signed_in("examiner")
    b.set_lang("en")
    page = b.get("/staff/examiner/").get_data(as_text=True)
    assert "valid" in page and "1 problem(s)" in page
    assert "exam.toml" in page and "tasks.shapes.points" in page and "add up to 5" in page
    r = b.post("/staff/examiner/packages/load", {"root": "0", "name": "broken"})
    assert r.status_code == 400 and "tasks.shapes.points" in r.get_data(as_text=True)
    assert b.post("/staff/examiner/packages/load", {"root": "0", "name": "../demo"}).status_code == 404
    assert b.post("/staff/examiner/packages/load", {"root": "3", "name": "demo"}).status_code == 404
    r = b.post("/staff/examiner/packages/load", {"root": "0", "name": "demo"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/staff/examiner/exams/{exam}")
    with app.app_context():
        assert db.session.get(Exam, exam).package_path == str((roots / "demo").resolve())   # a new version
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "package_load"))
        assert entry.details["previous"] == str(DEMO) and entry.details["source"] == "folder"
    assert "package_refused" in actions(app)


def zip_of(*trees: tuple[Path, str], extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for folder, prefix in trees:
            for path in sorted(folder.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    zf.write(path, f"{prefix}/{path.relative_to(folder).as_posix()}")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def upload_package(b, data: bytes, name: str = "package.zip"):
    return b.post("/staff/examiner/packages/upload", {"package": (io.BytesIO(data), name)},
                  content_type="multipart/form-data")


def test_an_uploaded_package_is_unpacked_beside_its_solutions_and_loaded(app, signed_in):
    b = signed_in("examiner")
    r = upload_package(b, zip_of((DEMO, "kit/exams/demo"), (SOLUTIONS, "kit/reference_solutions/demo")))
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    with app.app_context():
        row = db.session.scalar(select(Exam).where(Exam.key == "demo"))
        path = Path(row.package_path)
        assert path.is_relative_to(Path(app.config["PACKAGES_DIR"])) and (path / "exam.toml").is_file()
        assert (path.parent.parent / "reference_solutions" / "demo" / "solutions.toml").is_file()
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "package_load")).details["source"] == "upload"
    page = b.get(r.headers["Location"]).get_data(as_text=True)
    assert "test_accuracy" in page
    assert not [p for p in Path(app.config["PACKAGES_DIR"]).iterdir() if p.name.startswith(".upload")]


def test_a_package_with_problems_is_refused_with_file_and_field(app, signed_in, tmp_path):
    b = signed_in("examiner")
    r = upload_package(b, zip_of((broken_copy(tmp_path), "demo")))
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "exam.toml" in html and "tasks.shapes.points" in html
    assert str(tmp_path) not in html and app.config["PACKAGES_DIR"] not in html     # no board paths
    assert list(Path(app.config["PACKAGES_DIR"]).iterdir()) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(Exam.id))) == 0


def _link_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("demo/tasks")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc")
        zf.writestr("demo/exam.toml", "id = 'x'")
    return buf.getvalue()


@pytest.mark.parametrize("data, words", [
    (zip_of(extra={"../evil/exam.toml": b"id = 'x'"}), "unsafe"),
    (zip_of(extra={"/abs/exam.toml": b"id = 'x'"}), "unsafe"),
    (_link_zip(), "link"),
    (zip_of(extra={"demo/big.bin": b"\0" * (3 * 1024 * 1024)}), "unpacks to more than"),
    (b"not a zip at all", "not a readable zip"),
], ids=["traversal", "absolute", "link", "ratio-bomb", "not-a-zip"])
def test_unsafe_package_zips_are_refused(app, signed_in, data, words):
    b = signed_in("examiner")
    b.set_lang("en")
    r = upload_package(b, data)
    assert r.status_code == 400 and words in r.get_data(as_text=True)
    assert list(Path(app.config["PACKAGES_DIR"]).iterdir()) == []
    assert "package_refused" in actions(app)


def test_the_rubric_shows_every_test_with_points_phase_visibility_and_timeout(signed_in, exam):
    b = signed_in("admin")
    b.set_lang("en")
    page = b.get(f"/staff/examiner/exams/{exam}").get_data(as_text=True)
    for name in ("test_defines_gray_blur", "test_gray_blur_on_grading_images", "test_saved_outputs",
                 "test_smooth_is_right", "test_smooth_is_fast", "test_classify_answers_every_picture", "test_accuracy"):
        assert name in page
    assert "classification accuracy on the grading pictures" in page
    assert "judge sandbox, answers" in page and "candidate sandbox, public data" in page
    assert "10 s" in page and "15 s" in page and "tasks/shapes/tests/trusted/test_accuracy.py" in page


# ------------------------------------------------------------------ regrade and the history

def test_a_regrade_keeps_the_old_result_in_the_history(app, candidate, signed_in, exam):
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    other = submission_id(candidate.upload("fast", FULL / "fast.py"))
    first_job = grade_by_hand(app, sid, 2.0)
    grade_by_hand(app, other, 4.0, task="fast", max_score=4.0)
    b = signed_in("examiner")
    b.set_lang("en")
    r = b.post(f"/staff/examiner/exams/{exam}/regrade", {"task": "shapes"})
    assert r.status_code == 303 and r.headers["Location"].endswith("regraded=1")
    with app.app_context():
        assert db.session.get(Submission, sid).status is SubmissionStatus.QUEUED
        assert db.session.get(Submission, other).status is SubmissionStatus.GRADED     # another task
        assert db.session.scalar(select(Result.score).where(Result.submission_id == sid)) == 2.0   # still current
        regrade_job = db.session.scalar(select(Job).where(Job.submission_id == sid, Job.status == JobStatus.QUEUED))
        assert regrade_job.priority < 0
    assert b.post(f"/staff/examiner/exams/{exam}/regrade", {"task": "shapes"}).headers["Location"].endswith(
        "regraded=0")                                                   # already queued: not twice
    grade_by_hand(app, sid, 5.0)
    with app.app_context():
        current = db.session.scalar(select(Result).where(Result.submission_id == sid))
        old = db.session.scalars(select(ResultHistory).where(ResultHistory.submission_id == sid)).all()
        assert current.score == 5.0 and current.job_id != first_job
        assert [(h.score, h.job_id) for h in old] == [(2.0, first_job)]
        assert db.session.get(Submission, sid).status is SubmissionStatus.GRADED
    page = b.get(f"/staff/examiner/submissions/{sid}").get_data(as_text=True)
    assert "Current result" in page and "Older results (1)" in page and f"job #{first_job}" in page
    assert candidate.get(f"/submissions/{sid}").get_data(as_text=True).count("<strong>5</strong> / 5") == 1
    r = b.post(f"/staff/examiner/submissions/{sid}/regrade")
    assert r.status_code == 303 and r.headers["Location"].endswith("regraded=1")
    r = b.post(f"/staff/examiner/exams/{exam}/regrade", {})
    assert r.headers["Location"].endswith("regraded=1")                  # everything: only `other` was left
    entries = [e for e in actions(app) if e == "regrade"]
    assert len(entries) == 4


def test_a_regrade_that_fails_leaves_the_result_standing(app, candidate, signed_in, exam):
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, sid, 3.0)
    signed_in("examiner").post(f"/staff/examiner/exams/{exam}/regrade", {})
    with app.app_context():
        db.session.execute(Job.__table__.update().values(max_attempts=1))
        db.session.commit()
        claim = jobs.claim("w")
        assert jobs.finish(claim, AttemptOutcome.SANDBOX_ERROR, detail="engine gone") is JobStatus.FAILED
        db.session.expire_all()
        assert db.session.get(Submission, sid).status is SubmissionStatus.GRADED
        assert db.session.scalar(select(Result.score).where(Result.submission_id == sid)) == 3.0


def test_regrade_is_refused_while_the_package_has_problems(app, candidate, signed_in, tmp_path):
    folder = tmp_path / "demo"
    shutil.copytree(DEMO, folder)
    with app.app_context():
        from web.services import exams
        exam = exams.register_exam(folder).id
    add_candidates(app, exam, "2030001")
    manifest = folder / "exam.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("points = 5", "points = 7"), encoding="utf-8")
    b = signed_in("examiner")
    r = b.post(f"/staff/examiner/exams/{exam}/regrade", {})
    assert r.status_code == 400 and "tasks.shapes.points" in r.get_data(as_text=True)
    r = b.post(f"/staff/examiner/exams/{exam}/reload")
    assert r.status_code == 400 and "tasks.shapes.points" in r.get_data(as_text=True)
    assert {"regrade_refused", "package_reload"} <= set(actions(app))


# ------------------------------------------------------------------ theory, total, publish, exports

def problem_rows(html: str) -> list[tuple[str, str, str]]:
    """(line, column, reason) of the theory page's problems table."""
    body = html[html.index('class="list problems"'):]
    body = body[:body.index("</table>")]
    return [tuple(html_lib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row))
            for row in re.findall(r"<tr>(.*?)</tr>", body[body.index("<tbody>"):], re.S)]


def test_a_theory_file_reports_every_bad_row_at_once_and_imports_nothing(app, make_browser, signed_in, exam):
    graded_candidates(app, make_browser, exam, {"2025001": 5.0, "2025002": 2.5})
    b = signed_in("examiner")
    b.set_lang("en")
    url = f"/staff/examiner/exams/{exam}/theory"
    bad = ("number,theory\n2025001,80\nx!,50\n2025002,abc\n9999999,70\n2025001,90\nbad number,120\n2025002,60\n"
           .encode("utf-8"))
    r = b.post(url, {"scores": (io.BytesIO(bad), "theory.csv")}, content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "The file has 7 problem(s); nothing was imported" in html
    assert problem_rows(html) == [
        ("3", "candidate number", "Candidate number 'x!' is not valid."),
        ("4", "theory score", "Score 'abc' is not a number from 0 to 100."),
        ("5", "candidate number", "9999999 is not a candidate of this exam."),
        ("6", "candidate number", "Candidate number 2025001 appears twice (first on line 2)."),
        ("7", "candidate number", "Candidate number 'bad number' is not valid."),
        ("7", "theory score", "Score '120' is not a number from 0 to 100."),
        ("8", "candidate number", "Candidate number 2025002 appears twice (first on line 4)."),
    ]
    with app.app_context():
        assert db.session.scalar(select(func.count(TheoryScore.id))) == 0       # not half imported
    assert audited_problems(app) == 7


def audited_problems(app) -> int:
    with app.app_context():
        return db.session.scalars(select(AuditLog).where(AuditLog.action == "theory_refused")).one().details["problems"]


def graded_candidates(app, make_browser, exam, scores: dict[str, float]) -> dict[str, int]:
    codes = add_candidates(app, exam, *scores)
    sids = {}
    for number, score in scores.items():
        b = make_browser()
        b.login_candidate(number, codes[number])
        sids[number] = submission_id(b.upload("shapes", SHAPES_PATH))
        grade_by_hand(app, sids[number], score)
    return sids


def test_theory_scores_are_imported_and_weighted_into_the_csv(app, make_browser, signed_in, exam):
    graded_candidates(app, make_browser, exam, {"2025001": 5.0, "2025002": 2.5, "2025003": 0.0})
    b = signed_in("examiner")
    url = f"/staff/examiner/exams/{exam}/theory"
    bad = "准考证号,理论成绩\n2025001,80\n9999999,70\n2025002,101\n".encode("gbk")
    r = b.post(url, {"scores": (io.BytesIO(bad), "theory.csv")}, content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "不是 0 到 100 之间的数" in html
    assert "9999999 不是本场考试的考生" in html                           # both bad rows, at once
    good = "准考证号,理论成绩\n2025001,80\n9999999,70\n".encode("gbk")
    r = b.post(url, {"scores": (io.BytesIO(good), "theory.csv")}, content_type="multipart/form-data")
    assert r.status_code == 400 and "9999999 不是本场考试的考生" in r.get_data(as_text=True)
    ok = "2025001;80\n2025002;60.5\n".encode("utf-8")
    r = b.post(url, {"scores": (io.BytesIO(ok), "theory.csv")}, content_type="multipart/form-data")
    assert r.status_code == 200 and "已导入 2 条理论成绩" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(TheoryScore.id))) == 2
    b.set_lang("en")
    rows = list(csv.reader(io.StringIO(b.get(f"/staff/examiner/exams/{exam}/export.csv").get_data(as_text=True)
                                       .lstrip("\ufeff"))))
    assert rows[0] == ["Candidate number", "Name", "Seat", "blur", "fast", "shapes", "practical", "theory", "total"]
    by_number = {r[0]: r for r in rows[1:]}
    # practical 5 of 15 = 33.33 %: 33.33 * 0.7 + 80 * 0.3 = 47.33
    assert by_number["2025001"][1:] == ["考生2025001", "A1", "", "", "5", "5", "80", "47.33"]
    assert by_number["2025002"][6:] == ["2.5", "60.5", "29.82"]
    assert by_number["2025003"][6:] == ["0", "", ""]                   # no theory score: no total
    assert b.post(f"/staff/examiner/exams/{exam}/weight", {"theory_weight": "101"}).status_code == 400
    assert b.post(f"/staff/examiner/exams/{exam}/weight", {"theory_weight": "0"}).status_code == 303
    rows = list(csv.reader(io.StringIO(b.get(f"/staff/examiner/exams/{exam}/export.csv").get_data(as_text=True))))
    assert {r[0].lstrip("\ufeff"): r[-1] for r in rows[1:]}["2025003"] == "0"   # no theory part: practical %
    assert {"theory_import", "theory_weight", "export_csv"} <= set(actions(app))


def visibility_tests() -> list[TestResult]:
    def one(name, vis, score, message):
        return TestResult(name=name, score=score, max_score=2.0, status=TestStatus.PASSED if score == 2 else
                          TestStatus.FAILED, message=message, visibility=vis, phase=Phase.TRUSTED,
                          messages=(("en", message), ("zh", message + "（中）")))
    return [one("test_seen", Visibility.VISIBLE, 2.0, "VISIBLE-MSG"),
            one("test_later", Visibility.AFTER_PUBLISHED, 0.0, "LATER-MSG"),
            one("test_secret", Visibility.HIDDEN, 0.0, "SECRET-MSG")]


def test_publishing_shows_after_published_checks_to_candidates(app, candidate, signed_in, exam):
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, sid, 2.0, max_score=6.0, tests=visibility_tests())
    before = candidate.get(f"/submissions/{sid}").get_data(as_text=True)
    assert "VISIBLE-MSG" in before and "LATER-MSG" not in before and "SECRET-MSG" not in before
    b = signed_in("examiner")
    staff_page = b.get(f"/staff/examiner/submissions/{sid}").get_data(as_text=True)
    assert "SECRET-MSG（中）" in staff_page                      # staff see every test, in their language
    assert b.post(f"/staff/examiner/exams/{exam}/publish", {"published": "1"}).status_code == 303
    after = candidate.get(f"/submissions/{sid}").get_data(as_text=True)
    assert "LATER-MSG" in after and "SECRET-MSG" not in after
    b.post(f"/staff/examiner/exams/{exam}/publish", {"published": "0"})
    assert "LATER-MSG" not in candidate.get(f"/submissions/{sid}").get_data(as_text=True)
    assert ["publish", "unpublish"] == [a for a in actions(app) if a.endswith("publish")]


def test_gradescope_exports_per_submission(app, make_browser, signed_in, exam):
    sids = graded_candidates(app, make_browser, exam, {"2026001": 5.0, "2026002": 1.0})
    b = signed_in("examiner")
    one = b.get(f"/staff/examiner/submissions/{sids['2026001']}/gradescope.json")
    assert one.status_code == 200 and "attachment" in one.headers["Content-Disposition"]
    assert one.get_json()["score"] == 5.0 and one.get_json()["visibility"] == "after_published"
    listed = json.loads(b.get(f"/staff/examiner/exams/{exam}/gradescope.json").get_data(as_text=True))
    assert [(i["candidate"], i["task"], i["counted"], i["results"]["score"]) for i in listed] == \
        [("2026001", "shapes", True, 5.0), ("2026002", "shapes", True, 1.0)]
    with b.get(f"/staff/examiner/exams/{exam}/gradescope.zip") as r:
        data = r.data
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = sorted(zf.namelist())
        assert names == [f"2026001/{sids['2026001']}-shapes.json", f"2026002/{sids['2026002']}-shapes.json"]
        assert json.loads(zf.read(names[1]))["score"] == 1.0
    assert actions(app).count("export_gradescope") == 3


def shapes_tests(accuracy: float) -> list[TestResult]:
    return [TestResult(name="test_classify_answers_every_picture", score=1.0, max_score=1.0, status=TestStatus.PASSED,
                       message="", visibility=Visibility.VISIBLE, phase=Phase.HIDDEN),
            TestResult(name="test_accuracy", score=accuracy, max_score=4.0,
                       status=TestStatus.PASSED if accuracy == 4 else TestStatus.PARTIAL, message="",
                       visibility=Visibility.VISIBLE, phase=Phase.TRUSTED)]


def test_item_analysis_draws_pass_rates_and_a_histogram(app, make_browser, signed_in, exam):
    codes = add_candidates(app, exam, "2027001", "2027002")
    for number, accuracy in (("2027001", 4.0), ("2027002", 1.0)):
        b = make_browser()
        b.login_candidate(number, codes[number])
        grade_by_hand(app, submission_id(b.upload("shapes", SHAPES_PATH)), 1 + accuracy, tests=shapes_tests(accuracy))
    b = signed_in("examiner")
    b.set_lang("en")
    page = b.get(f"/staff/examiner/exams/{exam}/analysis").get_data(as_text=True)
    assert page.count("<svg") == 4                      # the histogram and one chart per task
    assert "100% (2/2)" in page and "50% (1/2)" in page and "2 candidates" in page
    assert "62%" in page                                # accuracy: 5 of 8 points on average
    assert "test_saved_outputs" in page and "0% (0/0)" in page      # tests without results are listed too


# ------------------------------------------------------------------ prove (the real engine)

def wait_run(app, run_id: int, timeout: float = 600.0) -> ProveRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            run = db.session.get(ProveRun, run_id)
            if run.status.value != "running":
                db.session.expunge(run)
                return run
        time.sleep(0.5)
    pytest.fail("prove did not finish")


@pytest.mark.docker
@pytest.mark.slow
def test_prove_runs_in_the_background_and_shows_its_outcome(app, signed_in, exam, image_tag):
    b = signed_in("examiner")
    b.set_lang("en")
    r = b.post(f"/staff/examiner/exams/{exam}/prove", {"only": "shapes_"})
    assert r.status_code == 303
    run_id = int(r.headers["Location"].rsplit("/", 1)[1])
    assert b.get(f"/staff/examiner/prove/{run_id}.json").get_json()["status"] in ("running", "passed")
    run = wait_run(app, run_id)
    assert run.status.value == "passed", (run.error, run.outcome)
    assert sorted(s["path"] for s in run.outcome["solutions"]) == ["shapes_always_circle.py",
                                                                   "shapes_missing_function.py"]
    page = b.get(f"/staff/examiner/prove/{run_id}").get_data(as_text=True)
    assert "shapes_always_circle.py" in page and "passed" in page
    assert "prove_start" in actions(app)


def test_prove_without_reference_solutions_reports_an_error(app, signed_in, tmp_path):
    folder = tmp_path / "pkgs" / "exams" / "demo"
    shutil.copytree(DEMO, folder)
    with app.app_context():
        from web.services import exams
        exam = exams.register_exam(folder).id
    b = signed_in("examiner")
    r = b.post(f"/staff/examiner/exams/{exam}/prove", {})
    run = wait_run(app, int(r.headers["Location"].rsplit("/", 1)[1]), timeout=60)
    assert run.status.value == "error" and "solutions.toml" in run.error
    assert "solutions.toml" in b.get(f"/staff/examiner/prove/{run.id}").get_data(as_text=True)


def test_one_prove_at_a_time_per_exam(app, signed_in, exam, monkeypatch):
    release = threading.Event()

    def slow_prove(package, **kwargs):
        release.wait(30)
        raise ExamConfigError([])
    monkeypatch.setattr(proving, "prove", slow_prove)
    b = signed_in("examiner")
    first = b.post(f"/staff/examiner/exams/{exam}/prove", {}).headers["Location"]
    assert b.post(f"/staff/examiner/exams/{exam}/prove", {"only": "x"}).headers["Location"] == first
    release.set()
    wait_run(app, int(first.rsplit("/", 1)[1]), timeout=30)
    assert b.post(f"/staff/examiner/exams/{exam}/prove", {}).headers["Location"] != first


def test_a_run_whose_thread_is_gone_is_interrupted(app, signed_in, exam):
    with app.app_context():
        db.session.add(ProveRun(exam_id=exam, status="running", actor="x", log=""))
        db.session.commit()
    assert signed_in("examiner").get("/staff/examiner/prove/1.json").get_json()["status"] == "interrupted"


# ------------------------------------------------------------------ the migration

def test_the_migration_backfills_job_ids_and_visible_points(app, candidate, exam):
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    job_id = grade_by_hand(app, sid, 2.0, max_score=6.0, tests=visibility_tests())
    with app.app_context():
        db.session.execute(text("UPDATE results SET job_id = NULL, visible_score = 0"))
        db.session.commit()
        command.downgrade(alembic_config(app), "0001")
    upgrade(app)
    with app.app_context():
        row = db.session.scalar(select(Result))
        assert (row.job_id, row.visible_score, row.score) == (job_id, 2.0, 2.0)


def test_serve_offers_the_folders_beside_its_exams(tmp_path):
    from web.serve import prepare

    app = prepare([DEMO], instance_path=tmp_path / "board", secure_cookies=False)
    assert str(REPO / "exams") in app.config["EXAM_ROOTS"]
