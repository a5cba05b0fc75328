"""Awards per division (一/二/三等奖), pure: by ratio of the ranked teams or by count.

Ratio: tier k goes to the teams ranked within floor(n × (r1 + … + rk) / 100), n being the
division's teams with a final score. Count: within c1 + … + ck. A team tied with the last
team inside a cut shares its rank and so its prize: ties at a cut-off all take the higher
prize, which can award more than the ratio, and the next prize's cut stays where it was (its
tier then has fewer teams). Computed from the unfrozen board.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from .ranking import TeamScore, changed

MODES = ("ratio", "count")
DEFAULT = {"mode": "ratio", "tiers": [10, 20, 30]}


class BadRule(ValueError):
    pass


@dataclass(frozen=True)
class AwardRule:
    mode: str
    tiers: tuple[float, ...]        # first, second, third: percent (ratio) or teams (count)

    @classmethod
    def from_json(cls, data: dict | None) -> "AwardRule":
        data = data or DEFAULT
        rule = cls(str(data.get("mode", "ratio")), tuple(float(x) for x in data.get("tiers", ())))
        rule.check()
        return rule

    def to_json(self) -> dict:
        return {"mode": self.mode, "tiers": [int(x) if float(x).is_integer() else x for x in self.tiers]}

    def check(self) -> None:
        if self.mode not in MODES:
            raise BadRule(f"award mode must be one of {MODES}, not {self.mode!r}")
        if not self.tiers or len(self.tiers) > 3 or any(x < 0 for x in self.tiers):
            raise BadRule("awards need one to three non-negative tiers")
        if self.mode == "ratio" and sum(self.tiers) > 100:
            raise BadRule("award ratios add up to more than 100 %")
        if self.mode == "count" and any(not float(x).is_integer() for x in self.tiers):
            raise BadRule("award counts must be whole numbers")

    def cuts(self, n: int) -> list[int]:
        """The cumulative rank cut of each tier for n ranked teams."""
        out, total = [], Fraction(0)
        for x in self.tiers:
            total += Fraction(str(x))
            out.append(math.floor(n * total / 100) if self.mode == "ratio" else int(total))
        return out


def assign(ranked: list[TeamScore], rule: AwardRule) -> list[TeamScore]:
    """`ranked` (one division, best first, shared ranks) with each team's award set."""
    eligible = [r for r in ranked if r.final is not None]
    cuts = rule.cuts(len(eligible))
    out = []
    for r in ranked:
        tier = None
        if r.final is not None:
            tier = next((k for k, cut in enumerate(cuts, 1) if r.rank <= cut), None)
        out.append(changed(r, award=tier))
    return out
