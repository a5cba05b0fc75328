"""Who goes on to the national final, per division, pure.

`top`: the national top N of each division (a team tied with the N-th goes too).
`quota`: each site's best Q teams of each division by their site rank, then the national
top N of the teams left (ranked among themselves; ties at the cut go too). Only teams with a
final score are selected.
"""
from __future__ import annotations

from dataclasses import dataclass

from .awards import BadRule
from .ranking import TeamScore, changed, rank

DEFAULT = {"mode": "top", "top": 10, "quota": 0}


@dataclass(frozen=True)
class FinalistRule:
    mode: str          # "top" or "quota"
    top: int           # national top N (after the quotas in "quota" mode)
    quota: int = 0     # per site and division

    @classmethod
    def from_json(cls, data: dict | None) -> "FinalistRule":
        data = {**DEFAULT, **(data or {})}
        rule = cls(str(data["mode"]), int(data["top"]), int(data.get("quota") or 0))
        if rule.mode not in ("top", "quota") or rule.top < 0 or rule.quota < 0:
            raise BadRule("finalists: mode top or quota, with non-negative top and quota")
        return rule

    def to_json(self) -> dict:
        return {"mode": self.mode, "top": self.top, "quota": self.quota}


def select(ranked: list[TeamScore], rule: FinalistRule) -> list[TeamScore]:
    """`ranked` (one division, national ranks, each row's `extra["site_rank"]` set) with `finalist` set."""
    chosen: dict[tuple[str, str], str] = {}
    if rule.mode == "quota":
        for r in ranked:
            if r.final is not None and r.extra.get("site_rank", 0) <= rule.quota:
                chosen[(r.site, r.team_id)] = "quota"
    rest = rank([r for r in ranked if (r.site, r.team_id) not in chosen and r.final is not None])
    for r in rest:
        if r.rank <= rule.top:
            chosen[(r.site, r.team_id)] = "top"
    return [changed(r, finalist=chosen.get((r.site, r.team_id))) for r in ranked]
