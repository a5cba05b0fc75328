"""Exam packages: parse `exam.toml`, find the rubric tests, validate everything.

A package is data. Manifests are parsed, never executed, and rubric tests are
read with `ast` to learn their points, limits and visibility, so the host knows
every test's maximum before any sandbox runs and a forged results file cannot
invent tests or points.

Layout of a package::

    exams/<id>/exam.toml
    exams/<id>/tasks/<task>/statement.zh.md, statement.en.md
    exams/<id>/tasks/<task>/starter/        files candidates start from
    exams/<id>/tasks/<task>/public/         public sample data (candidates have it)
    exams/<id>/tasks/<task>/hidden/         hidden inputs: enter the candidate sandbox
    exams/<id>/tasks/<task>/answers/        hidden answers: enter only the judge sandbox
    exams/<id>/tasks/<task>/tests/public/   rubric tests, candidate sandbox, public data
    exams/<id>/tasks/<task>/tests/hidden/   rubric tests, candidate sandbox, hidden inputs
    exams/<id>/tasks/<task>/tests/trusted/  rubric tests, judge sandbox, answers
"""
from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ExamConfigError
from .models import Limits, Phase, Problem, SubmissionKind, Visibility

MANIFEST = "exam.toml"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$")
SUFFIX = {SubmissionKind.NOTEBOOK: ".ipynb", SubmissionKind.SCRIPT: ".py"}
# the certification levels a package may examine (初级 / 中级 / 高级); a sitting's level must match
LEVELS = ("basic", "intermediate", "advanced")


def _check_id(v: str) -> str:
    if not ID_RE.match(v):
        raise ValueError("use lowercase letters, digits, '-' and '_' (at most 63)")
    return v


class Titles(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class LimitsModel(BaseModel):
    """Optional overrides; unspecified fields inherit from the level above."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    wall_s: float | None = Field(default=None, gt=0, le=3600)
    cell_s: float | None = Field(default=None, gt=0, le=3600)
    test_s: float | None = Field(default=None, gt=0, le=3600)
    memory_mb: int | None = Field(default=None, ge=32, le=16384)
    cpus: float | None = Field(default=None, gt=0, le=64)
    pids: int | None = Field(default=None, ge=8, le=4096)
    output_mb: int | None = Field(default=None, gt=0, le=1024)
    stdout_kb: int | None = Field(default=None, gt=0, le=16384)
    tmpfs_mb: int | None = Field(default=None, gt=0, le=4096)

    def apply(self, base: Limits) -> Limits:
        return base.merged(self.model_dump(exclude_none=True))


class TaskModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    title: Titles
    points: float = Field(gt=0)
    accepts: list[SubmissionKind] = Field(min_length=1)
    name: str                      # file stem (notebook/script) or folder name (project)
    entry: str | None = None       # module inside a project folder, e.g. "main.py"
    data_dir: str = "data"         # where the task's inputs appear next to the candidate's files
    visibility: Visibility | None = None
    limits: LimitsModel = LimitsModel()

    _id = field_validator("id")(_check_id)

    @field_validator("data_dir")
    @classmethod
    def _data_dir(cls, v: str) -> str:
        if not NAME_RE.match(v):
            raise ValueError("a plain folder name, e.g. 'data'")
        return v

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not NAME_RE.match(v) or v.endswith((".py", ".ipynb")):
            raise ValueError("a plain file stem or folder name without suffix, e.g. 'blur'")
        return v


class DataModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    generator: str | None = None   # a script in the package that writes the task data


class ExamModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    title: Titles
    image: str = "default"
    visibility: Visibility = Visibility.AFTER_PUBLISHED
    limits: LimitsModel = LimitsModel()
    data: DataModel = DataModel()
    # the worker speed (grader/speed.py) at which the limits were set: written by `exam prove`
    reference_speed: float | None = Field(default=None, gt=0, le=100)
    # which certification level the package examines; None: not a certification exam
    level: Literal["basic", "intermediate", "advanced"] | None = None
    tasks: list[TaskModel] = Field(min_length=1)

    _id = field_validator("id")(_check_id)


@dataclass(frozen=True)
class TestSpec:
    """One rubric test, as read from its file without running it."""

    __test__ = False

    name: str
    phase: Phase
    file: str                  # path relative to the task folder
    points: float
    visibility: Visibility
    timeout_s: float
    description: str           # the docstring's first line (English)
    description_zh: str = ""   # its line starting "zh:", when the examiner wrote one

    def title(self, lang: str) -> str:
        return self.description_zh if lang == "zh" and self.description_zh else self.description


@dataclass(frozen=True)
class Task:
    id: str
    title: Titles
    points: float
    accepts: tuple[SubmissionKind, ...]
    name: str
    entry: str | None
    data_dir: str
    limits: Limits
    visibility: Visibility
    root: Path                 # the task folder inside the package
    tests: tuple[TestSpec, ...]
    data_root: Path | None = None   # generated data for this task, when the package has a generator
    time_factor: float = 1.0        # `limits` and test timeouts are the package's times this (speed.py)

    def expected_files(self) -> list[str]:
        """File names a submission for this task may carry, in preference order."""
        out = []
        for kind in self.accepts:
            if kind is SubmissionKind.PROJECT:
                out.append(f"{self.name}/{self.entry or 'main.py'}")
            else:
                out.append(self.name + SUFFIX[kind])
        return out

    def tests_in(self, phase: Phase) -> tuple[TestSpec, ...]:
        return tuple(t for t in self.tests if t.phase is phase)

    def dir(self, part: str) -> Path:
        """public / hidden / answers / starter: generated data wins over committed."""
        if self.data_root is not None and (self.data_root / part).is_dir():
            return self.data_root / part
        return self.root / part

    def statement(self, lang: str) -> str:
        path = self.root / f"statement.{lang}.md"
        return path.read_text(encoding="utf-8") if path.exists() else ""


@dataclass(frozen=True)
class Exam:
    id: str
    title: Titles
    image: str
    root: Path
    limits: Limits
    generator: str | None
    tasks: tuple[Task, ...]
    reference_speed: float | None = None
    level: str | None = None       # one of LEVELS, or None

    @property
    def max_score(self) -> float:
        return sum(t.points for t in self.tasks)

    def task(self, task_id: str) -> Task:
        for t in self.tasks:
            if t.id == task_id:
                return t
        raise KeyError(task_id)


# --------------------------------------------------------------------------
# rubric test discovery


MARKERS = {"points", "visibility", "timeout"}
ZH_TITLE = re.compile(r"^zh\s*[:：]\s*(.+)$")   # a docstring line giving the check's Chinese title


def _marker(dec: ast.expr) -> tuple[str, list] | None:
    """Return (name, literal args) for `@pytest.mark.NAME(...)`, else None."""
    call = dec if isinstance(dec, ast.Call) else None
    target = call.func if call else dec
    if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Attribute)
            and target.value.attr == "mark"):
        return None
    args = []
    if call:
        for a in call.args:
            args.append(ast.literal_eval(a))  # ValueError if not a literal
    return target.attr, args


def discover_tests(task_root: Path, phase: Phase, default_vis: Visibility,
                   default_timeout: float, problems: list[Problem]) -> list[TestSpec]:
    folder = task_root / "tests" / phase.value
    specs: list[TestSpec] = []
    if not folder.is_dir():
        return specs
    for path in sorted(folder.glob("test_*.py")):
        rel = str(path.relative_to(task_root.parent.parent))   # from the package root
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        except (SyntaxError, UnicodeDecodeError) as exc:
            problems.append(Problem(rel, "", f"cannot parse: {exc}"))
            continue
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                problems.append(Problem(rel, node.name, "rubric tests must be plain functions, not classes"))
            if not (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test")):
                continue
            points, vis, timeout = 1.0, default_vis, default_timeout
            for dec in node.decorator_list:
                try:
                    found = _marker(dec)
                except (ValueError, SyntaxError, TypeError):
                    problems.append(Problem(rel, node.name, "marker arguments must be literals"))
                    continue
                if not found:
                    continue
                name, args = found
                if name == "parametrize":
                    problems.append(Problem(rel, node.name, "parametrize is not supported: write one test per rubric item"))
                elif name in MARKERS and len(args) != 1:
                    problems.append(Problem(rel, node.name, f"@pytest.mark.{name} takes exactly one argument"))
                elif name == "points":
                    if not isinstance(args[0], (int, float)) or isinstance(args[0], bool) or args[0] < 0:
                        problems.append(Problem(rel, node.name, "points must be a number >= 0"))
                    else:
                        points = float(args[0])
                elif name == "visibility":
                    try:
                        vis = Visibility(args[0])
                    except ValueError:
                        problems.append(Problem(rel, node.name, f"visibility must be one of {[v.value for v in Visibility]}"))
                elif name == "timeout":
                    if not isinstance(args[0], (int, float)) or args[0] <= 0:
                        problems.append(Problem(rel, node.name, "timeout must be a positive number of seconds"))
                    else:
                        timeout = float(args[0])
            doc = ast.get_docstring(node) or ""
            lines = [line.strip() for line in doc.strip().splitlines()]
            zh = next((m.group(1).strip() for line in lines if (m := ZH_TITLE.match(line))), "")
            specs.append(TestSpec(
                name=node.name, phase=phase, file=rel, points=points, visibility=vis,
                timeout_s=timeout, description=lines[0] if lines and not ZH_TITLE.match(lines[0]) else node.name,
                description_zh=zh,
            ))
    return specs


# --------------------------------------------------------------------------
# loading and checking


def _pydantic_problems(file: str, err: ValidationError, raw: dict) -> list[Problem]:
    out = []
    for e in err.errors():
        loc = list(e["loc"])
        # name tasks by their id rather than their index where we can
        if len(loc) >= 2 and loc[0] == "tasks" and isinstance(loc[1], int):
            try:
                loc[1] = raw["tasks"][loc[1]].get("id", loc[1])
            except (IndexError, AttributeError, KeyError):
                pass
        out.append(Problem(file, ".".join(str(x) for x in loc), e["msg"]))
    return out


def read_exam(root: Path) -> tuple[Exam | None, list[Problem]]:
    """Load a package and list every problem found; never raises for bad content."""
    root = Path(root).resolve()
    problems: list[Problem] = []
    mpath = root / MANIFEST
    if not mpath.is_file():
        return None, [Problem(str(mpath), "", "no exam.toml here: is this an exam package folder?")]
    try:
        raw = tomllib.loads(mpath.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return None, [Problem(MANIFEST, "", f"not valid TOML: {exc}")]
    try:
        model = ExamModel.model_validate(raw)
    except ValidationError as exc:
        return None, _pydantic_problems(MANIFEST, exc, raw)

    exam_limits = model.limits.apply(Limits())
    seen: set[str] = set()
    tasks: list[Task] = []
    for tm in model.tasks:
        where = f"tasks.{tm.id}"
        if tm.id in seen:
            problems.append(Problem(MANIFEST, where + ".id", "duplicate task id"))
        seen.add(tm.id)
        troot = root / "tasks" / tm.id
        if not troot.is_dir():
            problems.append(Problem(MANIFEST, where, f"no task folder tasks/{tm.id}/"))
        if SubmissionKind.PROJECT in tm.accepts and len(tm.accepts) > 1:
            problems.append(Problem(MANIFEST, where + ".accepts", "a project task accepts only 'project'"))
        if SubmissionKind.PROJECT in tm.accepts and not tm.entry:
            problems.append(Problem(MANIFEST, where + ".entry", "a project task needs an entry module, e.g. 'main.py'"))
        limits = tm.limits.apply(exam_limits)
        vis = tm.visibility or model.visibility
        tests: list[TestSpec] = []
        for phase in Phase:
            tests += discover_tests(troot, phase, vis, limits.test_s, problems)
        if troot.is_dir() and not tests:
            problems.append(Problem(f"tasks/{tm.id}/tests", "", "no rubric tests (tests/public|hidden|trusted/test_*.py)"))
        names = [t.name for t in tests]
        for dup in sorted({n for n in names if names.count(n) > 1}):
            problems.append(Problem(f"tasks/{tm.id}/tests", dup, "test names must be unique within a task"))
        total = sum(t.points for t in tests)
        if tests and abs(total - tm.points) > 1e-6:
            problems.append(Problem(MANIFEST, where + ".points",
                                    f"is {tm.points:g} but the task's tests add up to {total:g}"))
        for t in tests:
            if t.timeout_s > limits.wall_s:
                problems.append(Problem(t.file, t.name, f"timeout {t.timeout_s:g}s exceeds the task's wall_s {limits.wall_s:g}s"))
        if troot.is_dir():
            for lang in ("zh", "en"):
                if not (troot / f"statement.{lang}.md").is_file():
                    problems.append(Problem(f"tasks/{tm.id}", f"statement.{lang}.md", "missing task statement"))
        tasks.append(Task(
            id=tm.id, title=tm.title, points=tm.points, accepts=tuple(tm.accepts), name=tm.name,
            entry=tm.entry, data_dir=tm.data_dir, limits=limits, visibility=vis, root=troot, tests=tuple(tests),
        ))
    if model.data.generator and not (root / model.data.generator).is_file():
        problems.append(Problem(MANIFEST, "data.generator", f"no file {model.data.generator}"))
    names = {}
    for t in tasks:
        for f in t.expected_files():
            if f in names:
                problems.append(Problem(MANIFEST, f"tasks.{t.id}.name", f"same file name as task {names[f]}: {f}"))
            names[f] = t.id
    exam = Exam(id=model.id, title=model.title, image=model.image, root=root.resolve(),
                limits=exam_limits, generator=model.data.generator, tasks=tuple(tasks),
                reference_speed=model.reference_speed, level=model.level)
    return exam, problems


def load_exam(root: Path) -> Exam:
    exam, problems = read_exam(Path(root))
    if problems or exam is None:
        raise ExamConfigError(problems)
    return exam
