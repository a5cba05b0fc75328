"""What a candidate sees of a result: hidden never, after_published once published, visible always."""
from __future__ import annotations

from grader.models import Phase, TaskResult, TestResult, TestStatus, Verdict, Visibility
from web.grading import jobs
from web.storage.db import db
from web.storage.models import AttemptOutcome
from web.services.visibility import candidate_view, shown

from .conftest import SHAPES_PATH, submission_id, update_exam


def test_rules():
    assert shown("visible", False) and shown("visible", True)
    assert not shown("after_published", False) and shown("after_published", True)
    assert not shown("hidden", False) and not shown("hidden", True)
    assert not shown("made-up", True)


def test_view_withholds_the_total_until_published():
    tests = [{"name": "a", "visibility": "visible", "score": 1, "max_score": 1, "status": "passed", "message": ""},
             {"name": "b", "visibility": "hidden", "score": 0, "max_score": 4, "status": "failed", "message": "x"}]
    before = candidate_view(score=1, max_score=5, status="wrong", message="1 of 2", tests=tests, published=False)
    assert before.withheld and before.score is None and [t.name for t in before.tests] == ["a"]
    after = candidate_view(score=1, max_score=5, status="wrong", message="1 of 2", tests=tests, published=True)
    assert not after.withheld and after.score == 1 and [t.name for t in after.tests] == ["a"]
    all_visible = candidate_view(score=1, max_score=1, status="ok", message="", tests=tests[:1], published=False)
    assert not all_visible.withheld and all_visible.score == 1


def _test(name, vis, score, status, message):
    return TestResult(name=name, score=score, max_score=2.0, status=status, message=message,
                      visibility=vis, phase=Phase.TRUSTED)


def grade_by_hand(app, sid: int) -> None:
    """Finish the submission's job with a result holding one test of each visibility."""
    task = TaskResult(id="shapes", score=3.0, max_score=6.0, status=Verdict.WRONG, message="2 of 3 checks passed.",
                      tests=(_test("test_seen", Visibility.VISIBLE, 2.0, TestStatus.PASSED, "VISIBLE-MSG"),
                             _test("test_later", Visibility.AFTER_PUBLISHED, 1.0, TestStatus.PARTIAL, "LATER-MSG"),
                             _test("test_secret", Visibility.HIDDEN, 0.0, TestStatus.FAILED, "SECRET-MSG")))
    with app.app_context():
        claim = jobs.claim("test-worker")
        assert claim.submission_id == sid
        jobs.finish(claim, AttemptOutcome.GRADED, result=task,
                    descriptions={"test_seen": "SEEN-DESC", "test_later": "LATER-DESC", "test_secret": "SECRET-DESC"})
        db.session.remove()


def test_result_page_filters_by_visibility(app, candidate, exam):
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, sid)
    page = candidate.get(f"/submissions/{sid}").get_data(as_text=True)
    assert "SEEN-DESC" in page and "VISIBLE-MSG" in page
    assert "LATER" not in page and "SECRET" not in page and "test_secret" not in page
    assert "成绩公布后显示" in page and "3 / 6" not in page
    history = candidate.get("/submissions").get_data(as_text=True)
    assert "公布后可见" in history

    update_exam(app, exam, published=True)
    page = candidate.get(f"/submissions/{sid}").get_data(as_text=True)
    assert "LATER-DESC" in page and "LATER-MSG" in page and "<strong>3</strong> / 6" in page
    assert "SECRET" not in page and "test_secret" not in page
