"""A site's results package from its board: the teams ranked per division with their awards,
signed with the site's key."""
from __future__ import annotations

from pathlib import Path

from ...storage.db import utcnow
from ...storage.models import Competition
from .. import exams
from . import keys, package, standings


def export(competition: Competition, keys_dir: Path) -> bytes:
    if not competition.site or competition.exam is None:
        raise keys.KeyProblem("only a site's board exports results (this competition has no site or exam)")
    key = keys.load_private(keys.key_path(keys_dir, competition.key, competition.site))
    pmax = exams.package(competition.exam).max_score
    teams = [t for rows in standings.divisions(competition, pmax).values() for t in rows]
    header = package.Header(competition.key, competition.stage.value, competition.site, utcnow(),
                            competition.exam.key, competition.exam.package_sha256 or "", pmax,
                            competition.theory_weight)
    return package.build(header, teams, key)
