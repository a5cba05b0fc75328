"""A sitting's pass rule, applied: per-part minimums and/or a weighted total with a cut-off.

Pure: scores in, a decision out. Scores are out of 100. A part's score is compared as
recorded (59.5 and 59.999 are below a minimum of 60: nothing rounds a score up into a
pass); the weighted total is computed, so it is rounded to two decimals first
(0.3 × 60 + 0.7 × 60 is 60.000000000000004 in floating point) and compared at that. A missing part (theory not imported, nothing
handed in for the practical) is *absent*, never a silent 0.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..storage.models import Outcome


class BadRule(ValueError):
    """`reason` is a short key under "cert.rule_" (pages translate it)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Rule:
    version: int
    theory_min: float | None         # of 100; None: no minimum
    practical_min: float | None
    theory_weight: int               # % of the total that is theory
    total_min: float | None          # cut-off on the weighted total

    def check(self) -> "Rule":
        for value in (self.theory_min, self.practical_min, self.total_min):
            if value is not None and not 0 <= value <= 100:
                raise BadRule("range")
        if not 0 <= self.theory_weight <= 100:
            raise BadRule("weight")
        if self.theory_min is None and self.practical_min is None and self.total_min is None:
            raise BadRule("empty")
        return self

    def describe(self, lang: str) -> str:
        zh = lang == "zh"
        parts = []
        if self.theory_min is not None:
            parts.append(f"理论 ≥ {self.theory_min:g}" if zh else f"theory ≥ {self.theory_min:g}")
        if self.practical_min is not None:
            parts.append(f"实操 ≥ {self.practical_min:g}" if zh else f"practical ≥ {self.practical_min:g}")
        if self.total_min is not None:
            w = f"{self.theory_weight}% / {100 - self.theory_weight}%"
            parts.append(f"总分（理论/实操 {w}）≥ {self.total_min:g}" if zh
                         else f"total (theory/practical {w}) ≥ {self.total_min:g}")
        joined = "，且 ".join(parts) if zh else ", and ".join(parts)
        return (f"第 {self.version} 版：" if zh else f"version {self.version}: ") + joined


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    total: float | None
    short: tuple[str, ...] = ()      # the parts below their minimum: theory, practical, total


def total(rule: Rule, theory: float | None, practical: float | None) -> float | None:
    if theory is None or practical is None:
        return None
    return round(theory * rule.theory_weight / 100 + practical * (100 - rule.theory_weight) / 100, 2)


def decide(rule: Rule, theory: float | None, practical: float | None) -> Decision:
    """Both parts are needed whatever the rule: a certificate says the holder sat both."""
    if theory is None or practical is None:
        return Decision(Outcome.ABSENT, None, tuple(p for p, v in (("theory", theory), ("practical", practical))
                                                     if v is None))
    tot = total(rule, theory, practical)
    short = tuple(part for part, value, minimum in (
        ("theory", theory, rule.theory_min), ("practical", practical, rule.practical_min),
        ("total", tot, rule.total_min)) if minimum is not None and value < minimum)
    return Decision(Outcome.FAILED if short else Outcome.PASSED, tot, short)
