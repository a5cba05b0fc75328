"""Charts as inline SVG, drawn on the server: no JavaScript, no chart library, no inline styles
(the CSP forbids them; colours come from classes in style.css)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Bar:
    label: str
    value: float          # 0..1 of the full width
    text: str             # shown at the end of the bar
    tone: str = "ok"      # ok, warn, bad: a CSS class


def tone(rate: float) -> str:
    return "ok" if rate >= 0.7 else "warn" if rate >= 0.3 else "bad"


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    return Markup(f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
                  f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
                  f"<title>{escape(title)}</title>{''.join(body)}</svg>")


LABEL_PX = 12           # .chart-label's font size in style.css
LABEL_LINES = 2         # a long check title wraps onto a second line, then ends in "…"


def text_px(text: str, size: float = LABEL_PX) -> float:
    """About how wide `text` is drawn: a Chinese (wide) character takes a whole em, a Latin
    one a little over half. Labels are laid out with this, not a character count: 34 Chinese
    characters are twice as wide as 34 Latin ones, and were cut off at the chart's left edge."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.62 for c in text)


_TOKENS = re.compile(r"\s+|[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+")


def wrap(text: str, max_px: float, lines: int = LABEL_LINES) -> list[str]:
    """`text` in at most `lines` lines no wider than `max_px`: broken between words (any two
    Chinese characters), a word too long for a line broken inside it, the last line ending
    in "…" when the text does not fit."""
    out, line = [], ""
    for token in _TOKENS.findall(text.strip()):
        if text_px(line + token) <= max_px:
            line += token
            continue
        if line.strip():
            out.append(line.rstrip())
        line = "" if token.isspace() else token
        while text_px(line) > max_px:          # a single word wider than the line
            cut = len(line)
            while cut > 1 and text_px(line[:cut]) > max_px:
                cut -= 1
            out.append(line[:cut])
            line = line[cut:]
    if line.strip():
        out.append(line.rstrip())
    if len(out) <= lines:
        return out or [""]
    last = out[lines - 1]
    while last and text_px(last + "…") > max_px:
        last = last[:-1]
    return out[: lines - 1] + [last.rstrip() + "…"]


def hbars(bars: list[Bar], title: str, *, width: int = 720, label_w: int = 300, row_h: int = 24) -> Markup:
    """Horizontal bars, one per row (pass rates), each label wrapped to fit left of its bar
    (its full text in the bar's tooltip)."""
    plot = width - label_w - 110
    line_h = LABEL_PX + 3
    body, y = [], 0.0
    for b in bars:
        lines = wrap(b.label, label_w - 12)
        h = max(row_h, len(lines) * line_h + 8)
        mid = y + h / 2
        first = mid - (len(lines) - 1) * line_h / 2 + LABEL_PX * 0.35
        spans = "".join(f'<tspan x="{label_w - 8}" y="{first + i * line_h:.1f}">{escape(line)}</tspan>'
                        for i, line in enumerate(lines))
        w = max(0.0, min(1.0, b.value)) * plot
        body.append(f'<text class="chart-label" text-anchor="end"><title>{escape(b.label)}</title>{spans}</text>'
                    f'<rect class="chart-track" x="{label_w}" y="{mid - row_h / 2 + 4:.1f}" width="{plot}" '
                    f'height="{row_h - 8}"/>'
                    f'<rect class="chart-bar tone-{escape(b.tone)}" x="{label_w}" y="{mid - row_h / 2 + 4:.1f}" '
                    f'width="{w:.1f}" height="{row_h - 8}"><title>{escape(b.label)}: {escape(b.text)}</title></rect>'
                    f'<text class="chart-value" x="{label_w + plot + 6}" y="{mid + LABEL_PX * 0.35:.1f}">'
                    f"{escape(b.text)}</text>")
        y += h
    return _svg(width, int(max(row_h, y)), title, body)


def columns(counts: list[tuple[str, int]], title: str, *, width: int = 640, height: int = 220,
            tones: list[str] | None = None, mark: float | None = None, mark_label: str = "") -> Markup:
    """Vertical columns with their labels below (a histogram). `tones`: a CSS tone per column
    (default ok); `mark`: a dashed line at that share of the axis (a threshold), with its label."""
    n = max(1, len(counts))
    top = max([c for _, c in counts] + [1])
    left, bottom, head = 36, 36, 16
    plot_w, plot_h = width - left - 8, height - bottom - head
    step = plot_w / n
    body = [f'<line class="chart-axis" x1="{left}" y1="{head + plot_h}" x2="{width - 8}" y2="{head + plot_h}"/>',
            f'<text class="chart-value" x="{left - 6}" y="{head + 4}" text-anchor="end">{top}</text>',
            f'<text class="chart-value" x="{left - 6}" y="{head + plot_h}" text-anchor="end">0</text>']
    for i, (label, count) in enumerate(counts):
        h = plot_h * count / top
        x = left + i * step
        tone_ = tones[i] if tones and i < len(tones) else "ok"
        body.append(f'<rect class="chart-bar tone-{escape(tone_)}" x="{x + 2:.1f}" y="{head + plot_h - h:.1f}" '
                    f'width="{max(1.0, step - 4):.1f}" height="{h:.1f}"><title>{escape(label)}: {count}</title></rect>')
        if count:
            body.append(f'<text class="chart-value" x="{x + step / 2:.1f}" y="{head + plot_h - h - 3:.1f}" '
                        f'text-anchor="middle">{count}</text>')
        body.append(f'<text class="chart-label small" x="{x + step / 2:.1f}" y="{height - bottom + 16}" '
                    f'text-anchor="middle">{escape(label)}</text>')
    if mark is not None:
        x = left + max(0.0, min(1.0, mark)) * plot_w
        body.append(f'<line class="chart-mark" x1="{x:.1f}" y1="{head - 4}" x2="{x:.1f}" y2="{head + plot_h}"/>'
                    f'<text class="chart-value" x="{x + 4:.1f}" y="{head + 6}">{escape(mark_label)}</text>')
    return _svg(width, height, title, body)

