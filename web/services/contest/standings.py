"""A site's team standings from its database: each team's counted result per task, its
members' theory, the final score, ranks per division and overall, and awards.

A team's counted result of a task is chosen by the exam's counting rule (last graded, best,
before the deadline: `web.services.counting`) over every member's submissions of it, as if
the team were one candidate. A handful of queries whatever the number of teams.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...storage.db import db
from ...storage.models import Competition, Submission, Team, TeamMember, TheoryScore
from .. import counting
from . import awards
from .ranking import Counted, Member, TeamScore, by_division, final_score, percent, rank, team_theory


def _counted(competition: Competition, team_of: dict[int, int], frozen_at: datetime | None = None,
             visible_only: bool = False) -> dict[int, list[Counted]]:
    """{team id: [Counted per task]}: the exam's counting rule (`web.services.counting`) applied
    to each team's contenders together, whichever member handed them in. `frozen_at`: only what
    was handed in by then (the public board while frozen); `visible_only`: the points of
    `visible` tests alone (the public board before the results are published)."""
    exam = competition.exam
    pools: dict[tuple[int, str], list[counting.Graded]] = defaultdict(list)
    for g in counting.contenders(exam.id):
        if g.candidate_id in team_of and (frozen_at is None or g.created_at <= frozen_at):
            if visible_only:
                g = replace(g, score=g.visible)
            pools[(team_of[g.candidate_id], g.task_id)].append(g)
    until = counting.deadline(exam)
    picks = {key: counting.choose(counting.policy_for(exam, key[1]), pool, until) for key, pool in pools.items()}
    picks = {k: g for k, g in picks.items() if g is not None}
    sha = dict(db.session.execute(select(Submission.id, Submission.sha256).where(
        Submission.id.in_([g.submission_id for g in picks.values()]))).all()) if picks else {}
    out: dict[int, list[Counted]] = defaultdict(list)
    for (team_id, task), g in picks.items():
        out[team_id].append(Counted(task, g.submission_id, sha[g.submission_id], g.score, g.created_at))
    return out


def standings(competition: Competition, practical_max: float, *, frozen_at: datetime | None = None,
              visible_only: bool = False) -> list[TeamScore]:
    """Every team of the competition, unranked (`frozen_at`, `visible_only`: see `_counted`)."""
    teams = db.session.scalars(select(Team).where(Team.competition_id == competition.id).options(
        selectinload(Team.affiliation), selectinload(Team.members).selectinload(TeamMember.person),
        selectinload(Team.members).selectinload(TeamMember.user))).all()
    theory = dict(db.session.execute(select(TheoryScore.candidate_id, TheoryScore.score)
                                     .where(TheoryScore.exam_id == competition.exam_id)).all())
    counted = _counted(competition, {m.user_id: t.id for t in teams for m in t.members if m.user_id},
                      frozen_at, visible_only)
    out = []
    for team in teams:
        members = tuple(Member(m.person.name, m.role.value, m.user.username if m.user else "", m.person.id_number or "",
                               m.person.external_id, theory.get(m.user_id)) for m in team.members)
        mine = sorted(counted.get(team.id, []), key=lambda c: c.task)
        tasks = {c.task: c.score for c in mine}
        practical = round(sum(tasks.values()), 4)
        th = team_theory([m.theory for m in members], competition.theory_rule)
        out.append(TeamScore(team.external_id, team.name, team.affiliation.name, team.division, competition.site,
                             tasks, practical, percent(practical, practical_max), th,
                             final_score(practical, practical_max, th, competition.theory_weight),
                             max((c.at for c in mine), default=None), members, tuple(mine)))
    return out


def divisions(competition: Competition, practical_max: float, **view) -> dict:
    """{division: ranked rows with awards}: each division's board (`view`: see `standings`)."""
    rule = awards.AwardRule.from_json(competition.awards)
    return {d: awards.assign(rows, rule) for d, rows in by_division(standings(competition, practical_max,
                                                                                **view)).items()}


def overall(competition: Competition, practical_max: float, **view) -> list[TeamScore]:
    """The whole site in one ranking (both divisions), each row keeping its division's award."""
    awarded = {(r.team_id): r.award for rows in divisions(competition, practical_max, **view).values() for r in rows}
    return [replace(r, award=awarded.get(r.team_id)) for r in rank(standings(competition, practical_max, **view))]


def competition_for_exam(exam_id: int) -> Competition | None:
    return db.session.scalar(select(Competition).where(Competition.exam_id == exam_id))
