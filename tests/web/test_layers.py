"""The board's layers hold: every import in web/ points to its own layer or one below, the
engine imports nothing of the board, the benches nothing of the tests; and `practicum worker`
starts on the storage and grading layers alone (no page, template or catalogue).

Imports are read with `ast` (every `import` and `from ... import`, at any depth, relative
ones resolved), so a lazy import inside a function counts like one at the top."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# bottom to top; the modules directly in web/ (cli, serve) are the top, above every layer
LAYERS = ("storage", "grading", "services", "pages")
TOP = len(LAYERS)
WORKER_MODULES_BEFORE = 41      # web modules `practicum worker` loaded before the layers (commit f52eadc)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, source: str | None = None) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file (or in `source`, read as if it were that file)."""
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source, str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            if node.module is None:     # `from . import a, b`: each name is a module
                out += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
            else:
                out.append((node.lineno, target))
    return out


def layer_of(module: str) -> int | None:
    """The layer of a module of web (None: not web)."""
    parts = module.split(".")
    if parts[0] != "web":
        return None
    if len(parts) > 1 and parts[1] in LAYERS:
        return LAYERS.index(parts[1])
    return TOP


def python_files(folder: str) -> list[Path]:
    return sorted(p for p in (REPO / folder).rglob("*.py") if "__pycache__" not in p.parts)


def test_every_import_in_web_points_to_its_own_layer_or_one_below():
    wrong = []
    for path in python_files("web"):
        own = layer_of(module_name(path))
        for line, target in imports(path):
            layer = layer_of(target)
            if layer is not None and layer > own:
                wrong.append(f"{path.relative_to(REPO)}:{line} imports {target}")
    assert not wrong, "imports against the layers (storage < grading < services < pages < cli):\n" + "\n".join(wrong)


@pytest.mark.parametrize("folder, forbidden", [("grader", "web"), ("bench", "tests"), ("support", "tests"),
                                               ("support", "bench")])
def test_no_import_runs_back_up(folder, forbidden):
    wrong = [f"{path.relative_to(REPO)}:{line} imports {target}"
             for path in python_files(folder) for line, target in imports(path)
             if target == forbidden or target.startswith(forbidden + ".")]
    assert not wrong, "\n".join(wrong)


def test_the_rule_test_sees_a_wrong_import():
    """The checker itself: a storage module importing upwards is caught, relative, lazy or absolute."""
    probe = REPO / "web" / "storage" / "db.py"
    source = "from ..pages import auth\ndef f():\n    from ..grading.jobs import claim\nimport web.services.exams\n"
    found = sorted(t for _, t in imports(probe, source))
    assert found == ["web.grading.jobs", "web.pages", "web.services.exams"]
    assert all(layer_of(t) > layer_of("web.storage.db") for t in found)


START_WORKER = r"""
import json, sys
from web.grading import launch

def started(app, *args, gateway=None, **kwargs):     # what run_worker gets, just before Celery takes over
    mods = sorted(m for m in sys.modules if m.split(".")[0] in ("web", "grader"))
    print(json.dumps({"modules": mods, "blueprints": sorted(app.blueprints),
                      "jinja": "jinja_env" in app.__dict__, "gateway": type(gateway).__name__,
                      "database": [k for k, v in app.config.items() if "DATABASE" in k or "postgres" in str(v)
                                   or "sqlite" in str(v)],
                      "extensions": sorted(app.extensions)}))
    raise SystemExit(0)

launch.run_worker = started
from web.cli import main
main(["worker", "--broker", "redis://127.0.0.1:1/0", "--board", "http://127.0.0.1:1", "--instance", sys.argv[1]])
"""


def test_practicum_worker_starts_without_pages_templates_catalogue_or_database(tmp_path):
    """A worker machine (`--board`, a token) loads no page, template or catalogue, no job state
    machine, and its configuration holds no database URL, even one left in its environment."""
    import os
    env = {**os.environ, "PRACTICUM_WORKER_TOKEN": "pwk_test",
           "PRACTICUM_DATABASE_URL": "postgresql+psycopg://practicum:secret@db/practicum"}
    proc = subprocess.run([sys.executable, "-c", START_WORKER, str(tmp_path / "instance")], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    web = [m for m in seen["modules"] if m.startswith("web")]
    assert not [m for m in web if m.startswith("web.pages") or m.startswith("web.services")], web
    assert seen["blueprints"] == [] and not seen["jinja"]
    assert not [m for m in web if "i18n" in m or "template" in m]
    assert "web.grading.jobs" not in web and "web.grading.direct" not in web, web
    assert seen["gateway"] == "BoardGateway"
    assert seen["database"] == [] and "sqlalchemy" not in seen["extensions"], seen
    assert len(web) * 3 <= WORKER_MODULES_BEFORE, web
