"""Guessing is slowed, nobody is locked out (web/pages/throttle.py): growing delays per address
and per account on both sign-in forms and on certificate look-ups, the wait stated, every delay
audited; a new code, a password reset or the proctor's "clear" start an account afresh. The
records are real (this process's memory, or the session's real Redis); only the clock the
throttle reads is moved by the tests, so no test waits or depends on the machine's speed."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from web.cli import main as cli
from web.pages import throttle
from web.pages.app import create_app
from web.services import exams
from web.storage.db import db, upgrade
from web.storage.models import AuditLog, User

from .conftest import DEMO, Browser, add_candidates

GUESSER, OWNER = "10.0.0.66", "10.0.0.7"


class Clock:
    """The throttle's clock, moved by hand (epoch seconds)."""

    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(app) -> Clock:
    clock = Clock()
    app.extensions["practicum.throttle"].clock = clock
    return clock


def from_address(app, address: str) -> Browser:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Browser(client)


def audit_rows(app, action: str) -> list[AuditLog]:
    with app.app_context():
        return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


def uid(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def text(response) -> str:
    return response.get_data(as_text=True)


def test_guessing_from_one_address_is_slowed_then_refused_with_the_wait_stated(app, clock, codes):
    app.config["LOGIN_PER_ADDRESS"] = {"free": 3, "first_s": 2, "max_s": 900, "forget_s": 3600}
    guesser = from_address(app, GUESSER)
    assert [guesser.login_candidate("2024001", "WRNG-CODE").status_code for _ in range(3)] == [401] * 3
    refused = guesser.login_candidate("2024001", codes["2024001"])       # the right code, too soon: not checked
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"
    assert "从这台电脑登录失败的次数过多，请 2 秒后再试" in text(refused)
    waits = []
    for _ in range(10):                      # each wait served, then one more wrong code: the wait doubles
        clock.advance(int(refused.headers["Retry-After"]))
        assert guesser.login_candidate("2024001", "WRNG-CODE").status_code == 401
        refused = guesser.login_candidate("2024002", "WRNG-CODE")           # another account: same address
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
    assert waits == [4, 8, 16, 32, 64, 128, 256, 512, 900, 900]             # then 15 minutes at most
    assert "请 15 分钟后再试" in text(refused)
    guesser.set_lang("en")
    assert "Too many failed sign-ins from this computer. Try again in 15 min." in text(
        guesser.login_candidate("2024001", codes["2024001"]))
    rows = audit_rows(app, "login_throttled")
    by_address = [r for r in rows if r.details["scope"] == "address"]
    assert [r.details["wait_s"] for r in by_address] == [2, *waits] and {r.target for r in by_address} == {GUESSER}
    assert by_address[0].ip == GUESSER and by_address[0].details["failures"] == 3
    assert by_address[0].details["account"] == "2024001" and by_address[0].details["form"] == "candidate"
    by_account = [(r.target, r.details["failures"], r.details["wait_s"]) for r in rows if r.details["scope"] == "account"]
    assert by_account == [("2024001", 10, 2), ("2024001", 11, 4), ("2024001", 12, 8), ("2024001", 13, 16)]
    clock.advance(900)
    assert guesser.login_candidate("2024001", codes["2024001"]).status_code == 302   # the code was never used up


def test_the_right_code_from_another_address_still_signs_in(app, clock, codes):
    guesser = from_address(app, GUESSER)
    statuses = [guesser.login_candidate("2024001", "WRNG-CODE").status_code for _ in range(15)]
    assert statuses == [401] * 5 + [429] * 10                               # the guesser's address waits
    owner = from_address(app, OWNER)
    assert owner.login_candidate("2024001", codes["2024001"]).status_code == 302
    assert owner.get("/exam").status_code == 200


def test_guessing_one_account_from_many_addresses_only_delays_it_briefly(app, clock, codes):
    free = app.config["LOGIN_PER_ACCOUNT"]["free"]
    for i in range(free):                     # a different address each time: no address limit bites
        assert from_address(app, f"10.1.0.{i}").login_candidate("2024001", "WRNG-CODE").status_code == 401
    owner = from_address(app, OWNER)
    refused = owner.login_candidate("2024001", codes["2024001"])
    assert refused.status_code == 429 and "该账号登录失败的次数过多，请 2 秒后再试" in text(refused)
    assert owner.login_candidate("2024002", "WRNG-CODE").status_code == 401   # other accounts unaffected
    for i in range(20):                       # the guessers keep at it, each as soon as allowed
        clock.advance(int(from_address(app, "10.2.0.1").login_candidate("2024001", "x").headers["Retry-After"]))
        assert from_address(app, f"10.3.0.{i}").login_candidate("2024001", "WRNG-CODE").status_code == 401
    refused = owner.login_candidate("2024001", codes["2024001"])
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) <= 30   # a delay, never a lock
    clock.advance(int(refused.headers["Retry-After"]))
    assert owner.login_candidate("2024001", codes["2024001"]).status_code == 302
    scopes = {r.details["scope"] for r in audit_rows(app, "login_throttled")}
    assert scopes == {"account"}


def delay_account(app, number: str) -> None:
    """Wrong codes for `number` from many addresses until the account itself must wait."""
    for i in range(app.config["LOGIN_PER_ACCOUNT"]["free"]):
        from_address(app, f"10.1.0.{i}").login_candidate(number, "WRNG-CODE")
    assert from_address(app, "10.9.9.9").login_candidate(number, "WRNG-CODE").status_code == 429


def test_a_new_code_from_the_proctor_clears_the_account(app, clock, codes, signed_in):
    delay_account(app, "2024001")
    proctor = signed_in("proctor")
    page = proctor.post(f"/staff/candidates/{uid(app, '2024001')}/code")
    assert page.status_code == 200
    fresh = page.get_data(as_text=True).split('class="code">')[1].split("<")[0].strip()
    assert from_address(app, OWNER).login_candidate("2024001", fresh).status_code == 302


def test_staff_clear_the_account_from_the_candidate_list_confirmed_and_audited(app, clock, codes, signed_in):
    delay_account(app, "2024001")
    proctor = signed_in("proctor")
    listed = proctor.get("/staff/")
    assert "登录失败 10 次" in text(listed) and "清除登录失败记录" in text(listed)
    url = f"/staff/candidates/{uid(app, '2024001')}/throttle"
    assert proctor.post(url, csrf=False).status_code == 400                  # CSRF
    asked = proctor.post(url, confirm=False)
    assert asked.status_code == 200 and "清除考生 2024001" in text(asked)    # the question, nothing cleared
    assert from_address(app, OWNER).login_candidate("2024001", codes["2024001"]).status_code == 429
    done = proctor.post(url)
    assert done.status_code == 303
    assert "登录失败 10 次" not in text(proctor.get("/staff/"))
    [row] = audit_rows(app, "throttle_cleared")
    assert row.target == "2024001" and row.actor == "proctor1" and row.details == {"scope": "account", "failures": 10}
    assert from_address(app, OWNER).login_candidate("2024001", codes["2024001"]).status_code == 302
    with app.app_context():
        exam_id = db.session.scalar(select(User.exam_id).where(User.username == "2024001"))
    record = text(proctor.get(f"/staff/proctor/{exam_id}/candidates/{uid(app, '2024001')}"))
    assert "失败过多，该账号须等待" in record and "登录失败记录已清除" in record   # on the proctor's page too


def test_staff_clear_an_address_a_whole_room_shares(app, clock, codes, signed_in):
    room = from_address(app, GUESSER)                  # a room behind one NAT address: typos add up
    assert [room.login_candidate("2024002", "WRNG-CODE").status_code for _ in range(6)] == [401] * 5 + [429]
    assert room.login_candidate("2024001", codes["2024001"]).status_code == 429
    proctor = signed_in("proctor")
    listed = text(proctor.get("/staff/"))
    assert GUESSER in listed and "因登录失败而须等待的电脑" in listed
    asked = proctor.post("/staff/throttle/address", {"address": GUESSER}, confirm=False)
    assert asked.status_code == 200 and f"清除来自地址 {GUESSER}" in text(asked)
    assert room.login_candidate("2024001", codes["2024001"]).status_code == 429    # not yet: only asked
    assert proctor.post("/staff/throttle/address", {"address": GUESSER}, csrf=False).status_code == 400
    assert proctor.post("/staff/throttle/address", {"address": GUESSER}).status_code == 303
    [row] = audit_rows(app, "throttle_cleared")
    assert (row.target, row.details, row.actor) == (GUESSER, {"scope": "address", "failures": 5}, "proctor1")
    assert GUESSER not in text(proctor.get("/staff/"))
    assert room.login_candidate("2024001", codes["2024001"]).status_code == 302


def test_candidates_cannot_clear_a_counter(app, clock, candidate):
    assert candidate.post(f"/staff/candidates/{uid(app, '2024002')}/throttle").status_code == 403
    assert candidate.post("/staff/throttle/address", {"address": "127.0.0.1"}).status_code == 403


def test_admin_cannot_be_locked_out_by_others(app, clock, staff):
    guesser, refusals = from_address(app, GUESSER), 0
    for _ in range(30):                      # as fast as the board lets one address try
        r = guesser.login_staff("admin1", "wrong password")
        if r.status_code == 429:
            refusals += 1
            clock.advance(int(r.headers["Retry-After"]))
    assert refusals >= 10                    # the guesser's own address waited most of the time
    for i in range(30):                      # and from many addresses
        from_address(app, f"10.4.0.{i}").login_staff("admin1", "wrong password")
    admin = from_address(app, OWNER)
    r = admin.login_staff("admin1")
    if r.status_code == 429:                 # at most a short delay on the account itself
        assert "该账号" in text(r) and int(r.headers["Retry-After"]) <= 30
        clock.advance(int(r.headers["Retry-After"]))
        r = admin.login_staff("admin1")
    assert r.status_code == 302 and admin.get("/staff/audit").status_code == 200


def test_a_password_reset_clears_the_account(app, clock, staff):
    for i in range(app.config["LOGIN_PER_ACCOUNT"]["free"]):
        from_address(app, f"10.1.0.{i}").login_staff("examiner1", "wrong password")
    assert from_address(app, OWNER).login_staff("examiner1").status_code == 429
    result = CliRunner().invoke(cli, ["user", "password", "examiner1", "--password", "a new password 2",
                                      "--instance", app.instance_path])
    assert result.exit_code == 0, result.output
    assert from_address(app, OWNER).login_staff("examiner1", "a new password 2").status_code == 302
    assert [r.target for r in audit_rows(app, "password_reset")] == ["examiner1"]


def test_certificate_look_ups_are_slowed_per_address(app, clock):
    app.config["VERIFY_PER_ADDRESS"] = {"free": 3, "first_s": 2, "max_s": 900, "forget_s": 3600}
    walker = from_address(app, GUESSER)
    got = [walker.get(f"/verify/2026-2-SZ-00000{i}.json?name=x").status_code for i in range(4)]
    assert got == [404, 404, 404, 429]
    refused = walker.get("/verify/2026-2-SZ-000009.json?name=x")
    assert refused.status_code == 429 and refused.json["error"] == "rate_limited"
    assert refused.json["message"] == "查询过于频繁，请 2 秒后再试。"
    assert "查询过于频繁，请 2 秒后再试" in text(walker.get("/verify/2026-2-SZ-000009?name=x"))
    assert from_address(app, OWNER).get("/verify/2026-2-SZ-000001.json?name=x").status_code == 404
    clock.advance(2)
    assert walker.get("/verify/2026-2-SZ-000005.json?name=x").status_code == 404
    assert walker.get("/verify/2026-2-SZ-000006.json?name=x").headers["Retry-After"] == "4"
    rows = audit_rows(app, "verify_throttled")
    assert [(r.target, r.details["wait_s"]) for r in rows] == [(GUESSER, 2), (GUESSER, 4)]


def test_the_look_up_ceiling_states_its_wait_and_is_audited_once(app, clock):
    app.config["VERIFY_RATE_LIMIT"] = "2 per hour"
    walker = from_address(app, GUESSER)
    assert [walker.get("/verify/").status_code for _ in range(4)] == [200, 200, 429, 429]
    refused = walker.get("/verify/")
    assert "查询过于频繁，请 60 分钟后再试" in text(refused) and int(refused.headers["Retry-After"]) > 3500
    [row] = audit_rows(app, "verify_throttled")
    assert row.details["scope"] == "ceiling"


def test_board_processes_count_together_through_redis(tmp_path, redis_url, redis_server):
    """The distributed mode: two board processes on one Redis and one database see one count."""
    cfg = {"INSTANCE_PATH": str(tmp_path / "board"), "TESTING": True, "BROKER_URL": redis_url}
    first, second = create_app(cfg), create_app(cfg)
    upgrade(first)
    with first.app_context():
        exam_id = exams.register_exam(DEMO).id
    codes = add_candidates(first, exam_id, "2024001", "2024002")
    clock = Clock()
    for app in (first, second):
        app.extensions["practicum.throttle"].clock = clock
    for i in range(first.config["LOGIN_PER_ACCOUNT"]["free"]):
        board = (first, second)[i % 2]
        assert from_address(board, f"10.1.0.{i}").login_candidate("2024001", "WRNG-CODE").status_code == 401
    assert from_address(second, OWNER).login_candidate("2024001", codes["2024001"]).status_code == 429
    assert from_address(first, OWNER).login_candidate("2024001", codes["2024001"]).status_code == 429
    with second.test_request_context():              # the proctor's "clear" on the other process
        assert throttle.failures(["2024001"]) == {"2024001": 10}
        throttle.clear_account("2024001")
    assert from_address(first, OWNER).login_candidate("2024001", codes["2024001"]).status_code == 302
    redis_server.stop()          # the broker down: sign-ins go through (logged), not refused for everybody
    try:
        assert from_address(second, OWNER).login_candidate("2024002", "WRNG-CODE").status_code == 401
        assert from_address(second, OWNER).login_candidate("2024002", codes["2024002"]).status_code == 302
        assert from_address(second, OWNER).get("/verify/2026-2-SZ-000001.json?name=x").status_code == 404
    finally:
        redis_server.start()
    with first.app_context():
        db.engine.dispose()
