"""`practicum serve --demo`: demo staff and candidates that can sign in."""
from __future__ import annotations

from pathlib import Path

from web.services import demo, exams
from web.services.accounts import check_password, consume_code

DEMO = Path(__file__).resolve().parents[2] / "exams" / "demo"


def test_seed_gives_working_passwords_and_codes(app):
    with app.app_context():
        exams.register_exam(DEMO)
        accounts = demo.seed("demo")
        assert {u for u, _, _ in accounts.staff} == {"admin", "examiner", "proctor"}
        for username, _, password in accounts.staff:
            assert check_password(username, password) is not None
        first = accounts.candidates[0]
        assert consume_code(first.number, first.code) is not None
        assert consume_code(first.number, first.code) is None        # used up
        again = demo.seed("demo")                                    # a restart: fresh codes
        assert consume_code(first.number, again.candidates[0].code) is not None
        text = demo.banner("http://127.0.0.1:8000/", again)
        assert again.candidates[1].code in text and "http://127.0.0.1:8000/login" in text
