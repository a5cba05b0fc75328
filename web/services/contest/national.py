"""The national board: sites' keys, importing their results packages, the national ranking.

Import is idempotent: a package whose signed manifest was imported before changes nothing. A
newer export of the same site replaces the site's current one, which stays as history
(`superseded`); an older export than the current one is refused (a replay). A package that
fails verification is refused and recorded with its reason, never ranked. The national
ranking is every current import's teams, ranked per division by the same rule as a site
(`ranking.rank`), with awards and finalists by the competition's rules; computed once per
change of the imports when given a cache.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from ...storage.db import db
from ...storage.models import Competition, Division, ImportStatus, NationalTeam, ResultImport, SiteKey
from . import awards, finalists, keys, package
from .ranking import Counted, Member, TeamScore, rank


@dataclass(frozen=True)
class Outcome:
    status: str              # imported, replaced, same, refused
    row: ResultImport
    reason: str | None = None
    value: str = ""


def trust(competition: Competition, site: str, public_key: str, name: str = "") -> SiteKey:
    """Register (or replace) the public key of `site`."""
    keys.parse_public(public_key)
    row = db.session.scalar(select(SiteKey).where(SiteKey.competition_id == competition.id, SiteKey.code == site))
    row = row or SiteKey(competition_id=competition.id, code=site)
    row.public_key, row.name = public_key.strip().lower(), name or row.name or site
    db.session.add(row)
    db.session.commit()
    return row


def site_keys(competition: Competition) -> dict:
    return {s.code: keys.parse_public(s.public_key) for s in db.session.scalars(
        select(SiteKey).where(SiteKey.competition_id == competition.id))}


def sites(competition: Competition) -> list[SiteKey]:
    return list(db.session.scalars(select(SiteKey).where(SiteKey.competition_id == competition.id)
                                   .order_by(SiteKey.code)))


def check(competition: Competition, data: bytes) -> package.Verified:
    return package.verify(data, site_keys(competition), competition=competition.key,
                          stage=competition.stage.value, exam_sha256=competition.exam_sha256)


@dataclass(frozen=True)
class Preview:
    """What importing a verified package would do, before anything is written (the pages ask
    the staff member to confirm with this in front of them)."""
    verified: package.Verified
    status: str                         # new, replaces, same, older
    current: ResultImport | None        # the site's current import, if any


def preview(competition: Competition, data: bytes) -> Preview:
    """Verify `data` and say what importing it would do; `package.Refused` when it fails."""
    got = check(competition, data)
    same = db.session.scalar(select(ResultImport.id).where(
        ResultImport.competition_id == competition.id, ResultImport.manifest_sha256 == got.manifest_sha256,
        ResultImport.status != ImportStatus.REFUSED))
    current = db.session.scalar(select(ResultImport).where(
        ResultImport.competition_id == competition.id, ResultImport.site == got.header.site,
        ResultImport.status == ImportStatus.CURRENT))
    if same is not None:
        status = "same"
    elif current is None:
        status = "new"
    else:
        status = "older" if current.exported_at >= got.header.exported_at else "replaces"
    return Preview(got, status, current)


def import_package(competition: Competition, data: bytes, filename: str = "", actor: str = "") -> Outcome:
    file_sha = package.sha256(data)
    try:
        got = check(competition, data)
    except package.Refused as exc:
        row = ResultImport(competition_id=competition.id, site=_site_of(data), status=ImportStatus.REFUSED,
                           file_sha256=file_sha, filename=filename[:255], actor=actor, reason=exc.key,
                           detail=exc.value[:500])
        db.session.add(row)
        db.session.commit()
        return Outcome("refused", row, exc.key, exc.value)
    site = got.header.site
    same = db.session.scalar(select(ResultImport).where(
        ResultImport.competition_id == competition.id, ResultImport.manifest_sha256 == got.manifest_sha256,
        ResultImport.status != ImportStatus.REFUSED))
    if same is not None:
        return Outcome("same", same)
    _lock_site(competition, site)
    current = db.session.scalar(select(ResultImport).where(
        ResultImport.competition_id == competition.id, ResultImport.site == site,
        ResultImport.status == ImportStatus.CURRENT))
    if current is not None and current.exported_at >= got.header.exported_at:
        when = current.exported_at.isoformat(timespec="seconds")
        row = ResultImport(competition_id=competition.id, site=site, status=ImportStatus.REFUSED,
                           manifest_sha256="", file_sha256=file_sha, filename=filename[:255], actor=actor,
                           exported_at=got.header.exported_at, reason="results.older", detail=when)
        db.session.add(row)
        db.session.commit()
        return Outcome("refused", row, "results.older", when)
    if current is not None:
        current.status = ImportStatus.SUPERSEDED
    if competition.practical_max is None:
        competition.practical_max = got.header.practical_max
    row = ResultImport(competition_id=competition.id, site=site, status=ImportStatus.CURRENT,
                       manifest_sha256=got.manifest_sha256, file_sha256=file_sha, filename=filename[:255],
                       exported_at=got.header.exported_at, actor=actor, teams=len(got.teams))
    db.session.add(row)
    db.session.flush()
    db.session.add_all([_team_row(row.id, site, t) for t in got.teams])
    db.session.commit()
    return Outcome("replaced" if current is not None else "imported", row)


def _lock_site(competition: Competition, site: str) -> None:
    """Two imports of one site at once must not both become current: take the site key's row lock
    (PostgreSQL) or the write lock (SQLite) before reading the current import."""
    db.session.execute(update(SiteKey).where(SiteKey.competition_id == competition.id, SiteKey.code == site)
                       .values(name=SiteKey.name).execution_options(synchronize_session=False))


def _site_of(data: bytes) -> str:
    try:
        return str(package.open_package(data)[0].get("site", ""))[:63]
    except package.Refused:
        return ""


def _team_row(import_id: int, site: str, t: dict) -> NationalTeam:
    last = t.get("last_at")
    return NationalTeam(import_id=import_id, site=site, external_id=str(t["team_id"])[:64], name=str(t["name"])[:200],
                        affiliation=str(t["affiliation"])[:200], division=Division(t["division"]),
                        practical=float(t["practical_pct"]),
                        theory=None if t.get("theory") is None else float(t["theory"]),
                        final=None if t.get("final") is None else float(t["final"]),
                        last_counted_at=datetime.fromisoformat(last) if last else None,
                        site_rank=int(t.get("rank") or 0),
                        data={"tasks": t.get("tasks", {}), "members": t.get("members", []),
                              "counted": t.get("counted", []), "points": t.get("practical"),
                              "site_award": t.get("award")})


def imports(competition: Competition) -> list[ResultImport]:
    return list(db.session.scalars(select(ResultImport).where(ResultImport.competition_id == competition.id)
                                   .order_by(ResultImport.id.desc())))


def _score(t) -> TeamScore:
    """A NationalTeam row (its columns) as the ranking's TeamScore."""
    members = tuple(Member(m.get("name", ""), m.get("role", ""), m.get("number", ""), m.get("id_number", ""),
                           m.get("person_id"), m.get("theory")) for m in t.data.get("members", []))
    counted = tuple(Counted(c["task"], c["submission_id"], c["sha256"], c["score"], datetime.fromisoformat(c["at"]))
                    for c in t.data.get("counted", []))
    return TeamScore(t.external_id, t.name, t.affiliation, t.division, t.site, t.data.get("tasks", {}),
                     t.data.get("points") or 0.0, t.practical, t.theory, t.final, t.last_counted_at, members,
                     counted, extra={"site_rank": t.site_rank, "site_award": t.data.get("site_award")})


def ranking(competition: Competition) -> dict[Division, list[TeamScore]]:
    """{division: national ranking with awards and finalists} from the current imports."""
    t = NationalTeam     # plain rows, not ORM objects: 10,000 teams without an identity map
    rows = db.session.execute(select(t.external_id, t.name, t.affiliation, t.division, t.site, t.data, t.practical,
                                     t.theory, t.final, t.last_counted_at, t.site_rank)
                              .join(ResultImport, ResultImport.id == t.import_id)
                              .where(ResultImport.competition_id == competition.id,
                                     ResultImport.status == ImportStatus.CURRENT)).all()
    award_rule = awards.AwardRule.from_json(competition.awards)
    finalist_rule = finalists.FinalistRule.from_json(competition.finalists)
    out = {}
    for d in Division:
        ranked = rank([_score(t) for t in rows if t.division is d])
        out[d] = finalists.select(awards.assign(ranked, award_rule), finalist_rule)
    return out


_lock = threading.Lock()


def version(competition: Competition) -> tuple:
    """What the ranking depends on: the imports that are not refused (a refused one never changes
    later and never counts, so offering a bad package does not cost a new ranking) and the rules."""
    return tuple(db.session.execute(select(func.count(ResultImport.id), func.max(ResultImport.id)).where(
        ResultImport.competition_id == competition.id, ResultImport.status != ImportStatus.REFUSED)).one()) + (
        str(competition.awards), str(competition.finalists))


def cached_ranking(competition: Competition, cache: dict) -> dict[Division, list[TeamScore]]:
    """`ranking`, computed once per change of the imports (or the rules): a page of 10,000 teams
    costs one aggregate query while nothing changes."""
    key, now = ("national", competition.id), version(competition)
    with _lock:
        hit = cache.get(key)
    if hit is not None and hit[0] == now:
        return hit[1]
    result = ranking(competition)
    with _lock:
        cache[key] = (now, result)
    return result
