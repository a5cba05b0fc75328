"""Certificates in real Chromium: an examiner publishes a pass list and downloads a
certificate; its PDF names the holder and the number, its QR code (decoded from the
rendered page) opens the public verification page, which says the certificate is valid
to a visitor who never signed in. And the `serve --demo` board's sitting, as a newcomer
meets it.

These boards grade nothing (`--workers 0`): the practical scores are written as the
worker writes them (tests/web/certhelp.py), so no Docker engine is needed here.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.web.certhelp import EDGE, ids, pdf_text_and_qr

from .conftest import REPO, STAFF, STAFF_PASSWORD, _cli, _pump, login_staff

pytestmark = [pytest.mark.slow]

PEOPLE = [("欧阳 娜娜", 78.0, 91.0), ("陈 小明", 66.0, 60.0), ("林 一", 59.5, 95.0)]   # the third fails theory


@dataclass
class CertBoard:
    url: str
    sitting_id: int
    process: subprocess.Popen
    log: list[str]


def _start(args: list[str], instance: Path, **env: str) -> tuple[subprocess.Popen, str, list[str]]:
    proc = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", "0",
                             "--workers", "0", "--instance", str(instance), *args],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
                            env={**os.environ, "PYTHONUNBUFFERED": "1", **env})
    log: list[str] = []
    ready, found = threading.Event(), {}
    pump = threading.Thread(target=_pump, args=(proc.stdout, log, ready, found), daemon=True)
    pump.start()
    proc.pump = pump
    ready.wait(120)
    if "url" not in found:
        _stop(proc)
        pytest.fail("the board did not start:\n" + "".join(log[-50:]), pytrace=False)
    return proc, found["url"], log


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(30)
    proc.pump.join(10)                  # it reads to the end of the output, then the pipe is closed
    proc.stdout.close()


@pytest.fixture(scope="module")
def cert_board(tmp_path_factory):
    """A board with the edge-AI exam and one open sitting: three people registered, scored."""
    from tests.web import certhelp
    from web.serve import prepare
    from web.storage.db import db
    from web.storage.models import Sitting

    instance = tmp_path_factory.mktemp("certboard") / "instance"
    app = prepare([EDGE], instance_path=instance, secure_cookies=False)
    _cli("user", "add", STAFF["examiner"], "--role", "examiner", "--password", STAFF_PASSWORD, instance=instance)
    with app.app_context():
        sid = certhelp.new_sitting()
        names = certhelp.register(sid, [(n, i) for (n, _, _), i in zip(PEOPLE, ids(len(PEOPLE), start=40))])
        exam_id = db.session.get(Sitting, sid).exam_id
        for name, th, pr in PEOPLE:
            certhelp.theory(exam_id, names[name], th)
            certhelp.practical(exam_id, names[name], pr)
        db.session.remove()
        db.engine.dispose()
    # a zip of more than one certificate is built in the background, as a large sitting's is
    proc, url, log = _start(["--exam", str(EDGE), "--insecure-cookies"], instance, PRACTICUM_CERT_ZIP_INLINE_MAX="1")
    yield CertBoard(url, sid, proc, log)
    _stop(proc)


@pytest.fixture
def browser(chromium):
    """The package's one Chromium: a second sync Playwright in the same process is refused
    ("Sync API inside the asyncio loop") once another browser test has started the first."""
    return chromium


def _page(browser, url: str):
    ctx = browser.new_context(base_url=url, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True)
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    page.on("dialog", lambda d: d.accept())         # "publish?" asked by confirm.js: yes
    return page


def _download(page, link) -> bytes:
    with page.expect_download() as info:
        link.click()
    return Path(info.value.path()).read_bytes()


def test_publish_download_scan_and_verify(cert_board, browser):
    examiner = _page(browser, cert_board.url)
    examiner.goto(f"/staff/cert/{cert_board.sitting_id}")
    login_staff(examiner, STAFF["examiner"], expect=f"**/staff/cert/{cert_board.sitting_id}")
    table = examiner.locator("main").inner_text()
    assert "欧阳 娜娜" in table and "合格" in table and "不合格" in table

    examiner.click("#publish")
    examiner.wait_for_url(re.compile(r".*published=1"))
    row = examiner.locator("tr", has_text="欧阳 娜娜")
    link = row.locator("a.cert-link")
    number = link.inner_text().strip()
    assert re.fullmatch(r"2026-2-SZ-\d{6}", number)
    assert examiner.locator("tr", has_text="林 一").locator("a.cert-link").count() == 0   # failed: no certificate

    text, qr = pdf_text_and_qr(_download(examiner, link))
    flat = text.replace("\r", "").replace("\n", "")
    assert "欧阳 娜娜" in flat and number in flat
    assert qr.startswith(f"{cert_board.url}/verify/{number}?t="), qr

    # all certificates: the link shows the background build's progress, then the download starts by itself
    numbers = sorted(f"{n}.pdf" for n in examiner.locator("a.cert-link").all_inner_texts())
    with examiner.expect_download(timeout=600_000) as info:
        examiner.locator("p.downloads a").first.click()
        assert "正在后台生成证书" in examiner.locator("#zip-state").inner_text()
    with zipfile.ZipFile(info.value.path()) as z:
        assert sorted(z.namelist()) == numbers and len(numbers) == 2
    examiner.goto(f"/staff/cert/{cert_board.sitting_id}")

    visitor = _page(browser, cert_board.url)          # its own cookies: never signed in
    visitor.goto(qr)
    assert visitor.locator("#verify-status").inner_text() == "证书有效"
    assert visitor.locator("#verify-number").inner_text() == number
    assert visitor.locator("#verify-holder").inner_text() == "欧阳 娜娜"

    # revoked on the pass list: the same QR now answers revoked, the record kept
    row.locator("input[name=reason]").fill("证件材料不符")
    row.locator("button.danger").click()
    examiner.locator("tr", has_text="欧阳 娜娜").locator(".bad-text").wait_for()
    visitor.goto(qr)
    assert visitor.locator("#verify-status").inner_text() == "证书已撤销"
    assert "证件材料不符" in visitor.locator("#verify-answer").inner_text()
    examiner.context.close()
    visitor.context.close()


def test_the_demo_board_has_a_certificate_to_open_and_verify(browser, tmp_path):
    proc, url, log = _start(["--demo"], tmp_path / "instance")
    try:
        banner = ""
        for _ in range(300):                       # the banner follows the "board on" line
            banner = "".join(log)
            if "Ctrl-C stops the board" in banner:
                break
            threading.Event().wait(0.2)
        password = re.search(r"examiner\s+examiner\s+password (\S+)", banner).group(1)
        pdf_path, holder = re.search(r"a certificate\s+\S+(/staff/cert/certificate/\S+\.pdf)\s+\((.+?)\)",
                                     banner).groups()
        verify_link = re.search(r"verify it\s+(\S+)", banner).group(1)

        visitor = _page(browser, url)
        visitor.goto(verify_link)
        assert visitor.locator("#verify-status").inner_text() == "证书有效"
        assert visitor.locator("#verify-holder").inner_text() == holder

        examiner = _page(browser, url)
        examiner.goto("/staff/cert/")
        login_staff(examiner, "examiner", password, expect="**/staff/cert/")
        examiner.locator("a", has_text="演示批次").first.click()
        link = examiner.locator(f"a.cert-link[href='{pdf_path}']")
        text, qr = pdf_text_and_qr(_download(examiner, link))
        assert holder in text.replace("\n", "").replace("\r", "") and qr == verify_link
        visitor.context.close()
        examiner.context.close()
    finally:
        _stop(proc)
