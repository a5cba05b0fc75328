"""`practicum exam new`: the package it writes checks and proves as written."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from grader.cli import main


def new(tmp_path, *args):
    return CliRunner().invoke(main, ["exam", "new", *args, "--into", str(tmp_path)])


def test_new_package_checks_with_a_test_at_every_trust_level(tmp_path):
    out = new(tmp_path, "my-exam", "--title-zh", "我的考试", "--title-en", "My exam")
    assert out.exit_code == 0, out.output
    pkg = tmp_path / "exams" / "my-exam"
    assert 'title = { zh = "我的考试", en = "My exam" }' in (pkg / "exam.toml").read_text(encoding="utf-8")
    assert (tmp_path / "reference_solutions" / "my-exam" / "solutions.toml").is_file()
    checked = CliRunner().invoke(main, ["exam", "check", str(pkg)])
    assert checked.exit_code == 0, checked.output
    assert "my-exam: ok — 1 task(s), 4 test(s), 5 points" in checked.stdout
    assert "public: 1, hidden: 1, trusted: 2" in checked.stdout
    assert not list(tmp_path.rglob("*@ID@*")) and "@ID@" not in (pkg / "exam.toml").read_text(encoding="utf-8")


def test_new_refuses_a_bad_id_and_an_existing_package(tmp_path):
    bad = new(tmp_path, "My Exam")
    assert bad.exit_code == 2 and "lowercase letters" in bad.output
    assert new(tmp_path, "twice").exit_code == 0
    again = new(tmp_path, "twice")
    assert again.exit_code == 2 and "already exists" in again.output
    quoted = new(tmp_path, "quoted", "--title-en", 'a "b"')
    assert quoted.exit_code == 2 and not (tmp_path / "exams" / "quoted").exists()


@pytest.mark.docker
def test_new_package_proves_as_written(image_tag, tmp_path):
    assert new(tmp_path, "fresh").exit_code == 0
    pkg = tmp_path / "exams" / "fresh"
    out = CliRunner().invoke(main, ["exam", "prove", str(pkg)])
    assert out.exit_code == 0, out.output
    assert "exam proven" in out.output
    assert "PASS  spots_counts_background.py" in out.output and "PASS  full" in out.output
    assert "reference_speed = " in (pkg / "exam.toml").read_text(encoding="utf-8")
