"""Cookies, headers, statements without raw HTML, upload names made harmless."""
from __future__ import annotations

from web.services.statements import render
from web.storage.content import safe_filename


def test_session_cookie_is_secure_httponly_samesite(browser, codes):
    r = browser.login_candidate("2024001", codes["2024001"])
    cookie = r.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_security_headers(browser):
    r = browser.get("/login")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Cache-Control"] == "no-store"
    static = browser.get("/static/style.css")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_pages_use_no_external_resources(candidate):
    html = candidate.get("/exam").get_data(as_text=True)
    assert "http://" not in html.replace("http://localhost", "") and "https://" not in html
    assert "<script>" not in html                                  # no inline scripts (CSP)


def test_statements_show_raw_html_as_text_and_drop_script_links():
    html = str(render("<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](https://example.org)\n\n"
                      "| a |\n|---|\n| 1 |\n"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="#"' in html and 'href="https://example.org"' in html and "<table>" in html


def test_safe_filename():
    assert safe_filename("C:\\fakepath\\答案 (1).py") == "答案 (1).py"
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("..") == "upload" and safe_filename("", "f.py") == "f.py"
    assert safe_filename("a\x00b|c.ipynb") == "a_b_c.ipynb"
    long = safe_filename("x" * 500 + ".ipynb")
    assert len(long) <= 120 and long.endswith(".ipynb")
