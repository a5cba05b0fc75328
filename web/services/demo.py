"""`practicum serve --demo`: the demo exam on the board, with accounts to try it, and a
finished certification sitting (demo_sitting.py) whose certificates can be verified.

Every start gives the demo staff new passwords and the demo candidates new
one-time codes, printed once on the console: there is nothing to look up.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ..storage.db import db
from ..storage.models import Exam, Role, User
from . import demo_sitting
from .accounts import IssuedCode, import_roster
from .demo_sitting import DemoSitting
from .roster import RosterRow

STAFF = (("admin", Role.ADMIN), ("examiner", Role.EXAMINER), ("proctor", Role.PROCTOR))
CANDIDATES = (("2026001", "张伟", "A01"), ("2026002", "王芳", "A02"), ("2026003", "李娜", "A03"),
              ("2026004", "刘洋", "A04"), ("2026005", "陈静", "A05"))


@dataclass(frozen=True)
class DemoAccounts:
    staff: tuple[tuple[str, str, str], ...]     # (username, role, password)
    candidates: tuple[IssuedCode, ...]
    sitting: DemoSitting | None = None            # None when the intermediate exam is not on the board


def seed(exam_key: str, sitting_exam: str = "edge-ai-practical") -> DemoAccounts:
    """Staff accounts with fresh passwords, a roster with fresh codes, and the published demo
    sitting on `sitting_exam` when that exam is on the board (inside an app context)."""
    exam = db.session.scalar(select(Exam).where(Exam.key == exam_key))
    if exam is None:
        raise ValueError(f"no exam {exam_key!r} on the board")
    staff = []
    for username, role in STAFF:
        password = secrets.token_urlsafe(9)
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username, role=role, name=username)
            db.session.add(user)
        user.password_hash = generate_password_hash(password)
        user.active = True
        staff.append((username, role.value, password))
    db.session.commit()
    rows = [RosterRow(i + 2, number, name, seat) for i, (number, name, seat) in enumerate(CANDIDATES)]
    codes = import_roster(exam, rows, new_codes=True)
    return DemoAccounts(tuple(staff), tuple(codes), demo_sitting.seed(sitting_exam))


def banner(url: str, accounts: DemoAccounts) -> str:
    lines = ["", f"  Practicum demo board: {url}", "",
             f"  staff   ({url}login/staff)"]
    lines += [f"    {u:<10} {r:<9} password {p}" for u, r, p in accounts.staff]
    lines += ["", f"  candidates   ({url}login) — one-time codes, each works once"]
    lines += [f"    {c.number}  {c.name}  seat {c.seat}   code {c.code}" for c in accounts.candidates]
    s = accounts.sitting
    if s is not None and s.number:
        lines += ["", "  certification: a published intermediate sitting (sign in as examiner)",
                  f"    pass list      {url}staff/cert/{s.sitting_id}",
                  f"    a certificate  {url}staff/cert/certificate/{s.number}.pdf   ({s.holder})",
                  f"    verify it      {url}verify/{s.number}?t={s.token}   (no sign-in; or /verify with number + name)"]
        if s.revoked:
            lines += [f"    revoked one    {url}staff/cert/certificate/{s.revoked}.pdf"]
    lines += ["", "  Ctrl-C stops the board.", ""]
    return "\n".join(lines)
