"""Teams and members into the board: the rules that need the whole list or the database, then
one transaction that writes affiliations, people, sign-in accounts, teams and members.

Rules (each refusal names the line, the field and the reason; any refusal writes nothing):
- a team's rows agree on its name and division, and all come from one affiliation (a team may
  mix grades and majors, never schools or companies);
- a team has between the competition's `team_min` and `team_max` members, at most one captain
  (none named: the first listed member captains);
- a person (by ID number) is in one team only: within the file, and against the teams already
  on the board that this file does not replace;
- eligibility is the `category` column: students enter the student division (学生组),
  employees and teachers the employee division (职工组); a person holding a national title
  (the `national title` column) may not compete;
- candidate numbers are unique and not a staff account's or another person's.
A team already on the board with the same team id is replaced by the file's version.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ...storage.db import db
from ...storage.models import (Affiliation, Category, Competition, Division, Gender, MemberRole, Person, Role,
                               Team, TeamMember, User)
from ..accounts import IssuedCode, issue_code
from ..people import PersonRow, upsert
from .sheet import MemberRow, Problem

ELIGIBLE = {Division.STUDENT: Category.STUDENT, Division.EMPLOYEE: Category.EMPLOYEE}


@dataclass(frozen=True)
class Imported:
    teams: int
    members: int
    codes: list[IssuedCode]        # new accounts' one-time codes, shown once


def check(competition: Competition, rows: list[MemberRow]) -> list[Problem]:
    problems: list[Problem] = []
    bad = lambda r, field, reason, value="": problems.append(Problem(r.line, field, f"entrants.{reason}", value))
    teams: dict[str, list[MemberRow]] = defaultdict(list)
    for r in rows:
        teams[r.team_id].append(r)
    names: dict[str, str] = {}
    for team_id, members in teams.items():
        first = members[0]
        if names.setdefault(first.team, team_id) != team_id:
            bad(first, "team", "team_name_twice", first.team)
        for r in members[1:]:
            if r.affiliation != first.affiliation:
                bad(r, "affiliation", "two_affiliations", f"{first.affiliation} / {r.affiliation}")
            if r.team != first.team:
                bad(r, "team", "team_differs", r.team)
            if r.division is not first.division:
                bad(r, "division", "division_differs", r.division.value)
        for r in members[competition.team_max:]:
            bad(r, "team_id", "team_too_big", f"{len(members)} > {competition.team_max}")
        if len(members) < competition.team_min:
            bad(first, "team_id", "team_too_small", f"{len(members)} < {competition.team_min}")
        for r in [m for m in members if m.role is MemberRole.CAPTAIN][1:]:
            bad(r, "role", "two_captains", r.name)
        for r in members:
            if r.national_title:
                bad(r, "title", "national_title", r.name)
            elif ELIGIBLE[r.division] is not r.category:
                bad(r, "category", f"not_eligible_{r.division.value}", r.category.value)
    seen_id: dict[str, MemberRow] = {}
    seen_number: dict[str, MemberRow] = {}
    for r in rows:
        if r.id_number in seen_id:
            bad(r, "id_number", "person_twice", f"{seen_id[r.id_number].team_id} / {r.team_id}")
        if r.number in seen_number:
            bad(r, "number", "duplicate_number", r.number)
        seen_id.setdefault(r.id_number, r)
        seen_number.setdefault(r.number, r)
    problems += _against_board(competition, rows, set(teams))
    return sorted(problems, key=lambda p: (p.line, p.field))


def _against_board(competition: Competition, rows: list[MemberRow], replaced: set[str]) -> list[Problem]:
    """What the database already holds: other teams, accounts, people, affiliations."""
    problems: list[Problem] = []
    elsewhere = dict(db.session.execute(
        select(Person.id_number, Team.external_id).join(TeamMember, TeamMember.person_id == Person.id)
        .join(Team, Team.id == TeamMember.team_id)
        .where(TeamMember.competition_id == competition.id,
               Person.id_number.in_({r.id_number for r in rows}))).all())
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_({r.number for r in rows})))}
    owner = dict(db.session.execute(select(TeamMember.user_id, Person.id_number)
                                    .join(Person, Person.id == TeamMember.person_id)
                                    .where(TeamMember.user_id.in_([u.id for u in users.values()]))).all())
    by_ext = dict(db.session.execute(select(Person.external_id, Person.id_number).where(
        Person.external_id.in_({r.person_id for r in rows if r.person_id}))).all())
    known = set(db.session.scalars(select(Affiliation.name).where(Affiliation.name.in_({r.affiliation for r in rows}))))
    team_names = dict(db.session.execute(select(Team.name, Team.external_id).where(
        Team.competition_id == competition.id, Team.name.in_({r.team for r in rows}))).all())
    for r in rows:
        other = elsewhere.get(r.id_number)
        if other is not None and other not in replaced:
            problems.append(Problem(r.line, "id_number", "entrants.in_other_team", other))
        user = users.get(r.number)
        if user is not None and (user.role is not Role.CANDIDATE or owner.get(user.id, r.id_number) != r.id_number):
            problems.append(Problem(r.line, "number", "entrants.number_taken", r.number))
        if r.person_id and by_ext.get(r.person_id, r.id_number) != r.id_number:
            problems.append(Problem(r.line, "person_id", "entrants.person_id_taken", r.person_id))
        if r.affiliation not in known and r.kind is None:
            problems.append(Problem(r.line, "kind", "entrants.kind_needed", r.affiliation))
        if team_names.get(r.team, r.team_id) != r.team_id:
            problems.append(Problem(r.line, "team", "entrants.team_name_taken", r.team))
    return problems


def import_teams(competition: Competition, rows: list[MemberRow]) -> tuple[Imported | None, list[Problem]]:
    """Check, then write everything in one commit; (None, problems) writes nothing."""
    problems = check(competition, rows)
    if problems:
        return None, problems
    affiliations = _affiliations(rows)
    people = upsert([PersonRow(r.line, r.name, Gender.MALE if r.male else Gender.FEMALE, r.id_number,
                               r.affiliation, r.contact, r.person_id) for r in rows])
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_({r.number for r in rows})))}
    existing = {t.external_id: t for t in db.session.scalars(select(Team).where(
        Team.competition_id == competition.id, Team.external_id.in_({r.team_id for r in rows})))}
    for team in existing.values():      # replaced: its members go first, so a person may move teams
        team.members.clear()
    db.session.flush()
    issued: list[tuple[User, str]] = []
    teams: dict[str, Team] = {}
    for r in rows:
        team = teams.get(r.team_id)
        if team is None:
            team = existing.get(r.team_id) or Team(competition_id=competition.id, external_id=r.team_id)
            team.name, team.division, team.affiliation = r.team, r.division, affiliations[r.affiliation]
            db.session.add(team)
            teams[r.team_id] = team
        user = users.get(r.number)
        if user is None:
            user = users[r.number] = User(username=r.number, role=Role.CANDIDATE, session_version=0)
            db.session.add(user)
            issued.append((user, issue_code(user)))
        user.name, user.exam_id, user.active = r.name, competition.exam_id, True
        person = people[r.line]
        person.category, person.national_title = r.category, r.national_title
        team.members.append(TeamMember(competition_id=competition.id, person=person, user=user, role=r.role))
    for team in teams.values():
        if not any(m.role is MemberRole.CAPTAIN for m in team.members):
            team.members[0].role = MemberRole.CAPTAIN
    db.session.commit()
    return Imported(len(teams), len(rows), [IssuedCode(u.id, u.username, u.name, u.seat, c) for u, c in issued]), []


def _affiliations(rows: list[MemberRow]) -> dict[str, Affiliation]:
    out = {a.name: a for a in db.session.scalars(select(Affiliation).where(
        Affiliation.name.in_({r.affiliation for r in rows})))}
    for r in rows:
        if r.affiliation not in out:
            out[r.affiliation] = Affiliation(name=r.affiliation, kind=r.kind, region=r.region)
            db.session.add(out[r.affiliation])
    return out


def mates(user_id: int) -> list[int]:
    """The sign-in accounts of `user_id`'s team (themselves alone when in no team): who shares
    one history, one quota and one counted result per task."""
    other = aliased(TeamMember)
    ids = list(db.session.scalars(select(other.user_id).join(TeamMember, TeamMember.team_id == other.team_id)
                                  .where(TeamMember.user_id == user_id, other.user_id.is_not(None))))
    return sorted(set(ids)) or [user_id]


def teams(competition_id: int) -> list[Team]:
    return list(db.session.scalars(select(Team).where(Team.competition_id == competition_id).order_by(
        Team.division, Team.external_id)))
