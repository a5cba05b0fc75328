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


EDGE = DEMO.parent / "edge-ai-practical"


def test_seed_publishes_one_intermediate_sitting_whose_certificate_verifies(app):
    from web.services import certificates, passlist, verify
    from web.storage.db import db
    from web.storage.models import Outcome, Sitting, SittingStatus

    with app.app_context():
        exams.register_exam(DEMO)
        exams.register_exam(EDGE)
        accounts = demo.seed("demo")
        s = accounts.sitting
        sitting = db.session.get(Sitting, s.sitting_id)
        assert sitting.status is SittingStatus.PUBLISHED and sitting.level.value == "intermediate"
        outcomes = {r.name: r.outcome for r in passlist.rows(sitting)}
        assert outcomes == {"赵晓明": Outcome.PASSED, "钱雨桐": Outcome.PASSED, "孙浩然": Outcome.PASSED,
                            "李思琪": Outcome.PASSED, "周子轩": Outcome.FAILED, "吴佳怡": Outcome.ABSENT}
        answer = verify.lookup(s.number, token=s.token)
        assert answer is not None and answer.status == "valid" and answer.holder_name == s.holder
        assert verify.lookup(s.revoked, name="李思琪").status == "revoked"
        text = demo.banner("http://127.0.0.1:8000/", accounts)
        assert f"http://127.0.0.1:8000/verify/{s.number}?t={s.token}" in text
        assert f"http://127.0.0.1:8000/staff/cert/{s.sitting_id}" in text

        again = demo.seed("demo")                                    # a restart: the same sitting, untouched
        assert again.sitting == s
        assert len(certificates.of_sitting(s.sitting_id)) == 4
        assert db.session.query(Sitting).count() == 1


def test_without_the_intermediate_exam_the_demo_has_no_sitting(app):
    with app.app_context():
        exams.register_exam(DEMO)
        accounts = demo.seed("demo")
        assert accounts.sitting is None and "/staff/cert/" not in demo.banner("http://x/", accounts)
