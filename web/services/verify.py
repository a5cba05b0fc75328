"""Public certificate verification: the answer anyone may have, without signing in.

A number alone answers nothing: it takes the holder's name too (numbers are sequential,
so a number alone would let anyone walk the whole register), or the random token the
certificate's QR code carries. An unknown number and a wrong name give the same
answer, so the page cannot be used to learn which numbers exist.
"""
from __future__ import annotations

import hmac
import unicodedata

from . import certificates
from .certificates import LEVEL_NAMES, CertificateView


def _norm(name: str) -> str:
    """Names as people type them: full-width forms folded, spaces and the middle dot ignored, any case."""
    text = unicodedata.normalize("NFKC", name or "")
    return "".join(ch for ch in text if not ch.isspace() and ch not in "·・.").casefold()


def lookup(number: str, *, name: str = "", token: str = "") -> CertificateView | None:
    cert = certificates.by_number(number or "")
    if cert is None:
        return None
    if token and hmac.compare_digest(token.encode(), cert.token.encode()):
        return certificates.view(cert)
    if name and _norm(name) == _norm(cert.holder_name):
        return certificates.view(cert)
    return None


def as_json(view: CertificateView | None) -> dict:
    if view is None:
        return {"found": False}
    zh, en = LEVEL_NAMES[view.level]
    return {"found": True, "number": view.number, "status": view.status, "holder_name": view.holder_name,
            "id_number": view.masked_id, "level": view.level, "level_zh": zh, "level_en": en,
            "sitting": {"zh": view.sitting_zh, "en": view.sitting_en, "site": view.site,
                        "starts_on": view.starts_on.isoformat(), "ends_on": view.ends_on.isoformat()},
            "issued_on": view.issued_at.date().isoformat(),
            "revoked_on": view.revoked_at.date().isoformat() if view.revoked_at else None,
            "revoked_reason": view.revoked_reason}
