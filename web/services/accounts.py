"""Accounts: staff passwords, candidates' one-time login codes, roster import."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..storage.db import db, utcnow
from ..storage.models import STAFF_ROLES, Exam, Role, User
from .roster import RosterRow

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I
CODE_LENGTH = 8
# Codes are random (40 bits) and single use; a lighter hash keeps a 500-seat import quick.
CODE_HASH = "pbkdf2:sha256:20000"
MIN_PASSWORD = 10
_DUMMY = generate_password_hash("not-a-code", method=CODE_HASH)


@dataclass(frozen=True)
class IssuedCode:
    user_id: int
    number: str
    name: str
    seat: str | None
    code: str          # shown once, never stored


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def issue_code(user: User) -> str:
    """A fresh one-time code for `user`; ends the sessions they had (no commit)."""
    code = new_code()
    user.code_hash = generate_password_hash(normalize_code(code), method=CODE_HASH)
    user.code_issued_at = utcnow()
    user.session_version += 1
    return code


def consume_code(number: str, code: str) -> User | None:
    """The candidate, if `code` is their current code; the code is then used up (atomically)."""
    user = db.session.scalar(select(User).where(User.username == number.strip(),
                                                User.role == Role.CANDIDATE, User.active.is_(True)))
    if user is None or not user.code_hash:
        check_password_hash(_DUMMY, normalize_code(code))   # same time either way
        return None
    if not check_password_hash(user.code_hash, normalize_code(code)):
        return None
    used = db.session.execute(
        update(User).where(User.id == user.id, User.code_hash == user.code_hash)
        .values(code_hash=None, last_login_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.commit()
    if not used:
        return None
    db.session.refresh(user)
    return user


def credential_version(username: str) -> int | None:
    """The account's `session_version`, which a new code or password bumps; None: no such account.
    The sign-in throttle keys an account's failures by it, so new credentials start afresh."""
    return db.session.scalar(select(User.session_version).where(User.username == username.strip()))


def set_password(user: User, password: str) -> None:
    """A new staff password (a reset): ends the user's sessions and their failed sign-ins count."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")
    user.password_hash = generate_password_hash(password)
    user.session_version += 1
    db.session.commit()


def check_password(username: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.username == username.strip(), User.active.is_(True)))
    if user is None or user.role not in STAFF_ROLES or not user.password_hash:
        check_password_hash(_DUMMY, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def create_staff(username: str, password: str, role: Role | str) -> User:
    role = Role(role)
    if role not in STAFF_ROLES:
        raise ValueError(f"staff role must be one of {sorted(r.value for r in STAFF_ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")
    if db.session.scalar(select(User).where(User.username == username)):
        raise ValueError(f"the user {username} exists already")
    user = User(username=username, role=role, name=username, password_hash=generate_password_hash(password))
    db.session.add(user)
    db.session.commit()
    return user


class RosterConflict(ValueError):
    def __init__(self, numbers: list[str]):
        self.numbers = numbers
        super().__init__(", ".join(numbers))


def import_roster(exam: Exam, rows: list[RosterRow], *, new_codes: bool = False) -> list[IssuedCode]:
    """Add or update the candidates of `exam`; new candidates (all with `new_codes`) get a
    one-time code, returned here and nowhere else."""
    existing = {u.username: u for u in db.session.scalars(
        select(User).where(User.username.in_([r.number for r in rows])))}
    staff = sorted(n for n, u in existing.items() if u.role is not Role.CANDIDATE)
    if staff:
        raise RosterConflict(staff)
    issued: list[tuple[User, str]] = []
    for row in rows:
        user = existing.get(row.number)
        if user is None:
            user = User(username=row.number, role=Role.CANDIDATE, session_version=0)
            db.session.add(user)
        user.name, user.seat, user.exam_id, user.active = row.name, row.seat, exam.id, True
        if user.id is None or new_codes:
            issued.append((user, issue_code(user)))
    db.session.commit()
    return [IssuedCode(u.id, u.username, u.name, u.seat, code) for u, code in issued]


def candidates(exam_id: int | None = None) -> list[User]:
    q = select(User).where(User.role == Role.CANDIDATE).order_by(User.username)
    if exam_id:
        q = q.where(User.exam_id == exam_id)
    return list(db.session.scalars(q))
