"""Charts as inline SVG, drawn on the server: no JavaScript, no chart library, no inline styles
(the CSP forbids them; colours come from classes in style.css)."""
from __future__ import annotations

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


def hbars(bars: list[Bar], title: str, *, width: int = 640, label_w: int = 260, row_h: int = 24) -> Markup:
    """Horizontal bars, one per row (pass rates)."""
    plot = width - label_w - 110
    body = []
    for i, b in enumerate(bars):
        y = i * row_h
        w = max(0.0, min(1.0, b.value)) * plot
        body.append(f'<text class="chart-label" x="{label_w - 8}" y="{y + row_h * 0.68:.1f}" '
                    f'text-anchor="end">{escape(_clip(b.label, 34))}</text>'
                    f'<rect class="chart-track" x="{label_w}" y="{y + 4}" width="{plot}" height="{row_h - 8}"/>'
                    f'<rect class="chart-bar tone-{escape(b.tone)}" x="{label_w}" y="{y + 4}" '
                    f'width="{w:.1f}" height="{row_h - 8}"><title>{escape(b.label)}: {escape(b.text)}</title></rect>'
                    f'<text class="chart-value" x="{label_w + plot + 6}" y="{y + row_h * 0.68:.1f}">'
                    f"{escape(b.text)}</text>")
    return _svg(width, max(row_h, len(bars) * row_h), title, body)


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


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
