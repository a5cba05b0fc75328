"""Creating a competition on a board and changing its settings: checked here, once, so a
bad rule never reaches a ranking."""
from __future__ import annotations

import re

from sqlalchemy import select

from ...storage.db import db
from ...storage.models import Competition, Exam, Stage
from .awards import AwardRule, BadRule
from .finalists import FinalistRule
from .ranking import THEORY_RULES

KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,63}$")


def create(key: str, *, exam: Exam | None, site: str = "", stage: Stage | str = Stage.PRELIMINARY,
           title_zh: str = "", title_en: str = "", team_min: int = 1, team_max: int = 3,
           theory_rule: str = "mean", theory_weight: int = 30, award_rule: dict | None = None,
           finalist_rule: dict | None = None, exam_sha256: str | None = None,
           practical_max: float | None = None) -> Competition:
    """A site board's competition (`site` and `exam` given) or the national board's (`site` empty:
    `exam_sha256` names the exam package every site must have run)."""
    if not KEY_RE.match(key) or (site and not KEY_RE.match(site)):
        raise BadRule("competition and site keys: letters, digits, - and _ (at most 63)")
    if db.session.scalar(select(Competition).where(Competition.key == key)):
        raise BadRule(f"the competition {key} exists already on this board")
    if site and exam is None:
        raise BadRule("a site's competition runs on an exam of this board (--exam)")
    if not 1 <= team_min <= team_max:
        raise BadRule("team sizes: 1 <= min <= max")
    if theory_rule not in THEORY_RULES:
        raise BadRule(f"theory rule must be one of {sorted(THEORY_RULES)}")
    if not 0 <= theory_weight <= 100:
        raise BadRule("the theory weight is a percentage (0-100)")
    row = Competition(key=key, site=site, stage=Stage(stage), exam=exam, title_zh=title_zh, title_en=title_en,
                      team_min=team_min, team_max=team_max, theory_rule=theory_rule, theory_weight=theory_weight,
                      awards=AwardRule.from_json(award_rule).to_json(),
                      finalists=FinalistRule.from_json(finalist_rule).to_json(),
                      exam_sha256=exam_sha256 or (exam.package_sha256 if exam else None),
                      practical_max=practical_max)
    if exam is not None:
        exam.theory_weight = theory_weight     # the single-candidate board weighs alike
    db.session.add(row)
    db.session.commit()
    return row


def by_key(key: str) -> Competition | None:
    return db.session.scalar(select(Competition).where(Competition.key == key))


def all_competitions() -> list[Competition]:
    return list(db.session.scalars(select(Competition).order_by(Competition.key)))
