"""A site's team standings from its database: each team's counted result per task, its
members' theory, the final score, ranks per division and overall, and awards.

A team's counted result of a task is the current result of the newest submission of it by
any member that has one (the rule `web.services.scores` applies to a single candidate, over
the whole team). Four queries whatever the number of teams: teams and members, the counted
submissions, their results, the theory scores.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...storage.db import db
from ...storage.models import (Competition, Person, Result, Submission, SubmissionStatus, Team, TeamMember,
                               TheoryScore)
from . import awards
from .ranking import Counted, Member, TeamScore, by_division, final_score, percent, rank, team_theory


def _counted(competition: Competition) -> dict[int, list[Counted]]:
    """{team id: [Counted per task]}"""
    newest = (select(func.max(Submission.id))
              .join(Result, Result.submission_id == Submission.id)
              .join(TeamMember, (TeamMember.user_id == Submission.candidate_id)
                    & (TeamMember.competition_id == competition.id))
              .where(Submission.exam_id == competition.exam_id, Submission.status != SubmissionStatus.CANCELLED)
              .group_by(TeamMember.team_id, Submission.task_id))
    rows = db.session.execute(
        select(TeamMember.team_id, Submission.task_id, Submission.id, Submission.sha256, Result.score,
               Submission.created_at)
        .join(Result, Result.submission_id == Submission.id)
        .join(TeamMember, (TeamMember.user_id == Submission.candidate_id)
              & (TeamMember.competition_id == competition.id))
        .where(Submission.id.in_(newest))).all()
    out: dict[int, list[Counted]] = defaultdict(list)
    for team_id, task, sid, sha, score, at in rows:
        out[team_id].append(Counted(task, sid, sha, score, at))
    return out


def standings(competition: Competition, practical_max: float) -> list[TeamScore]:
    """Every team of the competition, unranked."""
    teams = db.session.scalars(select(Team).where(Team.competition_id == competition.id).options(
        selectinload(Team.affiliation), selectinload(Team.members).selectinload(TeamMember.person),
        selectinload(Team.members).selectinload(TeamMember.user))).all()
    theory = dict(db.session.execute(select(TheoryScore.candidate_id, TheoryScore.score)
                                     .where(TheoryScore.exam_id == competition.exam_id)).all())
    counted = _counted(competition)
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


def divisions(competition: Competition, practical_max: float) -> dict:
    """{division: ranked rows with awards}: each division's board."""
    rule = awards.AwardRule.from_json(competition.awards)
    return {d: awards.assign(rows, rule) for d, rows in by_division(standings(competition, practical_max)).items()}


def overall(competition: Competition, practical_max: float) -> list[TeamScore]:
    """The whole site in one ranking (both divisions), each row keeping its division's award."""
    awarded = {(r.team_id): r.award for rows in divisions(competition, practical_max).values() for r in rows}
    return [replace(r, award=awarded.get(r.team_id)) for r in rank(standings(competition, practical_max))]


def competition_for_exam(exam_id: int) -> Competition | None:
    return db.session.scalar(select(Competition).where(Competition.exam_id == exam_id))


def person_of(user_id: int) -> Person | None:
    return db.session.scalar(select(Person).where(Person.user_id == user_id))
