"""The results package a site hands the national board, and its verification.

A zip of three files:
- `manifest.json`: schema, competition, stage, site, export time, the exam (key, package
  sha256, practical maximum), the scoring settings, and the sha256 of every other file;
- `manifest.sig`: the Ed25519 signature of manifest.json's bytes by the site's key (hex);
- `results.json`: every team with its members, per-task scores, theory, final, rank, award,
  and the sha256 of each counted submission;
plus `teams.csv`, the same teams for a person opening the zip (listed in the manifest too).
Signing the manifest signs everything: each file must match the hash the manifest gives.
Verification refuses, with the first reason found (`Refused.key`, an i18n key under
"results."): not a zip, no or bad manifest, unknown schema, unsigned, unknown site, bad
signature, a file missing, changed or not listed, another competition, stage or exam.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .ranking import TeamScore

SCHEMA = 1
KIND = "practicum-results"
SIGNED = ("manifest.json", "manifest.sig")
MAX_FILES = 8
MAX_BYTES = 64 * 1024 * 1024      # 20 sites x 500 teams fit in a few MB; a zip bomb does not get read


class Refused(Exception):
    def __init__(self, key: str, value: str = ""):
        super().__init__(f"{key}: {value}" if value else key)
        self.key, self.value = key, value


@dataclass(frozen=True)
class Header:
    """What the package says about itself (manifest.json)."""
    competition: str
    stage: str
    site: str
    exported_at: datetime
    exam_key: str
    exam_sha256: str
    practical_max: float
    theory_weight: int


@dataclass(frozen=True)
class Verified:
    header: Header
    manifest_sha256: str
    teams: list[dict]            # results.json's teams


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _team_json(t: TeamScore) -> dict:
    return {"team_id": t.team_id, "name": t.name, "affiliation": t.affiliation, "division": t.division.value,
            "tasks": t.tasks, "practical": t.practical, "practical_pct": t.practical_pct, "theory": t.theory,
            "final": t.final, "last_at": t.last_at.isoformat() if t.last_at else None, "rank": t.rank,
            "award": t.award, "members": [asdict(m) for m in t.members],
            "counted": [{"task": c.task, "submission_id": c.submission_id, "sha256": c.sha256, "score": c.score,
                         "at": c.at.isoformat()} for c in t.counted]}


def _teams_csv(teams: list[TeamScore]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["division", "rank", "team_id", "team", "affiliation", "practical", "theory", "final", "award",
                "members"])
    for t in teams:
        w.writerow([t.division.value, t.rank, t.team_id, t.name, t.affiliation, t.practical, t.theory, t.final,
                    t.award or "", "; ".join(m.name for m in t.members)])
    return out.getvalue().encode("utf-8-sig")


def build(header: Header, teams: list[TeamScore], key: Ed25519PrivateKey) -> bytes:
    """The signed zip of `teams` (ranked per division) under `header`."""
    files = {"results.json": json.dumps({"teams": [_team_json(t) for t in teams]}, ensure_ascii=False,
                                        sort_keys=True).encode(),
             "teams.csv": _teams_csv(teams)}
    manifest = {"schema": SCHEMA, "kind": KIND, "competition": header.competition, "stage": header.stage,
                "site": header.site, "exported_at": header.exported_at.astimezone(timezone.utc).isoformat(),
                "exam": {"key": header.exam_key, "sha256": header.exam_sha256, "practical_max": header.practical_max},
                "settings": {"theory_weight": header.theory_weight},
                "files": {name: sha256(data) for name, data in files.items()}}
    body = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", body)
        zf.writestr("manifest.sig", key.sign(body).hex())
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _read(zf: zipfile.ZipFile, name: str) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > MAX_BYTES:
        raise Refused("results.bad_results", f"{name} too large")
    return zf.read(name)


def _header(manifest: dict) -> Header:
    try:
        exam = manifest["exam"]
        return Header(str(manifest["competition"]), str(manifest["stage"]), str(manifest["site"]),
                      datetime.fromisoformat(manifest["exported_at"]), str(exam["key"]), str(exam["sha256"]),
                      float(exam["practical_max"]), int(manifest["settings"]["theory_weight"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise Refused("results.bad_manifest", type(exc).__name__) from None


def open_package(data: bytes) -> tuple[dict, bytes, bytes, zipfile.ZipFile]:
    """(manifest, its bytes, signature bytes, the zip) before any trust: for `verify` and for
    naming the site of a refused package."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = zf.namelist()
    except (zipfile.BadZipFile, ValueError):
        raise Refused("results.not_zip") from None
    if len(names) > MAX_FILES:
        raise Refused("results.extra_file", names[MAX_FILES])
    if "manifest.json" not in names:
        raise Refused("results.no_manifest")
    body = _read(zf, "manifest.json")
    try:
        manifest = json.loads(body)
        assert isinstance(manifest, dict)
    except (ValueError, AssertionError):
        raise Refused("results.bad_manifest", "JSON") from None
    if manifest.get("schema") != SCHEMA or manifest.get("kind") != KIND:
        raise Refused("results.schema", str(manifest.get("schema")))
    sig = _read(zf, "manifest.sig") if "manifest.sig" in names else b""
    return manifest, body, sig, zf


def verify(data: bytes, keys: dict[str, Ed25519PublicKey], *, competition: str | None = None,
           stage: str | None = None, exam_sha256: str | None = None) -> Verified:
    """The package's header and teams, if it is signed by its site's key in `keys`, whole, and
    for this competition, stage and exam (each checked when given); else Refused."""
    manifest, body, sig, zf = open_package(data)
    site = str(manifest.get("site", ""))
    if not sig:
        raise Refused("results.unsigned")
    if site not in keys:
        raise Refused("results.unknown_site", site)
    try:
        keys[site].verify(bytes.fromhex(sig.decode("ascii").strip()), body)
    except (InvalidSignature, ValueError, UnicodeDecodeError):
        raise Refused("results.bad_signature", site) from None
    listed = manifest.get("files") or {}
    for name in zf.namelist():
        if name not in SIGNED and name not in listed:
            raise Refused("results.extra_file", name)
    contents = {}
    for name, digest in listed.items():
        if name not in zf.namelist():
            raise Refused("results.missing_file", name)
        contents[name] = _read(zf, name)
        if sha256(contents[name]) != digest:
            raise Refused("results.tampered", name)
    header = _header(manifest)
    if competition is not None and header.competition != competition:
        raise Refused("results.wrong_competition", header.competition)
    if stage is not None and header.stage != stage:
        raise Refused("results.wrong_stage", header.stage)
    if exam_sha256 is not None and header.exam_sha256 != exam_sha256:
        raise Refused("results.wrong_exam", header.exam_sha256[:12])
    try:
        teams = json.loads(contents["results.json"])["teams"]
        assert isinstance(teams, list)
    except (KeyError, ValueError, TypeError, AssertionError):
        raise Refused("results.bad_results", "results.json") from None
    return Verified(header, sha256(body), teams)
