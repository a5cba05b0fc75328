"""The public certificate verification pages: `/verify` (a form), `/verify/<number>` (the
answer, for the number plus the holder's name, or the QR code's token) and
`/verify/<number>.json` (the same answer for other systems). No sign-in; slowed per address
(`throttle.py`: VERIFY_PER_ADDRESS for look-ups that find nothing, VERIFY_RATE_LIMIT for all)."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from ..services import verify

bp = Blueprint("verify", __name__, url_prefix="/verify")


def _asked() -> tuple[str, str]:
    return request.args.get("name", "").strip()[:200], request.args.get("t", "").strip()[:100]


@bp.get("/")
def form():
    number = request.args.get("number", "").strip()[:32]
    if number:
        return redirect(url_for("verify.answer", number=number.upper(), name=request.args.get("name", "")[:200]), 303)
    return render_template("verify/form.html", number="", name="", answer=None, asked=False)


@bp.get("/<number>")
def answer(number: str):
    name, token = _asked()
    found = verify.lookup(number, name=name, token=token)
    return render_template("verify/form.html", number=number[:32], name=name if not found else found.holder_name,
                           answer=found, asked=bool(name or token), token=token), 200 if found else 404


@bp.get("/<number>.json")
def answer_json(number: str):
    name, token = _asked()
    found = verify.lookup(number, name=name, token=token)
    return jsonify(verify.as_json(found)), 200 if found else 404
