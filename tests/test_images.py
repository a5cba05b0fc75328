"""The sandbox image: named by its inputs, built offline, and what it holds."""
from __future__ import annotations

import shutil
import time

import pytest

from grader import images, sandbox
from grader.errors import ImageMissing
from grader.models import Limits
from grader.tryout import run_script

from .conftest import REPO


def copy_definitions(tmp_path):
    shutil.copytree(REPO / "sandbox_images", tmp_path / "sandbox_images",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
    return tmp_path / "sandbox_images"


def test_tag_is_stable_and_follows_the_inputs(tmp_path, monkeypatch):
    defs = copy_definitions(tmp_path)
    monkeypatch.setenv("PRACTICUM_IMAGES_DIR", str(defs))
    first = images.image_tag("default")
    assert images.image_tag("default") == first
    with open(defs / "default" / "requirements.txt", "a") as fh:
        fh.write("\n# a comment is an input too\n")
    assert images.image_tag("default") != first


def test_tag_ignores_caches_and_tests_of_local_packages(tmp_path, monkeypatch):
    defs = copy_definitions(tmp_path)
    monkeypatch.setenv("PRACTICUM_IMAGES_DIR", str(defs))
    first = images.image_tag("default")
    for pkg in images.local_packages("default"):
        (pkg / "tests").mkdir(exist_ok=True)
        (pkg / "tests" / "test_new.py").write_text("def test(): pass\n")
        (pkg / "__pycache__").mkdir(exist_ok=True)
        (pkg / "__pycache__" / "x.pyc").write_bytes(b"0")
    assert images.image_tag("default") == first


@pytest.mark.docker
def test_a_changed_definition_is_reported_missing_with_the_build_command(tmp_path, monkeypatch,
                                                                          image_tag):
    defs = copy_definitions(tmp_path)
    monkeypatch.setenv("PRACTICUM_IMAGES_DIR", str(defs))
    with open(defs / "default" / "image.toml", "a") as fh:
        fh.write("\n# changed, never built\n")
    with pytest.raises(ImageMissing) as err:
        images.ensure_image(sandbox.get_client(), "default")
    assert err.value.image == images.image_tag("default") != image_tag
    assert "practicum image build default" in str(err.value)


@pytest.mark.docker
def test_image_config_suits_a_read_only_root(image_tag):
    config = sandbox.get_client().images.get(image_tag).attrs["Config"]
    env = dict(item.split("=", 1) for item in config["Env"])
    assert config["User"] == "65534:65534" and config["WorkingDir"] == "/tmp"
    assert env["HOME"] == "/tmp" and env["QT_QPA_PLATFORM"] == "offscreen"
    assert env["LANG"] == "C.UTF-8" and env["MPLCONFIGDIR"].startswith("/tmp/")
    assert config["Labels"]["practicum.hash"] == image_tag.rsplit(":", 1)[1]


@pytest.mark.docker
def test_up_to_date_build_is_a_no_op(image_tag):
    t0 = time.monotonic()
    assert images.build_image("default", progress=lambda s: None) == image_tag
    assert time.monotonic() - t0 < 10


@pytest.mark.docker
def test_image_runs_as_nobody_with_the_exam_stack(image_tag, tmp_path):
    script = tmp_path / "probe.py"
    script.write_text('''
import os, subprocess
import numpy, cv2, onnxruntime, nbclient, ipykernel, pytest, sklearn, skl2onnx, PIL
from PySide6.QtWidgets import QApplication, QLabel
print("uid", os.getuid(), "home", os.environ["HOME"], "qpa", os.environ["QT_QPA_PLATFORM"])
print("cv2", cv2.__version__.split(".")[0], os.path.isdir(cv2.data.haarcascades))
app = QApplication([])
label = QLabel("考试 exam")
label.resize(120, 40)
print("png", label.grab().save("/out/work/label.png", "PNG"))
fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
print("cjk", bool(fonts.strip()))
''')
    res = run_script(script, image=image_tag, limits=Limits(wall_s=60, memory_mb=1024))
    assert res.verdict.value == "ok", res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "uid 65534 home /tmp qpa offscreen"
    assert lines[1] == "cv2 4 True"
    assert lines[2] == "png True"
    assert lines[3] == "cjk True"
