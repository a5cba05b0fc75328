"""Certificates: numbers, verification tokens, issuing on publication, revoking.

Number scheme (documented in docs/certification.md): ``YYYY-L-SITE-NNNNNN``: the year
the sitting ends, the level's digit (1 初级, 2 中级, 3 高级), the site code, and a
6-digit serial per (year, level, site) prefix. Serials come from `CertificateSerial`,
a counter row moved by one guarded ``UPDATE ... SET last = last + n`` per publication
(a whole block at once): the row lock (PostgreSQL) or the write lock (SQLite) orders two
publishes, and the counter only ever counts up, so a number, once issued, is never
issued again — a revoked certificate keeps it. The unique constraint on the number is
the last guard.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..storage.db import db, utcnow
from ..storage.models import Certificate, CertificateSerial, Level, PassListEntry, Sitting
from . import idnumber


class CertificateRefused(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def prefix(sitting: Sitting) -> str:
    return f"{sitting.ends_on.year}-{sitting.level.code}-{sitting.site_code}"


def reserve(key: str, n: int) -> range:
    """`n` fresh serials under `key`, inside the caller's transaction."""
    if n <= 0:
        return range(0)
    try:
        with db.session.begin_nested():          # the first publication under this prefix
            db.session.add(CertificateSerial(prefix=key, last=0))
    except IntegrityError:
        pass                                       # someone made it first: count on theirs
    last = db.session.execute(update(CertificateSerial).where(CertificateSerial.prefix == key)
                              .values(last=CertificateSerial.last + n)
                              .returning(CertificateSerial.last)).scalar_one()
    return range(last - n + 1, last + 1)


def issue(sitting: Sitting, entries: list[PassListEntry]) -> list[Certificate]:
    """One certificate per passed entry (the caller commits, with the frozen pass list)."""
    key = prefix(sitting)
    certs = []
    for entry, serial in zip(entries, reserve(key, len(entries))):
        cert = Certificate(number=f"{key}-{serial:06d}", token=secrets.token_urlsafe(24),
                           sitting_id=sitting.id, person_id=entry.person_id, entry_id=entry.id,
                           holder_name=entry.name, issued_at=sitting.published_at or utcnow())
        db.session.add(cert)
        certs.append(cert)
    db.session.flush()
    return certs


def revoke(cert: Certificate, reason: str, actor: str) -> Certificate:
    """The record stays, with when, why and by whom; verification then says revoked."""
    reason = reason.strip()
    if not reason:
        raise CertificateRefused("no_reason")
    if cert.revoked_at is not None:
        raise CertificateRefused("already_revoked")
    cert.revoked_at, cert.revoked_reason, cert.revoked_by = utcnow(), reason[:2000], actor[:64]
    db.session.commit()
    return cert


def by_number(number: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.number == number.strip().upper()[:32]))


def of_sitting(sitting_id: int) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.sitting_id == sitting_id)
                                   .order_by(Certificate.number)))


@dataclass(frozen=True)
class CertificateView:
    """What a certificate shows, in both languages: the PDF and the verification answer."""
    number: str
    token: str
    holder_name: str
    masked_id: str
    level: str                # Level value
    sitting_zh: str
    sitting_en: str
    site: str
    starts_on: date
    ends_on: date
    issued_at: datetime
    theory: float | None
    practical: float | None
    total: float | None
    revoked_at: datetime | None
    revoked_reason: str | None

    @property
    def status(self) -> str:
        return "revoked" if self.revoked_at else "valid"


def view(cert: Certificate) -> CertificateView:
    sitting, entry = cert.sitting, cert.entry
    person = cert.person
    return CertificateView(
        number=cert.number, token=cert.token, holder_name=cert.holder_name,
        masked_id=idnumber.mask(person.id_number) if person.id_number else "",
        level=sitting.level.value, sitting_zh=sitting.name_zh, sitting_en=sitting.name_en or sitting.name_zh,
        site=sitting.site_name or sitting.site_code, starts_on=sitting.starts_on, ends_on=sitting.ends_on,
        issued_at=cert.issued_at, theory=entry.theory, practical=entry.practical, total=entry.total,
        revoked_at=cert.revoked_at, revoked_reason=cert.revoked_reason)


LEVEL_NAMES = {Level.BASIC.value: ("初级", "Basic"), Level.INTERMEDIATE.value: ("中级", "Intermediate"),
               Level.ADVANCED.value: ("高级", "Advanced")}


def views(sitting_id: int) -> list[CertificateView]:
    """Every certificate of a sitting, in number order, loaded in four queries whatever their count."""
    from sqlalchemy.orm import selectinload

    return [view(c) for c in db.session.scalars(
        select(Certificate).where(Certificate.sitting_id == sitting_id).order_by(Certificate.number)
        .options(selectinload(Certificate.sitting), selectinload(Certificate.entry),
                 selectinload(Certificate.person)))]
