"""grader.manifest: the demo package loads cleanly; every broken package is
reported with the file and the field that is wrong.

Broken packages are copies of exams/demo (read-only) edited in tmp_path.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.errors import ExamConfigError
from grader.manifest import load_exam, read_exam
from grader.models import Phase, SubmissionKind, Visibility

from .conftest import edit

DEMO = Path(__file__).resolve().parents[1] / "exams" / "demo"


# --------------------------------------------------------------------------
# helpers




def problems_of(root: Path):
    exam, problems = read_exam(root)
    return exam, problems


def find(problems, file_end: str, field: str):
    hits = [p for p in problems if p.file.endswith(file_end) and p.field == field]
    assert hits, f"no problem for {file_end}: {field} in {[str(p) for p in problems]}"
    return hits[0]


SMOOTH = "tasks/fast/tests/hidden/test_smooth.py"


# --------------------------------------------------------------------------
# the demo: a valid package


def test_demo_loads_without_problems():
    exam, problems = read_exam(DEMO)
    assert problems == []
    assert exam is not None
    assert exam.id == "demo"
    assert [t.id for t in exam.tasks] == ["blur", "fast", "shapes"]
    assert exam.max_score == 15


def test_demo_points_per_test_add_up_to_task_points():
    exam = load_exam(DEMO)
    points = {t.id: {s.name: s.points for s in t.tests} for t in exam.tasks}
    assert points == {
        "blur": {"test_defines_gray_blur": 1.0, "test_gray_blur_on_grading_images": 2.0,
                 "test_saved_outputs": 3.0},
        "fast": {"test_smooth_is_right": 2.0, "test_smooth_is_fast": 2.0},
        "shapes": {"test_classify_answers_every_picture": 1.0, "test_accuracy": 4.0},
    }
    for task in exam.tasks:
        assert sum(s.points for s in task.tests) == task.points


def test_demo_phases_come_from_folders():
    blur = load_exam(DEMO).task("blur")
    assert {s.name: s.phase for s in blur.tests} == {
        "test_defines_gray_blur": Phase.PUBLIC,
        "test_gray_blur_on_grading_images": Phase.HIDDEN,
        "test_saved_outputs": Phase.TRUSTED,
    }
    assert [s.name for s in blur.tests_in(Phase.TRUSTED)] == ["test_saved_outputs"]
    assert blur.tests_in(Phase.PUBLIC)[0].file == "tasks/blur/tests/public/test_public.py"


def test_demo_timeouts_and_limits_inherit_and_override():
    exam = load_exam(DEMO)
    fast, blur = exam.task("fast"), exam.task("blur")
    # the task overrides test_s and wall_s, and inherits the rest from the exam
    assert (fast.limits.test_s, fast.limits.wall_s, fast.limits.memory_mb) == (10.0, 40.0, 512)
    assert (blur.limits.test_s, blur.limits.wall_s, blur.limits.cell_s) == (15.0, 60.0, 20.0)
    # tests without a timeout marker take the task's test_s
    assert {s.name: s.timeout_s for s in fast.tests} == {"test_smooth_is_right": 10.0,
                                                         "test_smooth_is_fast": 10.0}
    assert all(s.timeout_s == 15.0 for s in blur.tests)


def test_demo_visibility_and_description():
    exam = load_exam(DEMO)
    assert all(s.visibility is Visibility.VISIBLE for t in exam.tasks for s in t.tests)
    spec = exam.task("shapes").tests_in(Phase.TRUSTED)[0]
    assert spec.description == "classification accuracy on the grading pictures"
    assert exam.task("blur").accepts == (SubmissionKind.NOTEBOOK, SubmissionKind.SCRIPT)
    assert exam.task("blur").expected_files() == ["blur.ipynb", "blur.py"]


def test_markers_set_points_timeout_and_visibility(pkg):
    edit(pkg / SMOOTH, "@pytest.mark.points(2)\n@pytest.mark.timeout(10)",
         '@pytest.mark.points(2)\n@pytest.mark.timeout(7.5)\n@pytest.mark.visibility("hidden")')
    exam, problems = read_exam(pkg)
    assert problems == []
    spec = {s.name: s for s in exam.task("fast").tests}["test_smooth_is_fast"]
    assert (spec.points, spec.timeout_s, spec.visibility) == (2.0, 7.5, Visibility.HIDDEN)
    other = {s.name: s for s in exam.task("fast").tests}["test_smooth_is_right"]
    assert other.visibility is Visibility.VISIBLE


def test_task_visibility_overrides_exam_default(pkg):
    edit(pkg / "exam.toml", 'name = "fast"\n', 'name = "fast"\nvisibility = "hidden"\n')
    exam, problems = read_exam(pkg)
    assert problems == []
    assert all(s.visibility is Visibility.HIDDEN for s in exam.task("fast").tests)
    assert all(s.visibility is Visibility.VISIBLE for s in exam.task("blur").tests)


def test_existing_generator_is_accepted(pkg):
    (pkg / "exam.toml").write_text((pkg / "exam.toml").read_text() + '\n[data]\ngenerator = "generate.py"\n')
    exam, problems = read_exam(pkg)
    assert problems == []
    assert exam.generator == "generate.py"


# --------------------------------------------------------------------------
# manifest-level problems


def test_invalid_toml(pkg):
    (pkg / "exam.toml").write_text('id = "demo"\ntitle = { zh = "x", en = \n', encoding="utf-8")
    exam, problems = read_exam(pkg)
    assert exam is None
    assert len(problems) == 1
    assert problems[0].file == "exam.toml"
    assert "not valid TOML" in problems[0].message
    assert "line 2" in problems[0].message


def test_missing_exam_toml(pkg):
    (pkg / "exam.toml").unlink()
    exam, problems = read_exam(pkg)
    assert exam is None
    assert len(problems) == 1
    assert problems[0].file.endswith("exam.toml")
    assert "no exam.toml" in problems[0].message


def test_load_exam_raises_exam_config_error_with_problems(pkg):
    (pkg / "exam.toml").unlink()
    with pytest.raises(ExamConfigError) as info:
        load_exam(pkg)
    assert info.value.exit_code == 3
    assert len(info.value.problems) == 1
    assert "exam.toml" in str(info.value)


@pytest.mark.parametrize("bad", ["Fast", "fast task", "-fast", "fa/st", ""])
def test_bad_task_id(pkg, bad):
    edit(pkg / "exam.toml", 'id = "fast"', f'id = "{bad}"')
    exam, problems = read_exam(pkg)
    assert exam is None
    p = find(problems, "exam.toml", f"tasks.{bad}.id")
    assert "lowercase" in p.message


def test_bad_exam_id(pkg):
    edit(pkg / "exam.toml", 'id = "demo"', 'id = "Demo Exam"')
    _, problems = read_exam(pkg)
    find(problems, "exam.toml", "id")


@pytest.mark.parametrize("section, field", [
    ('image = "default"\n', "colour"),                          # top level
    ('name = "fast"\n', "tasks.fast.colour"),                   # inside a task
    ("memory_mb = 512", "limits.colour"),                       # inside [limits]
])
def test_unknown_keys_are_forbidden(pkg, section, field):
    edit(pkg / "exam.toml", section, section + ('\ncolour = "red"\n' if section.endswith("\n")
                                                else '\ncolour = "red"'))
    exam, problems = read_exam(pkg)
    assert exam is None
    p = find(problems, "exam.toml", field)
    assert "extra" in p.message.lower() or "not permitted" in p.message.lower()


def test_points_mismatch_between_manifest_and_tests(pkg):
    edit(pkg / "exam.toml", "points = 4", "points = 5")
    exam, problems = read_exam(pkg)
    assert len(problems) == 1
    p = find(problems, "exam.toml", "tasks.fast.points")
    assert "5" in p.message and "4" in p.message


def test_duplicate_task_ids(pkg):
    edit(pkg / "exam.toml", 'id = "shapes"', 'id = "fast"')
    _, problems = read_exam(pkg)
    find(problems, "exam.toml", "tasks.fast.id")
    assert any("duplicate task id" in p.message for p in problems)


def test_duplicate_test_names_within_a_task(pkg):
    (pkg / "tasks/fast/tests/public").mkdir()
    (pkg / "tasks/fast/tests/public/test_again.py").write_text(
        "import pytest\n\n@pytest.mark.points(0)\ndef test_smooth_is_right():\n    pass\n", encoding="utf-8")
    _, problems = read_exam(pkg)
    assert len(problems) == 1
    p = find(problems, "tasks/fast/tests", "test_smooth_is_right")
    assert "unique" in p.message


def test_same_test_name_in_two_tasks_is_fine(pkg):
    (pkg / "tasks/shapes/tests/hidden/test_more.py").write_text(
        "import pytest\n\n@pytest.mark.points(0)\ndef test_smooth_is_right():\n    pass\n", encoding="utf-8")
    _, problems = read_exam(pkg)
    assert problems == []


def test_non_literal_marker_argument(pkg):
    edit(pkg / SMOOTH, "@pytest.mark.points(2)\ndef test_smooth_is_right",
         "POINTS = 2\n\n\n@pytest.mark.points(POINTS)\ndef test_smooth_is_right")
    _, problems = read_exam(pkg)
    p = find(problems, "tests/hidden/test_smooth.py", "test_smooth_is_right")
    assert "literal" in p.message


@pytest.mark.parametrize("marker, words", [
    ('points("2")', "points must be a number"),
    ("points(-1)", "points must be a number"),
    ("points(True)", "points must be a number"),
    ("points(1, 2)", "exactly one argument"),
    ('visibility("secret")', "visibility must be one of"),
    ("timeout(0)", "timeout must be a positive"),
])
def test_bad_marker_values(pkg, marker, words):
    edit(pkg / SMOOTH, "@pytest.mark.timeout(10)", f"@pytest.mark.timeout(10)\n@pytest.mark.{marker}")
    _, problems = read_exam(pkg)
    p = find(problems, "tests/hidden/test_smooth.py", "test_smooth_is_fast")
    assert words in p.message


def test_parametrize_is_refused(pkg):
    (pkg / "tasks/fast/tests/hidden/test_param.py").write_text(
        "import pytest\n\n@pytest.mark.points(0)\n@pytest.mark.parametrize('k', [1, 2])\n"
        "def test_many(k):\n    pass\n", encoding="utf-8")
    _, problems = read_exam(pkg)
    assert len(problems) == 1
    p = find(problems, "tests/hidden/test_param.py", "test_many")
    assert "parametrize" in p.message


def test_test_classes_are_refused(pkg):
    (pkg / "tasks/fast/tests/hidden/test_class.py").write_text(
        "class TestSmooth:\n    def test_a(self):\n        pass\n", encoding="utf-8")
    _, problems = read_exam(pkg)
    assert len(problems) == 1
    p = find(problems, "tests/hidden/test_class.py", "TestSmooth")
    assert "class" in p.message


def test_unparsable_test_file(pkg):
    (pkg / "tasks/fast/tests/hidden/test_broken.py").write_text("def test_x(:\n", encoding="utf-8")
    _, problems = read_exam(pkg)
    p = find(problems, "tests/hidden/test_broken.py", "")
    assert "cannot parse" in p.message


def test_timeout_longer_than_wall_s(pkg):
    # the fast task has wall_s = 40
    edit(pkg / SMOOTH, "@pytest.mark.timeout(10)", "@pytest.mark.timeout(45)")
    _, problems = read_exam(pkg)
    assert len(problems) == 1
    p = find(problems, "tests/hidden/test_smooth.py", "test_smooth_is_fast")
    assert "45" in p.message and "40" in p.message


def test_test_file_problems_name_a_path_inside_the_package(pkg):
    edit(pkg / SMOOTH, "@pytest.mark.timeout(10)", "@pytest.mark.timeout(45)")
    _, problems = read_exam(pkg)
    p = find(problems, "tests/hidden/test_smooth.py", "test_smooth_is_fast")
    assert (pkg / p.file).is_file()


def test_unhashable_marker_literal_is_a_problem_not_a_crash(pkg):
    edit(pkg / SMOOTH, "@pytest.mark.timeout(10)", "@pytest.mark.timeout({[1]: 2})")
    _, problems = read_exam(pkg)
    find(problems, "tests/hidden/test_smooth.py", "test_smooth_is_fast")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_missing_statement(pkg, lang):
    (pkg / f"tasks/fast/statement.{lang}.md").unlink()
    _, problems = read_exam(pkg)
    assert len(problems) == 1
    p = find(problems, "tasks/fast", f"statement.{lang}.md")
    assert "statement" in p.message


def test_missing_task_folder(pkg):
    shutil.rmtree(pkg / "tasks/fast")
    _, problems = read_exam(pkg)
    p = find(problems, "exam.toml", "tasks.fast")
    assert "tasks/fast" in p.message


def test_task_without_rubric_tests(pkg):
    shutil.rmtree(pkg / "tasks/fast/tests")
    _, problems = read_exam(pkg)
    assert len(problems) == 1
    assert problems[0].file == "tasks/fast/tests"
    assert "no rubric tests" in problems[0].message


def test_project_task_without_entry(pkg):
    edit(pkg / "exam.toml", 'accepts = ["script", "notebook"]', 'accepts = ["project"]')
    _, problems = read_exam(pkg)
    assert len(problems) == 1
    p = find(problems, "exam.toml", "tasks.shapes.entry")
    assert "entry" in p.message


def test_project_task_with_entry_is_fine(pkg):
    edit(pkg / "exam.toml", 'accepts = ["script", "notebook"]', 'accepts = ["project"]\nentry = "app.py"')
    exam, problems = read_exam(pkg)
    assert problems == []
    assert exam.task("shapes").expected_files() == ["shapes/app.py"]


def test_project_mixed_with_other_kinds(pkg):
    edit(pkg / "exam.toml", 'accepts = ["script", "notebook"]', 'accepts = ["project", "script"]\nentry = "a.py"')
    _, problems = read_exam(pkg)
    find(problems, "exam.toml", "tasks.shapes.accepts")


@pytest.mark.parametrize("where, line, field", [
    ("memory_mb = 512", "memory_mb = 0", "limits.memory_mb"),
    ("cpus = 1.0", "cpus = -1", "limits.cpus"),
    ("wall_s = 60 ", "wall_s = 0 ", "limits.wall_s"),
    ("limits = { test_s = 10, wall_s = 40 }", "limits = { test_s = 10, wall_s = 40, cpus = -0.5 }",
     "tasks.fast.limits.cpus"),
    ("limits = { test_s = 10, wall_s = 40 }", "limits = { test_s = 10, wall_s = 40, memory_mb = 0 }",
     "tasks.fast.limits.memory_mb"),
])
def test_limits_out_of_range(pkg, where, line, field):
    edit(pkg / "exam.toml", where, line)
    exam, problems = read_exam(pkg)
    assert exam is None
    find(problems, "exam.toml", field)


def test_missing_generator_file(pkg):
    (pkg / "exam.toml").write_text((pkg / "exam.toml").read_text() + '\n[data]\ngenerator = "make_data.py"\n')
    _, problems = read_exam(pkg)
    assert len(problems) == 1
    p = find(problems, "exam.toml", "data.generator")
    assert "make_data.py" in p.message


def test_two_tasks_with_the_same_file_name(pkg):
    edit(pkg / "exam.toml", 'name = "fast"', 'name = "blur"')
    _, problems = read_exam(pkg)
    assert len(problems) == 1
    p = find(problems, "exam.toml", "tasks.fast.name")
    assert "blur.py" in p.message and "blur" in p.message


@pytest.mark.parametrize("bad", ["blur.py", "../blur", "a b"])
def test_bad_file_name(pkg, bad):
    edit(pkg / "exam.toml", 'name = "fast"', f'name = "{bad}"')
    exam, problems = read_exam(pkg)
    assert exam is None
    find(problems, "exam.toml", "tasks.fast.name")


def test_every_problem_renders_with_file_and_field(pkg):
    edit(pkg / "exam.toml", "points = 4", "points = 5")
    (pkg / "tasks/blur/statement.en.md").unlink()
    _, problems = read_exam(pkg)
    assert sorted(str(p) for p in problems) == sorted([
        "exam.toml: tasks.fast.points: is 5 but the task's tests add up to 4",
        "tasks/blur: statement.en.md: missing task statement",
    ])


def test_a_docstring_line_starting_zh_gives_the_chinese_title(tmp_path):
    from grader.manifest import discover_tests
    from grader.models import Phase, Visibility
    folder = tmp_path / "exam" / "tasks" / "t" / "tests" / "hidden"
    folder.mkdir(parents=True)
    (folder / "test_x.py").write_text('def test_a():\n    """the answer is right\n\n    zh: 答案正确\n    """\n'
                                      'def test_b():\n    """zh：只有中文"""\n', encoding="utf-8")
    a, b = discover_tests(tmp_path / "exam" / "tasks" / "t", Phase.HIDDEN, Visibility.VISIBLE, 10, [])
    assert (a.description, a.description_zh, a.title("zh"), a.title("en")) == \
        ("the answer is right", "答案正确", "答案正确", "the answer is right")
    assert (b.description, b.description_zh) == ("test_b", "只有中文")


def test_a_package_declares_the_certification_level_it_examines(pkg):
    edit(pkg / "exam.toml", 'image = "default"\n', 'image = "default"\nlevel = "expert"\n')
    exam, problems = read_exam(pkg)
    assert exam is None and find(problems, "exam.toml", "level")
    exam, problems = read_exam(Path(__file__).resolve().parents[1] / "exams" / "edge-ai-practical")
    assert problems == [] and exam.level == "intermediate"
    assert read_exam(Path(__file__).resolve().parents[1] / "exams" / "demo")[0].level is None
