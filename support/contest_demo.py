"""The boards of `bash scripts/demo.sh --contest`: what the demo does that no command does
(a site's exam and competition, the teams' sign-ins and uploads, grading the queued jobs
here with the real engine, theory scores), and a tampered copy of a package. Everything
else the demo does with the documented `practicum contest` / `practicum results` commands.

    python -m support.contest_demo prepare --instance DIR --site A      # exam, competition, team list
    python -m support.contest_demo hand-in --instance DIR --site A      # sign in, upload, grade
    python -m support.contest_demo tamper IN.zip OUT.zip                 # change a score, keep the signature
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

from support.contest import Entrant, as_xlsx, teams

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "exams" / "demo"
SOLUTIONS = REPO / "reference_solutions" / "demo"
COMPETITION = "ai-trainer-2026"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
# site code: its number (it seeds the made-up people, their theory scores and what each team hands in)
SITES = {"A": 0, "B": 1, "C": 2}
HAND_INS = [  # (member index, task, file): the team's newest graded upload of a task counts
    [(0, "shapes", "full/shapes.py"), (1, "fast", "full/fast.py")],
    [(0, "shapes", "shapes_always_circle.py")],
    [(1, "shapes", "full/shapes.py")],
    [(2, "shapes", "shapes_missing_function.py")],
]


def _app(instance: Path):
    from web.pages.app import create_app
    from web.storage.db import upgrade

    app = create_app({"INSTANCE_PATH": str(instance)})
    upgrade(app)
    return app


def entrants(site: str) -> list[Entrant]:
    """Two student teams and two employee teams per site (three members each)."""
    start = 1000 * SITES[site]
    return (teams(f"{site}S", 2, division="student", start=start)
            + teams(f"{site}E", 2, division="employee", start=start + 500))


def prepare(instance: Path, site: str) -> None:
    from web.services import exams
    from web.services.contest import setup
    from web.storage.db import db, utcnow

    app = _app(instance)
    with app.app_context():
        now = utcnow()
        exam = exams.register_exam(DEMO, window_start=now - timedelta(hours=1), window_end=now + timedelta(hours=3),
                                   published=True)
        if setup.by_key(COMPETITION) is None:
            setup.create(COMPETITION, exam=exam, site=site, title_zh="人工智能训练师职业技能竞赛（演示）",
                         title_en="AI trainer skills competition (demo)", team_min=1, team_max=3, theory_weight=30)
        (instance / "teams.xlsx").write_bytes(as_xlsx(entrants(site)))
        print(f"site {site}: board {instance}, exam {exam.key} sha256 {exam.package_sha256}")
        (instance / "exam.sha256").write_text(exam.package_sha256 + "\n")
        db.session.remove()


def _sign_in(client, number: str, code: str) -> None:
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    r = client.post("/login", data={"number": number, "code": code, "csrf_token": token})
    if r.status_code != 302:
        raise SystemExit(f"{number} could not sign in ({r.status_code})")


def hand_in(instance: Path, site: str) -> None:
    """Each team's members sign in with their own codes and upload; the queued jobs are graded
    here, one after another, in the real sandbox."""
    from web.grading import grade, jobs
    from web.storage.db import db
    from web.storage.models import Exam, TheoryScore, User

    codes = {r["candidate number"]: r["code"] for r in csv.DictReader(io.StringIO(
        (instance / "codes.csv").read_text(encoding="utf-8")))}
    app = _app(instance)
    people = entrants(site)
    by_team: dict[str, list[Entrant]] = {}
    for e in people:
        by_team.setdefault(e.team_id, []).append(e)
    with app.app_context():
        exam_id = db.session.scalar(db.select(Exam.id))
        users = {u.username: u.id for u in db.session.scalars(db.select(User))}
        for i, e in enumerate(people):        # theory papers, marked elsewhere and imported per member
            score = 55 + (7 * i + 11 * SITES[site]) % 40
            db.session.add(TheoryScore(exam_id=exam_id, candidate_id=users[e.number], score=score))
        db.session.commit()
    for t, (team_id, members) in enumerate(by_team.items()):
        for member, task, path in HAND_INS[(t + SITES[site]) % len(HAND_INS)]:
            e = members[member]
            client = app.test_client()
            _sign_in(client, e.number, codes[e.number])
            token = TOKEN.search(client.get("/exam").get_data(as_text=True)).group(1)
            body = (SOLUTIONS / path).read_bytes()
            r = client.post(f"/exam/{task}/upload", data={"csrf_token": token, "file": (io.BytesIO(body), Path(path).name)},
                            content_type="multipart/form-data")
            if r.status_code not in (302, 303):
                raise SystemExit(f"{e.number}: upload of {path} refused ({r.status_code})")
            with app.app_context():
                claim = jobs.claim("demo")
                status = grade.run_job(app, claim).status
                if status is None:
                    raise SystemExit(f"{e.number}: the grading of {path} lost its claim")
                print(f"site {site}: team {team_id} member {e.number} handed in {path} for {task}: {status.value}")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def tamper(src: Path, dst: Path) -> None:
    """The package with its first team's final score raised, manifest and signature unchanged."""
    files = {}
    with zipfile.ZipFile(src) as zf:
        for name in zf.namelist():
            files[name] = zf.read(name)
    results = json.loads(files["results.json"])
    results["teams"][0]["final"] = 100.0
    files["results.json"] = json.dumps(results, ensure_ascii=False, sort_keys=True).encode()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    print(f"{dst}: {results['teams'][0]['name']}'s final score changed to 100 after signing")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m support.contest_demo")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("prepare", "hand-in"):
        p = sub.add_parser(name)
        p.add_argument("--instance", type=Path, required=True)
        p.add_argument("--site", choices=sorted(SITES), required=True)
    p = sub.add_parser("tamper")
    p.add_argument("src", type=Path)
    p.add_argument("dst", type=Path)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        prepare(args.instance, args.site)
    elif args.command == "hand-in":
        hand_in(args.instance, args.site)
    else:
        tamper(args.src, args.dst)


if __name__ == "__main__":
    main()
