"""How many codes a tireless guesser gets checked per hour under the board's default throttle.

    python3 bench/throttle_guesses.py          # prints the counts; bench/results/throttle_guesses.json

Drives the real sign-in page (Flask test client, real SQLite, the throttle's memory store) with
the throttle's clock moved by hand: the guesser tries a wrong code, and when refused waits
exactly the Retry-After it was given, until an hour of (simulated) time has passed. Three
guessers: one computer against one candidate; one address per guess against one candidate
(a botnet, only the per-account rule holds it); one computer walking certificate numbers on
/verify (its every-look-up ceiling, 30 a minute on the real clock, lifted). No wall-clock time is measured: the counts follow from the rules, not the machine.
"""
from __future__ import annotations

import itertools
import json
import re
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from web.pages.app import create_app  # noqa: E402
from web.services import accounts, exams  # noqa: E402
from web.services.roster import RosterRow  # noqa: E402
from web.storage.db import db, upgrade, utcnow  # noqa: E402
from web.storage.models import Exam  # noqa: E402

HOUR = 3600.0
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    def __init__(self) -> None:
        self.start = self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now

    def elapsed(self) -> float:
        return self.now - self.start


def _board(instance: Path):
    # the look-up ceiling (VERIFY_RATE_LIMIT, Flask-Limiter) runs on the real clock, which this
    # bench does not move: lifted here, so the /verify count is the growing delays' alone
    app = create_app({"INSTANCE_PATH": str(instance), "TESTING": True, "VERIFY_RATE_LIMIT": "100000 per minute"})
    upgrade(app)
    with app.app_context():
        exam = exams.register_exam(REPO / "exams" / "demo", window_start=utcnow() - timedelta(hours=1),
                                   window_end=utcnow() + timedelta(hours=9))
        accounts.import_roster(db.session.get(Exam, exam.id), [RosterRow(1, "2024001", "考生", "A1")])
    clock = Clock()
    app.extensions["practicum.throttle"].clock = clock
    return app, clock


def _client(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _sign_in(client):
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    return client.post("/login", data={"number": "2024001", "code": "WRNG-CODE", "csrf_token": token})


def guesses_per_hour(app, clock: Clock, attempt) -> list[int]:
    """Wrong answers checked in each of the first two hours, waiting out every refusal."""
    per_hour = [0, 0]
    for n in itertools.count():
        response = attempt(n)
        if response.status_code == 429:
            clock.now += int(response.headers["Retry-After"])
        else:
            hour = int(clock.elapsed() // HOUR)
            if hour >= len(per_hour):
                return per_hour
            per_hour[hour] += 1
            clock.now += 0.001


def main() -> int:
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        app, clock = _board(Path(tmp) / "a")
        one = _client(app, "10.0.0.1")
        out["one computer, one candidate"] = guesses_per_hour(app, clock, lambda n: _sign_in(one))
        app, clock = _board(Path(tmp) / "b")
        out["one address per guess, one candidate"] = guesses_per_hour(
            app, clock, lambda n: _sign_in(_client(app, f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")))
        app, clock = _board(Path(tmp) / "c")
        walker = _client(app, "10.0.0.1")
        out["one computer, /verify numbers"] = guesses_per_hour(
            app, clock, lambda n: walker.get(f"/verify/2026-2-SZ-{n:06d}.json?name=x"))
    for who, (first, second) in out.items():
        print(f"{who:40s} {first:5d} checked in the first hour, {second:5d} in the second")
    results = REPO / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "throttle_guesses.json").write_text(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
