"""The sign-in throttle seen by a proctor in real Chromium: a guesser (plain HTTP from its own
loopback address, 127.0.0.2, so the browsers' 127.0.0.1 that every other test signs in from
never gets a failure) types wrong codes for a candidate until its address waits; the candidate
list shows the account's failures and the waiting address, the proctor clears both through
the confirmation dialogs, and the right code from that address then signs in."""
from __future__ import annotations

import http.client
import re
import urllib.parse

from .conftest import screenshot, staff_page

GUESSER = "127.0.0.2"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Guesser:
    """A sign-in form filled from 127.0.0.2, its session cookie kept."""

    def __init__(self, board_url: str) -> None:
        self.host, self.port = urllib.parse.urlsplit(board_url).hostname, urllib.parse.urlsplit(board_url).port
        self.cookie = ""

    def _request(self, method: str, path: str, body: str | None = None) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30, source_address=(GUESSER, 0))
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.text = response.read().decode()
        if cookie := response.getheader("Set-Cookie"):
            self.cookie = cookie.split(";", 1)[0]
        conn.close()
        return response

    def sign_in(self, number: str, code: str) -> http.client.HTTPResponse:
        token = TOKEN.search(self._request("GET", "/login").text).group(1)
        form = urllib.parse.urlencode({"number": number, "code": code, "csrf_token": token})
        return self._request("POST", "/login", form)


def test_the_proctor_clears_a_guessed_account_and_the_guessing_address(new_page, board):
    number, code = board.take_candidate()
    guesser = Guesser(board.url)
    statuses = [guesser.sign_in(number, "WRNG-CODE").status for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    refused = guesser.sign_in(number, code)
    assert refused.status == 429 and "从这台电脑登录失败的次数过多" in refused.text   # the right code waits too

    proctor = staff_page(new_page, "proctor")
    proctor.goto("/staff/")
    row = proctor.locator("tr", has=proctor.locator(f'td:text-is("{number}")'))
    assert "登录失败 5 次" in row.inner_text()
    waiting = proctor.locator("#throttled-addresses tr", has_text=GUESSER)
    assert "登录失败 5 次" in waiting.inner_text()
    screenshot(proctor, "staff-candidates-throttled")

    with proctor.expect_navigation():
        waiting.locator("button").click()
    assert proctor.dialogs[-1].startswith(f"清除来自地址 {GUESSER} 的登录失败记录")
    assert proctor.locator("#throttled-addresses tr", has_text=GUESSER).count() == 0
    with proctor.expect_navigation():
        row.locator("button", has_text="清除登录失败记录").click()
    assert proctor.dialogs[-1].startswith(f"清除考生 {number}")
    assert "登录失败" not in proctor.locator("tr", has=proctor.locator(f'td:text-is("{number}")')).inner_text()

    signed_in = guesser.sign_in(number, code)
    assert signed_in.status == 302 and signed_in.getheader("Location").endswith("/exam")
