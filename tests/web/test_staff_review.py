"""Staff review (issue 12, finding 8): task titles instead of ids in the reader's language, the
verdict label the candidate reads, worker slots counted from the same rows as the running table,
check labels that fit the item-analysis chart."""
from __future__ import annotations

import re

from sqlalchemy import select

from grader.models import Verdict
from web.grading import jobs
from web.pages.charts import Bar, hbars, text_px, wrap
from web.storage.db import db, utcnow
from web.storage.models import AttemptOutcome, Job, WorkerNode

from .conftest import FULL, SHAPES_PATH, grade_by_hand, submission_id


def state(b, exam: int) -> dict:
    r = b.get(f"/staff/proctor/{exam}/state.json")
    assert r.status_code == 200
    return r.get_json()


def claim(app, sid: int, worker: str) -> jobs.Claim:
    with app.app_context():
        job_id = db.session.scalar(select(Job.id).where(Job.submission_id == sid))
        got = jobs.claim(worker, job_id=job_id)
        assert got is not None
        db.session.remove()
    return got


def test_worker_slots_count_the_jobs_the_running_table_shows(app, candidate, signed_in, exam):
    # the worker's row said 1 busy (its last heartbeat) while two of its jobs were running
    with app.app_context():
        db.session.add(WorkerNode(name="lab:7", host="lab", queues="grade.default", slots=2, busy=1,
                                  heartbeat_at=utcnow()))
        db.session.commit()
    a = submission_id(candidate.upload("shapes", SHAPES_PATH))
    b = submission_id(candidate.upload("fast", FULL / "fast.py"))
    first = claim(app, a, "lab:7/grade-0")
    claim(app, b, "lab:7/grade-1")
    s = state(signed_in("proctor"), exam)
    assert sorted(j["worker"] for j in s["running"]) == ["lab:7/grade-0", "lab:7/grade-1"]
    [w] = s["workers"]
    assert w["slots"] == "2/2"
    with app.app_context():               # one finishes: its slot is free at once, before any heartbeat
        jobs.finish(first, AttemptOutcome.SANDBOX_ERROR, detail="gone")
        db.session.remove()
    s = state(signed_in("proctor"), exam)
    assert len(s["running"]) == 1 and s["workers"][0]["slots"] == "1/2"


def test_staff_pages_name_tasks_by_their_title_in_the_readers_language(app, candidate, signed_in, exam):
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    running = submission_id(candidate.upload("fast", FULL / "fast.py"))
    claim(app, running, "lab:8/grade-0")
    examiner = signed_in("examiner")
    for lang, shapes, fast in (("zh", "形状分类", "快速滑动平均"), ("en", "Shape classification", "Fast moving average")):
        examiner.set_lang(lang)
        listing = examiner.get(f"/staff/examiner/exams/{exam}/submissions").get_data(as_text=True)
        assert f"<td>{shapes}</td>" in listing and f"<td>{fast}</td>" in listing
        assert "<td>shapes</td>" not in listing
        assert f'<option value="shapes" >{shapes}</option>' in listing or f">{shapes}</option>" in listing
        one = examiner.get(f"/staff/examiner/submissions/{sid}").get_data(as_text=True)
        assert f"<dd>{shapes}</dd>" in one
        s = state(examiner, exam)
        [job] = s["running"]
        assert job["task"] == "fast" and job["task_title"] == fast        # the live rows too
        assert job["candidate_url"].startswith(f"/staff/proctor/{exam}/candidates/")
        page = examiner.get(f"/staff/proctor/{exam}").get_data(as_text=True)
        assert f'<td data-f="task_title">{fast}</td>' in page
        board = examiner.get(f"/staff/scoreboard/{exam}").get_data(as_text=True)
        assert f'title="shapes">{shapes}<br>' in board


def test_staff_see_the_verdict_label_the_candidate_reads(app, candidate, signed_in, exam):
    zero = submission_id(candidate.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, zero, 0.0, status=Verdict.WRONG)
    part = submission_id(candidate.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, part, 2.0, status=Verdict.WRONG)
    examiner = signed_in("examiner")
    examiner.set_lang("en")
    page = examiner.get(f"/staff/examiner/submissions/{zero}").get_data(as_text=True)
    assert "no points" in page and "not all checks passed" not in page
    assert "未得分" in candidate.get(f"/submissions/{zero}").get_data(as_text=True)     # the same words, in zh
    listing = examiner.get(f"/staff/examiner/exams/{exam}/submissions").get_data(as_text=True)
    assert "no points" in listing and "partly right" in listing
    examiner.set_lang("zh")
    assert "未得分" in examiner.get(f"/staff/examiner/submissions/{zero}").get_data(as_text=True)


def test_long_check_labels_wrap_to_fit_left_of_their_bars():
    zh = "检查保存的输出图像与参考图像逐像素一致并且尺寸正确无误以及文件名正确还有更多更多的文字"
    en = "the classifier answers every grading picture within its time limit and in the expected format"
    for text in (zh, en):
        lines = wrap(text, 288)
        assert len(lines) == 2 and all(text_px(line) <= 288 for line in lines)
        assert lines[-1].endswith("…") or "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert wrap("short", 288) == ["short"]
    svg = str(hbars([Bar(zh, 0.5, "50%"), Bar("ok", 1.0, "100%")], "t"))
    spans = re.findall(r'<tspan x="([\d.]+)"[^>]*>([^<]*)</tspan>', svg)
    assert len(spans) == 3                                       # two lines, then one
    for x, line in spans:
        assert float(x) - text_px(line) >= 0                     # inside the chart, not cut at its edge
    assert f"<title>{zh}</title>" in svg                         # the whole title on hover


def test_item_analysis_shows_check_titles_in_the_readers_language(app, candidate, signed_in, exam):
    from web.services import exams as exam_service
    from web.storage.models import Exam
    with app.app_context():
        spec = exam_service.package(db.session.get(Exam, exam)).task("shapes").tests[0]
        zh_title, en_title = spec.title("zh"), spec.title("en")
    examiner = signed_in("examiner")
    examiner.set_lang("zh")
    page = examiner.get(f"/staff/examiner/exams/{exam}/analysis").get_data(as_text=True)
    assert zh_title != en_title and zh_title[:10] in page


def test_a_proctor_opens_a_candidates_page_from_the_dashboard(app, candidate, signed_in, make_browser, exam, codes):
    from web.storage.models import User
    assert candidate.post("/logout").status_code in (302, 303)          # 2024001: signed in, then out
    assert make_browser().login_candidate("2024001", "wrong-code").status_code == 401   # and a failed try
    again = make_browser()
    assert again.login_candidate("2024002", codes["2024002"]).status_code == 302
    first = submission_id(again.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, first, 0.0, status=Verdict.WRONG)
    second = submission_id(again.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, second, 4.0)
    faulty = submission_id(again.upload("fast", FULL / "fast.py"))
    with app.app_context():
        jobs.finish(jobs.claim("lab:9/t", job_id=db.session.scalar(select(Job.id).where(Job.submission_id == faulty))),
                    AttemptOutcome.SANDBOX_ERROR, detail="engine went away")
        user_id = db.session.scalar(select(User.id).where(User.username == "2024002"))
        other = db.session.scalar(select(User.id).where(User.username == "2024001"))
    proctor = signed_in("proctor")
    proctor.set_lang("en")
    url = f"/staff/proctor/{exam}/candidates/{user_id}"
    lines = {c["number"]: c for c in state(proctor, exam)["candidates"]}
    assert lines["2024002"]["url"] == url                                          # the live rows link it
    assert f'<a href="{url}" data-attr-href="url" data-f="number"' in proctor.get(f"/staff/proctor/{exam}").get_data(as_text=True)
    page = proctor.get(url).get_data(as_text=True)
    assert "Candidate 2024002 · 考生2024002" in page and "Uploads (3)" in page
    uploads = page.split('id="uploads"')[1].split('id="faults"')[0]
    assert uploads.count("<tr ") == 3 and "Shape classification" in uploads and "Fast moving average" in uploads
    assert "no points" in uploads and "full marks" not in uploads and "4 / 5" in uploads
    counted_row = re.search(r'<tr class="counted-row" data-sub="(\d+)"', uploads)
    assert counted_row and int(counted_row.group(1)) == second                    # the last graded counts
    faults = page.split('id="faults"')[1].split('id="sign-ins"')[0]
    assert "engine went away" in faults and "Fast moving average" in faults
    assert f'href="/staff/examiner/submissions/{second}"' not in page
    signs = page.split('id="sign-ins"')[1]
    assert "signed in" in signs
    theirs = proctor.get(f"/staff/proctor/{exam}/candidates/{other}").get_data(as_text=True)
    assert "Nothing handed in yet." in theirs
    signs = theirs.split('id="sign-ins"')[1]
    assert "sign-in failed" in signs and "signed out" in signs and "signed in" in signs
    # the dashboard's fault rows and the examiner's pages lead to the candidate's page too
    [fault] = [f for f in state(proctor, exam)["faults"] if f["candidate"] == "2024002"]
    assert fault["candidate_url"] == url
    examiner_pages = signed_in("examiner")
    assert f'href="{url}"' in examiner_pages.get(f"/staff/examiner/submissions/{second}").get_data(as_text=True)
    assert f'href="{url}"' in examiner_pages.get(f"/staff/examiner/exams/{exam}/submissions").get_data(as_text=True)
    # an examiner's copy links each submission's page; someone not of this exam is not found
    examiner = signed_in("examiner")
    assert f'href="/staff/examiner/submissions/{second}"' in examiner.get(url).get_data(as_text=True)
    assert proctor.get(f"/staff/proctor/{exam}/candidates/999").status_code == 404
    assert again.get(url).status_code == 403


def test_the_examiners_submission_page_names_checks_in_the_readers_language(app, candidate, signed_in, exam):
    from .test_examiner import shapes_tests
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, sid, 3.0, tests=shapes_tests(2.0))
    examiner = signed_in("examiner")
    examiner.set_lang("zh")
    page = examiner.get(f"/staff/examiner/submissions/{sid}").get_data(as_text=True)
    assert "评分图片上的分类准确率" in page and "test_accuracy" in page       # the package's zh: title
    examiner.set_lang("en")
    assert "评分图片上的分类准确率" not in examiner.get(f"/staff/examiner/submissions/{sid}").get_data(as_text=True)


def test_a_sites_ranking_heads_its_task_columns_with_titles(app, exam, signed_in):
    from web.services.contest import setup
    from web.storage.models import Exam
    from .test_contest_pages import import_teams
    from support.contest import teams
    with app.app_context():
        setup.create("prov", exam=db.session.get(Exam, exam), site="A", theory_weight=0, title_zh="省赛",
                     title_en="Provincial", award_rule={"mode": "count", "tiers": [1, 1]})
    b = signed_in("examiner")
    b.set_lang("en")
    import_teams(b, teams("S", 1))
    page = b.get("/staff/contests/prov?tab=student").get_data(as_text=True)
    assert '<th class="num" title="shapes">Shape classification</th>' in page
    b.set_lang("zh")
    assert '<th class="num" title="shapes">形状分类</th>' in b.get("/staff/contests/prov?tab=student").get_data(as_text=True)
