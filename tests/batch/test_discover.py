"""grader.batch.discover: which submissions a folder or an LMS zip holds, and whose."""
from __future__ import annotations

import pytest

from grader.batch.discover import find, safe_name
from grader.errors import SubmissionRejected

from .helpers import RIGHT, notebook, write, zip_of


def names(found):
    return [(s.candidate, s.path.name) for s in found.submissions]


def test_one_entry_per_candidate(tmp_path):
    cls = tmp_path / "class"
    write(cls, "alice.ipynb", notebook(RIGHT))
    write(cls, "bob.py", RIGHT)
    write(cls / "carol", "q1.ipynb", notebook(RIGHT))
    zip_of(cls / "dan.zip", {"q1.ipynb": notebook(RIGHT)})
    write(cls, "roster.txt", "who")
    write(cls, ".DS_Store", "junk")
    write(cls / ".ipynb_checkpoints", "alice-checkpoint.ipynb", "{}")
    found = find(cls, tmp_path / "work")
    assert found.layout == "plain"
    assert names(found) == [("alice", "alice.ipynb"), ("bob", "bob.py"), ("carol", "carol"), ("dan", "dan.zip")]
    assert [(u.candidate, u.reason) for u in found.unusable] == [
        ("roster.txt", "not a notebook, script, zip or folder")]


def test_candidate_names_are_unique_and_safe(tmp_path):
    cls = tmp_path / "class"
    write(cls, "li.ipynb", notebook(RIGHT))
    write(cls, "li.py", RIGHT)
    write(cls, "王芳 (2).ipynb", notebook(RIGHT))
    write(cls / "a;rm -rf", "q1.py", RIGHT)
    found = [s.candidate for s in find(cls, tmp_path / "work").submissions]
    assert found == ["a_rm -rf", "li", "li-2", "王芳 _2_"]
    assert safe_name("../../etc") == "_.._etc"


def test_nbgrader_course_layout(tmp_path):
    course = tmp_path / "course"
    write(course / "submitted" / "alice" / "ps1", "q1.ipynb", notebook(RIGHT))
    write(course / "submitted" / "alice" / "ps1", "timestamp.txt", "2026-12-07 10:00:00")
    write(course / "submitted" / "bob" / "ps1", "q1.ipynb", notebook(RIGHT))
    write(course / "submitted" / "bob" / "ps2", "q1.ipynb", notebook(RIGHT))
    (course / "submitted" / "carol").mkdir()
    write(course / "source" / "ps1", "q1.ipynb", notebook(RIGHT))   # the instructor's, not a submission
    found = find(course, tmp_path / "work")
    assert found.layout == "nbgrader"
    assert names(found) == [("alice", "ps1")]
    reasons = {u.candidate: u.reason for u in found.unusable}
    assert "--assignment" in reasons["bob"] and "ps1, ps2" in reasons["bob"]
    assert reasons["carol"] == "no assignment folder"
    picked = find(course / "submitted", tmp_path / "work", assignment="ps2")
    assert names(picked) == [("bob", "ps2")]


def test_moodle_download_zip(tmp_path):
    z = zip_of(tmp_path / "moodle.zip", {
        "Wang Fang_1001_assignsubmission_file_/q1.ipynb": notebook(RIGHT),
        "Li Lei_1002_assignsubmission_file_/answer.py": RIGHT,
    })
    found = find(z, tmp_path / "work")
    assert found.layout == "moodle"
    assert [s.candidate for s in found.submissions] == ["Li Lei_1002", "Wang Fang_1001"]
    assert all(s.path.is_relative_to(tmp_path / "work") for s in found.submissions)
    again = find(z, tmp_path / "work")   # a re-run unpacks again over the first
    assert [s.candidate for s in again.submissions] == ["Li Lei_1002", "Wang Fang_1001"]


def test_canvas_download_zip_groups_each_candidates_files(tmp_path):
    z = zip_of(tmp_path / "submissions.zip", {
        "wangfang_1001_5001_q1.ipynb": notebook(RIGHT),
        "lilei_LATE_1002_5002_blur.ipynb": notebook(RIGHT),
        "lilei_LATE_1002_5003_count.py": RIGHT,
    })
    found = find(z, tmp_path / "work")
    assert found.layout == "canvas"
    subs = {s.candidate: s.path for s in found.submissions}
    assert set(subs) == {"lilei_1002", "wangfang_1001"}
    assert subs["wangfang_1001"].name == "q1.ipynb" and subs["wangfang_1001"].is_file()
    assert sorted(p.name for p in subs["lilei_1002"].iterdir()) == ["blur.ipynb", "count.py"]


def test_a_hostile_download_zip_is_refused(tmp_path):
    z = zip_of(tmp_path / "evil.zip", {"../../outside.py": RIGHT})
    with pytest.raises(SubmissionRejected) as ei:
        find(z, tmp_path / "work")
    assert ei.value.code == "zip_unsafe_path"
    assert not (tmp_path / "outside.py").exists()
