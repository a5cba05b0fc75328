"""Fixtures for the browser tests: the real board in a subprocess, real headless Chromium.

The board runs exactly as an operator starts it (`python -m web.cli serve`)
on 127.0.0.1 with a temporary instance folder, the demo exam, staff accounts
made with `practicum user add`, a small roster and the embedded worker pool
grading with the real Docker engine. Chromium is Debian's (/usr/bin/chromium),
driven by Playwright for Python; no browser is ever downloaded.

Skipped (with the reason) only when /usr/bin/chromium is absent; a missing
Playwright, Docker engine or sandbox image is a failure.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "exams" / "demo"
FAST_LOOP = REPO / "reference_solutions" / "demo" / "fast_loop.py"
SCREENSHOTS = REPO / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
STAFF_PASSWORD = "correct horse battery"
STAFF = {"admin": "admin1", "examiner": "examiner1", "proctor": "proctor1"}
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周婷", "吴杰", "徐丽", "孙浩",
         "马超", "朱琳", "胡斌", "郭欣", "何宁", "高洁", "林涛", "罗敏", "郑凯", "梁雪", "谢阳", "宋佳",
         "唐宇", "许晴", "韩冰", "冯磊", "邓婷", "曹阳", "彭飞", "曾敏", "肖楠", "田甜", "董浩", "袁媛"]
CANDIDATES = [f"2024{n:03d}" for n in range(1, len(NAMES) + 1)]      # each test signs in fresh ones
WORKERS = 1          # one grading thread: a slow job in front makes "queued" observable
GRADE_TIMEOUT_S = 180.0


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is absent: apt-get install -y chromium fonts-noto-cjk")
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(here):
            item.add_marker(skip)


# ----------------------------------------------------------------- the board

@dataclass
class Board:
    url: str
    instance: Path
    process: subprocess.Popen
    exam_id: int
    codes: dict[str, str]                      # candidate number -> one-time code (unused so far)
    log: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take_candidate(self) -> tuple[str, str]:
        """A candidate who has not signed in yet: (number, code). Codes are single use."""
        with self._lock:
            number = next(iter(self.codes))
            return number, self.codes.pop(number)

    def log_text(self) -> str:
        return "".join(self.log[-200:])


def _cli(*args: str, instance: Path) -> None:
    subprocess.run([sys.executable, "-m", "web.cli", *args, "--instance", str(instance)],
                   cwd=REPO, check=True, capture_output=True, text=True, timeout=120)


def _prepare(instance: Path) -> tuple[int, dict[str, str]]:
    """Migrate, register the demo exam, add staff (through the CLI) and a roster."""
    from web.services import accounts
    from web.storage.db import db
    from web.services.roster import RosterRow
    from web.serve import prepare

    app = prepare([DEMO], instance_path=instance, secure_cookies=False)
    for role, username in STAFF.items():
        _cli("user", "add", username, "--role", role, "--password", STAFF_PASSWORD, instance=instance)
    rows = [RosterRow(i + 1, n, NAMES[i], f"A{i + 1:02d}") for i, n in enumerate(CANDIDATES)]
    with app.app_context():
        from web.storage.models import Exam
        exam = db.session.scalars(db.select(Exam)).one()
        codes = {c.number: c.code for c in accounts.import_roster(exam, rows)}
        exam_id = exam.id
        db.session.remove()
        db.engine.dispose()
    return exam_id, codes


def _pump(stream, sink: list[str], ready: threading.Event, found: dict) -> None:
    for line in stream:
        sink.append(line)
        m = re.search(r"practicum board on (http://127\.0\.0\.1:\d+)/", line)
        if m and not ready.is_set():
            found["url"] = m.group(1)
            ready.set()
    ready.set()


@pytest.fixture(scope="package")
def board(tmp_path_factory) -> Board:
    """The running board, shared by the browser tests (each signs in fresh candidates)."""
    from grader import images, sandbox
    from grader.errors import PracticumError

    try:
        images.ensure_image(sandbox.get_client(), "default")
    except PracticumError as exc:
        pytest.fail(f"the browser tests need the real engine and image: {exc}", pytrace=False)
    instance = tmp_path_factory.mktemp("board") / "instance"
    exam_id, codes = _prepare(instance)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", "0",
         "--exam", str(DEMO), "--workers", str(WORKERS), "--insecure-cookies", "--instance", str(instance)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    log: list[str] = []
    ready, found = threading.Event(), {}
    pump = threading.Thread(target=_pump, args=(proc.stdout, log, ready, found), daemon=True)
    pump.start()
    ready.wait(120)
    if "url" not in found:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        pytest.fail("the board did not start:\n" + "".join(log[-50:]), pytrace=False)
    url = found["url"]
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/login", timeout=5).read()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    b = Board(url=url, instance=instance, process=proc, exam_id=exam_id, codes=codes, log=log)
    yield b
    proc.send_signal(signal.SIGINT)             # KeyboardInterrupt: the pool stops, sandboxes are removed
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.terminate()
        proc.wait(30)
    pump.join(10)
    proc.stdout.close()
    _assert_no_sandboxes_left(proc.pid)


def _assert_no_sandboxes_left(pid: int) -> None:
    from grader import sandbox

    client = sandbox.get_client()
    left = [c for c in client.containers.list(all=True, filters={"label": sandbox.LABEL})
            if c.labels.get(sandbox.OWNER_LABEL, "").endswith(f":{pid}")]
    assert not left, f"the board left sandboxes behind: {[c.short_id for c in left]}"


# ------------------------------------------------------------------- Chromium

@pytest.fixture(scope="package")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need Playwright for Python: pip install playwright "
                    "(never `playwright install`: Debian's /usr/bin/chromium is used)", pytrace=False)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, board):
    """new_page(locale="zh-CN") -> a Page in its own browser context (own cookies)."""
    contexts = []

    def make(locale: str = "zh-CN", *, javascript: bool = True, answer: bool = True):
        """`javascript=False`: a browser without scripts (the server's confirmation pages).
        `answer`: what the staff member says to a confirmation dialog; every question asked
        is kept in `page.dialogs`."""
        ctx = chromium.new_context(base_url=board.url, locale=locale, timezone_id="Asia/Shanghai",
                                   viewport={"width": 1280, "height": 900}, device_scale_factor=1,
                                   java_script_enabled=javascript)
        ctx.set_default_timeout(20_000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.dialogs = []

        def on_dialog(dialog):
            page.dialogs.append(dialog.message)
            dialog.accept() if answer else dialog.dismiss()
        page.on("dialog", on_dialog)
        return page

    errors: list[str] = []
    yield make
    for ctx in contexts:
        ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


# ------------------------------------------------------------------- helpers

def login_candidate(page, number: str, code: str) -> None:
    page.goto("/login")
    page.fill("input[name=number]", number)
    page.fill("input[name=code]", code)
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/exam")


def login_staff(page, username: str, password: str = STAFF_PASSWORD, *, expect: str | None = None) -> None:
    if "/login/staff" not in page.url:
        page.goto("/login/staff")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    if expect:
        page.wait_for_url(expect)


def staff_page(new_page, role: str = "examiner"):
    """A new page signed in with that staff role's account."""
    page = new_page()
    page.goto("/login/staff")
    login_staff(page, STAFF[role])
    return page


def upload_from_exam_page(page, task: str, path) -> int:
    """Open the exam page, choose `path` for the task and press Upload: the submission id."""
    page.goto("/exam")
    card = page.locator(f"#task-{task}")
    card.locator("input[type=file]").set_input_files(str(path))
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    m = re.search(r"/submissions/(\d+)", page.url)
    assert m, page.url
    return int(m.group(1))


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(path), full_page=full_page)
    return path
