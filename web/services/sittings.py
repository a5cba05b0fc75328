"""Certification sittings (批次): creating one, its versioned pass rule, registering people.

A sitting's practical part is an exam on the board: registering a person gives them a
candidate account on that exam (the number from the sheet's 准考证号 column, or one made
up from the sitting), so uploads, grading, the theory import and the scoreboard all
work as for any exam; the pass list reads its scores from there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ..storage.db import db
from ..storage.models import Exam, Level, PassRule, Person, Registration, Sitting, SittingStatus, User
from . import csvfile, exams, people, sheets
from .accounts import RosterConflict, import_roster
from .passrule import BadRule, Rule
from .roster import NUMBER_RE, RosterRow

SITE_RE = re.compile(r"^[A-Z0-9]{2,8}$")
NUMBER_HEADERS = {"number": {"准考证号", "考号", "考生号", "candidate number", "candidate_number", "candidate no"}}


class SittingRefused(ValueError):
    """`reason` is a short key under "cert." (pages translate it)."""

    def __init__(self, reason: str, **params):
        super().__init__(reason)
        self.reason, self.params = reason, params


@dataclass(frozen=True)
class SittingForm:
    name_zh: str
    name_en: str
    level: str
    exam_id: int
    site_code: str
    site_name: str
    starts_on: date
    ends_on: date


def create(form: SittingForm, rule: Rule, actor: str) -> Sitting:
    exam = db.session.get(Exam, form.exam_id)
    if exam is None:
        raise SittingRefused("no_exam")
    if form.level not in {lv.value for lv in Level}:
        raise SittingRefused("bad_level")
    declared = exams.package(exam).level
    if declared != form.level:
        # the package says what it examines; a sitting cannot certify another level with it
        raise SittingRefused("level_mismatch", declared=declared or "-")
    site = form.site_code.strip().upper()
    if not SITE_RE.match(site):
        raise SittingRefused("bad_site")
    if not form.name_zh.strip() or form.ends_on < form.starts_on:
        raise SittingRefused("bad_form")
    try:
        rule.check()
    except BadRule as e:
        raise SittingRefused("rule_" + e.reason) from None
    sitting = Sitting(name_zh=form.name_zh.strip()[:200], name_en=form.name_en.strip()[:200],
                      level=Level(form.level), exam_id=exam.id, site_code=site,
                      site_name=form.site_name.strip()[:200], starts_on=form.starts_on, ends_on=form.ends_on)
    db.session.add(sitting)
    db.session.flush()
    _add_rule(sitting, rule, 1, actor)
    db.session.commit()
    return sitting


def _add_rule(sitting: Sitting, rule: Rule, version: int, actor: str) -> PassRule:
    row = PassRule(sitting_id=sitting.id, version=version, theory_min=rule.theory_min,
                   practical_min=rule.practical_min, theory_weight=rule.theory_weight,
                   total_min=rule.total_min, actor=actor[:64])
    db.session.add(row)
    return row


def change_rule(sitting: Sitting, rule: Rule, actor: str) -> Rule:
    """A new version; the old ones stay (a published pass list names the one it used)."""
    if sitting.status is SittingStatus.PUBLISHED:
        raise SittingRefused("published")
    try:
        rule.check()
    except BadRule as e:
        raise SittingRefused("rule_" + e.reason) from None
    version = (db.session.scalar(select(func.max(PassRule.version)).where(PassRule.sitting_id == sitting.id))
               or 0) + 1
    _add_rule(sitting, rule, version, actor)
    db.session.commit()
    return current_rule(sitting)


def _rule(row: PassRule) -> Rule:
    return Rule(row.version, row.theory_min, row.practical_min, row.theory_weight, row.total_min)


def current_rule(sitting: Sitting) -> Rule:
    """The newest version, or after publication the one the pass list was decided by."""
    q = select(PassRule).where(PassRule.sitting_id == sitting.id)
    if sitting.rule_version is not None:
        q = q.where(PassRule.version == sitting.rule_version)
    return _rule(db.session.scalars(q.order_by(PassRule.version.desc())).first())


def rules(sitting: Sitting) -> list[Rule]:
    return [_rule(r) for r in db.session.scalars(
        select(PassRule).where(PassRule.sitting_id == sitting.id).order_by(PassRule.version))]


def all_sittings() -> list[Sitting]:
    return list(db.session.scalars(select(Sitting).order_by(Sitting.starts_on.desc(), Sitting.id.desc())))


@dataclass(frozen=True)
class Registered:
    added: int
    problems: list[people.PersonProblem]
    codes: list          # accounts.IssuedCode for new candidate accounts: shown once


def register(sitting: Sitting, data: bytes) -> Registered:
    """People from an xlsx/CSV sheet into the sitting, each with a candidate account on its
    exam. Any bad row refuses the whole sheet, every bad row named."""
    if sitting.status is SittingStatus.PUBLISHED:
        return Registered(0, [people.PersonProblem(0, "people.published")], [])
    rows, problems = people.parse(data)
    numbers = _numbers(data)
    bad = [people.PersonProblem(line, "people.bad_number", n[:64]) for line, n in numbers.items()
           if n and not NUMBER_RE.match(n)]
    if problems or bad:
        return Registered(0, sorted(problems + bad, key=lambda p: p.line), [])
    by_line = people.upsert(rows)
    existing = {r.person_id: r for r in db.session.scalars(
        select(Registration).where(Registration.sitting_id == sitting.id))}
    seq = len(existing)
    roster, regs = [], []
    for row in rows:
        person = by_line[row.line]
        reg = existing.get(person.id)
        if reg is not None and reg.candidate is not None:
            number = reg.candidate.username
        else:
            seq += 1
            number = numbers.get(row.line) or f"C{sitting.id:03d}{seq:05d}"
        roster.append(RosterRow(row.line, number, person.name, None))
        regs.append((person, reg, number))
    try:
        codes = import_roster(sitting.exam, roster)     # commits people and accounts together
    except RosterConflict as e:
        db.session.rollback()
        return Registered(0, [people.PersonProblem(0, "people.staff_number", ", ".join(e.numbers))], [])
    accounts = {c.number: c.user_id for c in codes}
    added = 0
    for person, reg, number in regs:
        if reg is None:
            uid = accounts.get(number) or db.session.scalar(select(User.id).where(User.username == number))
            db.session.add(Registration(sitting_id=sitting.id, person_id=person.id, candidate_id=uid))
            added += 1
    db.session.commit()
    return Registered(added, [], codes)


def _numbers(data: bytes) -> dict[int, str]:
    """{line: candidate number} when the sheet has a 准考证号 column; else empty."""
    out: dict[int, str] = {}
    try:
        first = True
        for line, cells in sheets.rows(data):
            if first:
                first = False
                found = csvfile.header(cells, NUMBER_HEADERS, ("number",))
                if not found:
                    return {}
                col = found["number"]
                continue
            out[line] = cells[col].strip() if col < len(cells) else ""
    except sheets.BadSheet:
        return {}
    return out


def registrations(sitting: Sitting) -> list[Registration]:
    return list(db.session.scalars(select(Registration).join(Person).where(Registration.sitting_id == sitting.id)
                                   .order_by(Person.name, Registration.id)))


def person_record(person: Person) -> list[tuple[Registration, Sitting]]:
    """Every sitting a person registered for, newest first (a person sits several levels over time)."""
    return [tuple(r) for r in db.session.execute(
        select(Registration, Sitting).join(Sitting, Sitting.id == Registration.sitting_id)
        .where(Registration.person_id == person.id).order_by(Sitting.starts_on.desc()))]
