"""The pass list of a sitting: live while the examiner reviews it, frozen once published.

Live: every registration's theory score (the exam's theory import) and practical score
(its counted results, as a percentage of the package's points), the sitting's current
pass rule applied (`passrule.decide`), and any documented exception on top. Publishing
freezes that list (scores, outcomes, the rule version, the package's sha256) and issues
the passed ones their certificates, in one transaction guarded by the sitting's status.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from ..storage.db import db, utcnow
from ..storage.models import Certificate, Outcome, PassListEntry, Registration, Sitting, SittingStatus
from . import certificates, exams, idnumber, passrule, scores, sittings
from .sittings import SittingRefused


@dataclass(frozen=True)
class ListRow:
    registration_id: int
    person_id: int
    name: str
    masked_id: str
    candidate_number: str
    theory: float | None
    practical: float | None         # of 100
    total: float | None
    rule_outcome: Outcome           # what the rule alone decides
    outcome: Outcome                # after any exception
    exception_reason: str | None
    short: tuple[str, ...] = ()
    certificate: str | None = None  # its number, once published


def live(sitting: Sitting) -> list[ListRow]:
    rule = sittings.current_rule(sitting)
    practical_max = exams.package(sitting.exam).max_score
    points = scores.counted_points(sitting.exam)
    theory = scores.theory_scores(sitting.exam_id)
    out = []
    for reg in sittings.registrations(sitting):
        cid = reg.candidate_id
        mine = points.get(cid, {})
        practical = round(100.0 * sum(p.score for p in mine.values()) / practical_max, 2) if mine else None
        th = theory.get(cid)
        decision = passrule.decide(rule, th, practical)
        outcome = reg.exception_outcome or decision.outcome
        out.append(ListRow(reg.id, reg.person_id, reg.person.name, _masked(reg.person.id_number),
                           reg.candidate.username if reg.candidate else "", th, practical, decision.total,
                           decision.outcome, outcome, reg.exception_reason if reg.exception_outcome else None,
                           decision.short))
    return out


def frozen(sitting: Sitting) -> list[ListRow]:
    numbers = dict(db.session.execute(select(Certificate.entry_id, Certificate.number)
                                      .where(Certificate.sitting_id == sitting.id)).all())
    regs = {r.id: r for r in sittings.registrations(sitting)}
    out = []
    for e in db.session.scalars(select(PassListEntry).where(PassListEntry.sitting_id == sitting.id)
                                .order_by(PassListEntry.id)):
        reg = regs.get(e.registration_id)
        out.append(ListRow(e.registration_id, e.person_id, e.name, _masked(e.person.id_number),
                           reg.candidate.username if reg and reg.candidate else "", e.theory, e.practical,
                           e.total, e.rule_outcome, e.outcome, e.exception_reason, (), numbers.get(e.id)))
    return out


def rows(sitting: Sitting) -> list[ListRow]:
    return frozen(sitting) if sitting.status is SittingStatus.PUBLISHED else live(sitting)


def _masked(value: str | None) -> str:
    return idnumber.mask(value) if value else ""


def record_exception(sitting: Sitting, registration_id: int, outcome: str | None, reason: str,
                     actor: str) -> Registration:
    """Override the rule for one person, with a written reason; `outcome` None clears it."""
    if sitting.status is SittingStatus.PUBLISHED:
        raise SittingRefused("published")
    reg = db.session.get(Registration, registration_id)
    if reg is None or reg.sitting_id != sitting.id:
        raise SittingRefused("no_registration")
    if outcome:
        if outcome not in {o.value for o in Outcome} or not reason.strip():
            raise SittingRefused("exception_reason")
        reg.exception_outcome, reg.exception_reason = Outcome(outcome), reason.strip()[:2000]
    else:
        reg.exception_outcome, reg.exception_reason = None, None
    reg.exception_by, reg.exception_at = actor[:64], utcnow()
    db.session.commit()
    return reg


@dataclass(frozen=True)
class Published:
    passed: int
    failed: int
    absent: int
    certificates: list[str]


def publish(sitting_id: int, actor: str) -> Published:
    """Freeze the pass list and issue the certificates. A second publish (twice clicked, or two
    examiners at once) is refused by the guarded UPDATE: only one transaction moves the status."""
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None:
        raise SittingRefused("no_sitting")
    if sitting.status is SittingStatus.PUBLISHED:
        raise SittingRefused("published")
    listed = live(sitting)                   # read before the lock: grading may go on meanwhile
    if not listed:
        raise SittingRefused("nobody")
    rule = sittings.current_rule(sitting)
    now = utcnow()
    moved = db.session.execute(
        update(Sitting).where(Sitting.id == sitting.id, Sitting.status == SittingStatus.OPEN)
        .values(status=SittingStatus.PUBLISHED, published_at=now, published_by=actor[:64],
                rule_version=rule.version, package_sha256=sitting.exam.package_sha256)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        db.session.rollback()
        raise SittingRefused("published")
    entries = [PassListEntry(sitting_id=sitting.id, registration_id=r.registration_id, person_id=r.person_id,
                             name=r.name, theory=r.theory, practical=r.practical, total=r.total,
                             outcome=r.outcome, rule_outcome=r.rule_outcome, exception_reason=r.exception_reason)
               for r in listed]
    db.session.add_all(entries)
    db.session.flush()
    db.session.refresh(sitting)
    certs = certificates.issue(sitting, [e for e in entries if e.outcome is Outcome.PASSED])
    db.session.commit()
    count = {o: sum(1 for e in entries if e.outcome is o) for o in Outcome}
    return Published(count[Outcome.PASSED], count[Outcome.FAILED], count[Outcome.ABSENT],
                     [c.number for c in certs])
