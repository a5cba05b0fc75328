"""Task statements: Markdown to HTML without raw HTML or script links.

Statements are the examiners' text, but they reach every candidate's browser,
so raw HTML is shown as text and links or images may only point to http(s),
mailto or relative addresses.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import markdown
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

SAFE_SCHEMES = {"", "http", "https", "mailto"}
EXTENSIONS = ["tables", "fenced_code", "sane_lists"]


class _SafeLinks(Treeprocessor):
    def run(self, root):
        for el in root.iter():
            for attr in ("href", "src"):
                value = el.get(attr)
                if value is not None and not _safe_url(value):
                    el.set(attr, "#")
            if el.tag == "a" and urlsplit(el.get("href", "")).scheme in ("http", "https"):
                el.set("rel", "noopener noreferrer")
        return None


def _safe_url(url: str) -> bool:
    cleaned = "".join(ch for ch in url if ch > " ").lower()
    try:
        return urlsplit(cleaned).scheme in SAFE_SCHEMES
    except ValueError:
        return False


def render(text: str) -> Markup:
    md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)
    return Markup(md.convert(text or ""))
