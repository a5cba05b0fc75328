"""Feedback a candidate reads: verdict labels that fit the score, check titles and messages in
the reader's language (the engine's bilingual text end to end), the receipt's banner."""
from __future__ import annotations

from sqlalchemy import select

from grader.models import Phase, TaskResult, TestResult, TestStatus, Verdict, Visibility
from web.grading import jobs
from web.services.feedback import verdict_key
from web.storage.db import db
from web.storage.models import AttemptOutcome, Job, JobStatus

from .conftest import SHAPES_PATH, grade_by_hand, submission_id


def test_the_label_follows_the_points():
    assert verdict_key("wrong", 0.0, 5.0) == "verdict.zero"
    assert verdict_key("wrong", 2.0, 5.0) == "verdict.partial"
    assert verdict_key("ok", 5.0, 5.0) == "verdict.full"
    assert verdict_key("ok", 4.0, 5.0) == "verdict.partial"
    assert verdict_key("time_limit", 0.0, 5.0) == "verdict.time_limit"
    assert verdict_key("runtime_error", 3.0, 5.0) == "verdict.runtime_error"
    assert verdict_key("sandbox_error", 0.0, 5.0) == "verdict.sandbox_error"
    assert verdict_key("wrong", 0.0, 0.0) == "verdict.wrong"


def verdict_text(page: str) -> str:
    return page.split('class="verdict', 1)[1].split(">", 1)[1].split("<", 1)[0]


def test_zero_points_is_not_called_partly_wrong(app, candidate):
    zero = submission_id(candidate.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, zero, 0.0)
    page = candidate.get(f"/submissions/{zero}").get_data(as_text=True)
    assert verdict_text(page) == "未得分" and "部分错误" not in page
    part = submission_id(candidate.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, part, 2.0)
    assert verdict_text(candidate.get(f"/submissions/{part}").get_data(as_text=True)) == "部分正确"
    full = submission_id(candidate.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, full, 5.0)
    assert verdict_text(candidate.get(f"/submissions/{full}").get_data(as_text=True)) == "满分"
    slow = submission_id(candidate.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, slow, 0.0, status=Verdict.TIME_LIMIT)
    assert verdict_text(candidate.get(f"/submissions/{slow}").get_data(as_text=True)) == "超时"
    candidate.set_lang("en")
    assert verdict_text(candidate.get(f"/submissions/{zero}").get_data(as_text=True)) == "no points"
    assert verdict_text(candidate.get(f"/submissions/{part}").get_data(as_text=True)) == "partly right"


def bilingual_result() -> TaskResult:
    """What the engine returns for a Chinese-speaking candidate: every text in both languages."""
    def test(name, score, status, zh, en):
        return TestResult(name=name, score=score, max_score=1.0 if "classify" in name else 4.0, status=status,
                          message=zh, visibility=Visibility.VISIBLE, phase=Phase.TRUSTED,
                          messages=(("zh", zh), ("en", en)))
    return TaskResult(id="shapes", score=3.0, max_score=5.0, status=Verdict.WRONG, message="2 项检查中通过 1 项。",
                      messages=(("zh", "2 项检查中通过 1 项。"), ("en", "1 of 2 checks passed.")),
                      tests=(test("test_classify_answers_every_picture", 1.0, TestStatus.PASSED, "", ""),
                             test("test_accuracy", 2.0, TestStatus.PARTIAL, "准确率 0.67，满分需要 0.95",
                                  "accuracy 0.67, needs 0.95 for full marks")))


def finish(app, sid: int, result: TaskResult) -> None:
    with app.app_context():
        job_id = db.session.scalar(select(Job.id).where(Job.submission_id == sid, Job.status == JobStatus.QUEUED))
        claim = jobs.claim("hand", job_id=job_id)
        jobs.finish(claim, AttemptOutcome.GRADED, result=result,
                    descriptions={"test_accuracy": "classification accuracy on the grading pictures"})
        db.session.remove()


def test_check_titles_and_messages_come_in_the_readers_language(app, candidate):
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    finish(app, sid, bilingual_result())
    zh = candidate.get(f"/submissions/{sid}").get_data(as_text=True)
    assert "评分图片上的分类准确率" in zh and "classify 对每张评分图片都给出答案" in zh     # the docstrings' zh: lines
    assert "准确率 0.67，满分需要 0.95" in zh and "2 项检查中通过 1 项。" in zh
    assert "classification accuracy" not in zh and "accuracy 0.67" not in zh
    candidate.set_lang("en")
    en = candidate.get(f"/submissions/{sid}").get_data(as_text=True)
    assert "classification accuracy on the grading pictures" in en and "accuracy 0.67, needs 0.95" in en
    assert "1 of 2 checks passed." in en and "评分图片" not in en and "准确率" not in en


def test_the_queued_banner_goes_once_the_result_is_there(app, candidate):
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    page = candidate.get(f"/submissions/{sid}?new=1").get_data(as_text=True)
    assert "正在排队评分" in page and "data-reload-when-final" in page
    grade_by_hand(app, sid, 5.0)
    page = candidate.get(f"/submissions/{sid}?new=1").get_data(as_text=True)   # what the live reload shows
    assert "正在排队评分" not in page and "评分已完成" in page and "data-reload-when-final" not in page
