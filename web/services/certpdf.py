"""Certificate PDFs: an HTML/CSS template (templates/certificate.html) rendered by WeasyPrint
with the CJK font setup installs (fonts-wqy-zenhei), and a QR code of the public
verification URL (segno, as a PNG: a bitmap is what phone cameras are tuned for, and
WeasyPrint draws it much faster than an SVG of a few hundred squares).

Measured (bench/certificates.py, docs/certification.md): 100-200 ms of CPU a certificate,
so a sitting's zip renders in a pool of processes, one per core, and a large sitting's in
the background (certzip.py). The pool is spawned, not forked: the
board's threads and database connections must not be copied into the children.
"""
from __future__ import annotations

import io
import os
import threading
import zipfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import quote

from .certificates import LEVEL_NAMES, CertificateView

TEMPLATES = Path(__file__).resolve().parent / "templates"
_env = None
_fonts = threading.local()


def verify_url(base_url: str, number: str, token: str | None = None) -> str:
    """The public page for one certificate; with the token (the QR code's form) it needs no name."""
    url = f"{base_url.rstrip('/')}/verify/{quote(number)}"
    return f"{url}?t={quote(token)}" if token else url


def qr_data_uri(url: str) -> str:
    """The QR as a PNG. border=4 is the quiet zone the QR standard asks for (ISO/IEC 18004):
    with 2 modules, some detectors (OpenCV's among them) miss the finder patterns for an
    unlucky token; the template draws it `image-rendering: pixelated` so the modules stay sharp."""
    import segno

    return segno.make(url, error="m").png_data_uri(scale=6, border=4)


def html(view: CertificateView, base_url: str) -> str:
    global _env
    if _env is None:
        import jinja2

        _env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    zh, en = LEVEL_NAMES[view.level]
    return _env.get_template("certificate.html").render(
        c=view, level_zh=zh, level_en=en, qr=qr_data_uri(verify_url(base_url, view.number, view.token)),
        verify_url=verify_url(base_url, view.number), score=lambda v: "—" if v is None else f"{v:g}")


def render(view: CertificateView, base_url: str) -> bytes:
    import weasyprint   # only where a certificate is rendered: ~0.6 s to import

    fonts = getattr(_fonts, "config", None)
    if fonts is None:   # one per thread (Pango's font maps are not shared between threads): ~7 % a page
        from weasyprint.text.fonts import FontConfiguration
        fonts = _fonts.config = FontConfiguration()
    return weasyprint.HTML(string=html(view, base_url), base_url=str(TEMPLATES)).write_pdf(font_config=fonts)


def filename(view: CertificateView) -> str:
    return f"{view.number}.pdf"


def _render_chunk(args: tuple[list[CertificateView], str]) -> list[tuple[str, bytes]]:
    views, base_url = args
    return [(filename(v), render(v, base_url)) for v in views]


@dataclass(frozen=True)
class ZipStats:
    path: Path
    count: int
    size: int


def write_zip(views: list[CertificateView], base_url: str, out: Path, *, workers: int | None = None,
              chunk: int = 25, progress: Callable[[int], None] | None = None) -> ZipStats:
    """Every certificate as one PDF in a zip at `out` (written whole, then renamed into place);
    `progress(n)` after each chunk with the PDFs written so far."""
    workers = workers or min(4, os.cpu_count() or 1)
    out = Path(out)
    part = out.with_name(out.name + ".part")
    chunk = max(1, min(chunk, -(-len(views) // workers)))     # every worker busy, even for a few
    chunks = [(views[i:i + chunk], base_url) for i in range(0, len(views), chunk)]
    done = 0
    with zipfile.ZipFile(part, "w", zipfile.ZIP_STORED) as zf:   # PDFs are compressed already
        if workers <= 1 or len(chunks) <= 1:
            results = map(_render_chunk, chunks)
            pool = None
        else:
            pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"))
            results = pool.map(_render_chunk, chunks)
        try:
            for pdfs in results:
                for name, data in pdfs:
                    zf.writestr(name, data)
                done += len(pdfs)
                if progress:
                    progress(done)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
    part.replace(out)
    return ZipStats(out, len(views), out.stat().st_size)


def zip_bytes(views: list[CertificateView], base_url: str) -> bytes:
    """A small zip in memory (tests, a handful of certificates)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, data in _render_chunk((views, base_url)):
            zf.writestr(name, data)
    return buf.getvalue()
