"""A candidate in real Chromium against the real board: sign in with the one-time code,
read the statements, upload, watch the status change live, read the result."""
from __future__ import annotations

import re
import time

import pytest

from .conftest import FAST_LOOP, GRADE_TIMEOUT_S, login_candidate, screenshot

pytestmark = [pytest.mark.docker, pytest.mark.slow]

# A correct `fast.py` that sleeps while it is imported: it keeps the single grading
# worker busy for a few seconds, so the next upload is visibly queued first.
SLOW_FAST = '''import time
time.sleep(6)


def smooth(values, k):
    values = list(values)
    return [sum(values[i:i + k]) / k for i in range(len(values) - k + 1)]
'''

# Installed before any page script: reports every SSE status event the page's own
# EventSource receives and every change of a status badge made in place.
WATCH = """
(() => {
  const Native = window.EventSource;
  window.EventSource = function (url, opts) {
    const es = new Native(url, opts);
    es.addEventListener("status", (ev) => { try { window.__report("sse", JSON.parse(ev.data)); } catch (e) {} });
    return es;
  };
  window.EventSource.prototype = Native.prototype;
  document.addEventListener("DOMContentLoaded", () => {
    window.__report("load", {url: location.pathname + location.search});
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target;
        if (el.dataset && el.dataset.subId && r.attributeName === "class") {
          window.__report("badge", {id: Number(el.dataset.subId), status: el.dataset.status || "",
                                    text: el.textContent});
        }
      }
    }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ["class"]});
  });
})();
"""


def watch(page) -> list[tuple[str, dict]]:
    """What `page` (not other tabs of its context) reports: [(kind, data)]."""
    seen: list[tuple[str, dict]] = []

    def report(source, kind, data):
        if source["page"] == page:
            seen.append((kind, data))
    page.context.expose_binding("__report", report)
    page.context.add_init_script(WATCH)
    return seen


def upload(page, task: str, path) -> int:
    """Choose `path` in the task's file input and press Upload; returns the submission id."""
    card = page.locator(f"#task-{task}")
    card.locator("input[type=file]").set_input_files(str(path))
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    m = re.search(r"/submissions/(\d+)\?new=1$", page.url)
    assert m, page.url
    return int(m.group(1))


def status_of(page, sid: int) -> str:
    r = page.request.get(f"/submissions/{sid}/status")
    assert r.ok, r.status
    return r.json()["status"]


CJK_FONT = re.compile(r"CJK|WenQuanYi|Source Han|Droid Sans Fallback", re.I)


def platform_fonts(page, selector: str) -> dict[str, dict]:
    """The fonts Chromium really drew the element's text with (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        return {f["familyName"]: f for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]}
    finally:
        cdp.detach()


def test_candidate_signs_in_with_code_and_reads_the_statements(new_page, board):
    number, code = board.take_candidate()
    page = new_page()
    page.goto("/")
    assert page.locator("h1").inner_text() == "考生登录"
    login_candidate(page, number, code)
    assert page.locator("h1").first.inner_text() == "演示考试：图像处理基础"
    assert page.locator(".countdown").inner_text().startswith("距结束") or "进行中" in page.locator(".countdown").inner_text()
    titles = page.locator("section.task h2").all_inner_texts()
    assert titles == ["1. 灰度化与高斯模糊", "2. 快速滑动平均", "3. 形状分类"]
    fast = page.locator("#task-fast")
    assert fast.locator("details.statement").get_attribute("open") is not None
    statement = fast.locator(".statement .md")
    assert statement.is_visible()
    assert "编写 fast.py，定义函数 smooth(values, k)" in statement.inner_text()
    assert fast.locator(".statement table").is_visible()                       # markdown tables render
    assert fast.locator("input[type=file]").get_attribute("accept") == ".py,.zip"
    assert "已提交 0 次" in fast.locator(".quota").inner_text()
    assert page.locator("#clock").inner_text() != ""
    screenshot(page, "candidate-exam")

    # the code was used up: signing in with it again is refused, in Chinese
    other = new_page()
    other.goto("/login")
    other.fill("input[name=number]", number)
    other.fill("input[name=code]", code)
    other.click("form.stack button[type=submit]")
    assert "登录码已使用过" in other.locator("p.error").inner_text()
    assert other.url.endswith("/login")


def test_upload_shows_status_live_then_the_result(new_page, board):
    # another candidate's slow submission occupies the only grading worker
    blocker = new_page()
    login_candidate(blocker, *board.take_candidate())
    slow = board.instance.parent / "fast.py"
    slow.write_text(SLOW_FAST, encoding="utf-8")
    blocker_sid = upload(blocker, "fast", slow)
    deadline = time.monotonic() + 60
    while status_of(blocker, blocker_sid) != "running":
        assert time.monotonic() < deadline, "the blocking submission never started"
        time.sleep(0.1)

    page = new_page()
    seen = watch(page)
    login_candidate(page, *board.take_candidate())
    sid = upload(page, "fast", FAST_LOOP)
    badge = page.locator(f'.receipt [data-sub-id="{sid}"]')
    assert badge.inner_text() == "排队中"                                       # queued behind the blocker
    assert "你的提交在评分队列中排第 1 位" in page.locator("#wait").inner_text()     # its place in the queue
    assert page.locator("p.success").inner_text() == "已收到你的提交，正在排队评分。"
    assert page.locator("code.sha").inner_text() and "fast_loop.py" in page.locator(".receipt").inner_text()

    # the exam page, opened in a second tab, follows the same submission in place
    tab = page.context.new_page()
    tab.goto("/exam")
    tab.evaluate("window.__stayed = true")
    latest = tab.locator(f'#task-fast .latest [data-sub-id="{sid}"]')
    assert latest.inner_text() in ("排队中", "评分中")

    # no reload, no navigation by the test from here on: the page changes by itself
    page.wait_for_selector(f'.receipt [data-sub-id="{sid}"].status-running', timeout=60_000)
    page.wait_for_selector("p.score", timeout=GRADE_TIMEOUT_S * 1000)
    assert page.locator(f'.receipt [data-sub-id="{sid}"]').inner_text() == "已评分"
    assert page.locator("p.score").inner_text().startswith("3 / 4")
    assert page.locator(".verdict").inner_text() == "部分正确"                 # 3 of 4 points
    assert page.locator("p.message").inner_text() == "2 项检查中通过 1 项。"
    rows = page.locator("table.tests tbody tr")
    assert rows.count() == 2
    assert "2 / 2" in rows.nth(0).inner_text() and "1 / 2" in rows.nth(1).inner_text()
    assert "smooth 计算的移动平均正确" in rows.nth(0).inner_text()             # the check's title in Chinese
    assert "smooth 能快速处理一百万个值" in rows.nth(1).inner_text()
    assert page.locator("p.success").inner_text() == "评分已完成。"            # no more "queued for grading"
    screenshot(page, "candidate-result")

    badge_changes = [(d["id"], d["status"]) for kind, d in seen if kind == "badge"]
    events = [(d["id"], d["status"]) for kind, d in seen if kind == "sse"]
    loads = [d["url"] for kind, d in seen if kind == "load"]
    assert (sid, "running") in badge_changes, seen                             # changed in place, live
    assert (sid, "graded") in events, seen                                     # pushed by the server
    assert loads == ["/login", "/exam", f"/submissions/{sid}?new=1", f"/submissions/{sid}?new=1"], loads
    # (sign in, exam, the upload's receipt; then one reload, by app.js when the result came)

    tab.wait_for_selector(f'#task-fast .latest [data-sub-id="{sid}"].status-graded', timeout=30_000)
    assert tab.evaluate("window.__stayed") is True                             # the exam page never reloaded
    assert tab.locator(f'#task-fast .latest [data-sub-id="{sid}"]').inner_text() == "已评分"

    blocker.wait_for_selector("p.score", timeout=GRADE_TIMEOUT_S * 1000)
    assert re.match(r"\d / 4 ", blocker.locator("p.score").inner_text())      # graded too


def test_language_switch_shows_chinese(new_page, board):
    page = new_page(locale="en-US")
    page.goto("/login")
    page.click("text=English")
    assert page.locator("h1").inner_text() == "Candidate sign-in"
    login_candidate(page, *board.take_candidate())
    assert page.locator("h1").first.inner_text() == "Demo exam: image processing basics"
    assert page.locator("#task-fast h2").inner_text() == "2. Fast moving average"
    assert page.locator("html").get_attribute("lang") == "en"

    with page.expect_navigation():
        page.click(".langs a:has-text('中文')")
    assert page.url.endswith("/exam")                                          # back where we were
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").first.inner_text() == "演示考试：图像处理基础"
    assert page.locator("#task-fast h2").inner_text() == "2. 快速滑动平均"
    assert "评分时会对 1,000,000 个数值调用" in page.locator("#task-fast .statement").inner_text()
    assert page.locator(".nav").inner_text().split() == ["考试", "我的提交"]
    assert page.locator("#task-fast button[type=submit]").inner_text() == "上传"
    assert page.locator(".langs strong").inner_text() == "中文"
    # the glyphs are really drawn with a CJK font, not as empty boxes
    fonts = platform_fonts(page, "#task-fast h2")
    assert any(f["glyphCount"] >= 6 for name, f in fonts.items() if CJK_FONT.search(name)), fonts
    page.goto("/submissions")
    assert page.locator("h1").first.inner_text() == "我的提交"


def test_a_candidate_cannot_open_another_candidates_submission(new_page, board):
    first = new_page()
    login_candidate(first, *board.take_candidate())
    sid = upload(first, "fast", FAST_LOOP)
    assert first.locator(".receipt").is_visible()

    second = new_page()
    login_candidate(second, *board.take_candidate())
    response = second.goto(f"/submissions/{sid}")
    assert response.status == 404
    assert second.locator("h1").inner_text() == "404"
    assert "页面不存在" in second.locator("main").inner_text()
    assert "fast_loop.py" not in second.content()
    assert second.request.get(f"/submissions/{sid}/status").status == 404
    second.goto("/submissions")
    assert "fast_loop.py" not in second.locator("main").inner_text()
    # the first candidate still can
    assert first.goto(f"/submissions/{sid}").status == 200
