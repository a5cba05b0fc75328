"""Guessing is slowed, nobody is locked out: growing delays per address and per account.

Sign-in (both forms). A refused sign-in (401) is a failure of two subjects: the client's
address and the account in the form (candidate number or staff user name). Each has its
`backoff.Rule`; an attempt whose address or account is still waiting is refused before
any code or password is checked, on the sign-in page with the wait stated (429,
Retry-After), and does not count. The address rule bites first and grows to a long wait
(a guesser's own address); the account rule starts later and stays short (LOGIN_PER_ACCOUNT
max_s), so someone guessing a candidate's number or `admin` from anywhere can only delay the
owner, never lock them out, and the owner typing from another address gets in at once.

An account's counter belongs to its current credentials: the key carries the user's
`session_version`, which a new code or a password reset bumps, so their old failures no
longer count. Staff clear it from the candidate list (`clear_account`). A successful
sign-in clears the account's counter, never the address's.

Certificate look-ups (`/verify`): a look-up that finds nothing is a failure of the address
(VERIFY_PER_ADDRESS); besides, Flask-Limiter keeps a plain ceiling on every look-up per
address (VERIFY_RATE_LIMIT). Both refusals state the wait.

If the store cannot be reached (the broker's Redis down or restarting) the throttle lets
attempts through and logs it, rather than refusing every sign-in of the exam: a broker
outage must not become a denial of service; the codes' 40 random bits carry a few minutes.

Each delay imposed is audited (`login_throttled`, `verify_throttled`: who, scope, failures,
wait); a look-up refused by the ceiling once per address and window. Records live in the
broker's Redis in the distributed mode (every board process counts together), in memory
when embedded (`backoff.store_for`).
"""
from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app, render_template, request
from flask_limiter import Limiter, RequestLimit

from ..services import accounts
from .backoff import STORE_ERRORS, Rule, Store, store_for
from .i18n import t
from .policy import audit

log = logging.getLogger("practicum.throttle")

LOGIN_VIEWS = {"auth.login": False, "auth.login_staff": True}     # endpoint -> is the staff form
LOOKUP_VIEWS = ("verify.form", "verify.answer", "verify.answer_json")  # public certificate look-ups


@dataclass(frozen=True)
class Subject:
    scope: str         # "address" | "account"
    name: str          # shown in the audit row
    key: str           # in the store
    rule: Rule


@dataclass
class Throttle:
    store: Store
    clock: Callable[[], float] = field(default=time.time)     # epoch seconds; tests move it

    def wait(self, subjects: list[Subject]) -> tuple[Subject, float] | None:
        """The subject that must still wait longest, and for how long; None: go ahead."""
        now = self.clock()
        try:
            records = self.store.get_many([s.key for s in subjects])
        except STORE_ERRORS as exc:
            log.warning("throttle store unreachable, attempt let through: %s", exc)
            return None
        waits = [(s, r.wait(s.rule, now)) for s, r in zip(subjects, records)]
        longest = max(waits, key=lambda w: w[1], default=None)
        return longest if longest and longest[1] > 0 else None

    def failed(self, subjects: list[Subject]) -> list[tuple[Subject, int, float]]:
        """Count a failure of each subject; (subject, failures, wait) of those now delayed."""
        now = self.clock()
        delayed = []
        for s in subjects:
            try:
                record = self.store.fail(s.key, now, s.rule.forget_s)
            except STORE_ERRORS as exc:
                log.warning("throttle store unreachable, failure not counted: %s", exc)
                return delayed
            if (wait := record.wait(s.rule, now)) > 0:
                delayed.append((s, record.failures, wait))
        return delayed

    def clear(self, key: str) -> None:
        try:
            self.store.clear(key)
        except STORE_ERRORS as exc:
            log.warning("throttle store unreachable, record not cleared: %s", exc)


def _throttle() -> Throttle:
    return current_app.extensions["practicum.throttle"]


def _rule(name: str) -> Rule:
    return Rule.from_config(current_app.config[name])


def _address() -> str:
    return request.remote_addr or ""


def account() -> str:
    """The account a sign-in is for: the form's candidate number or user name."""
    return (request.form.get("number") or request.form.get("username") or "").strip()[:64]


def account_key(name: str) -> str:
    """The store's key for account `name` under its current credentials (see the module doc)."""
    return f"login-account:{name}#{accounts.credential_version(name)}"


def address_key(address: str) -> str:
    return f"login-address:{address}"


def _login_subjects() -> list[Subject]:
    subjects = [Subject("address", _address(), address_key(_address()), _rule("LOGIN_PER_ADDRESS"))]
    if name := account():
        subjects.append(Subject("account", name, account_key(name), _rule("LOGIN_PER_ACCOUNT")))
    return subjects


def clear_account(name: str) -> None:
    """Forget the failed sign-ins of account `name` (staff, from the candidate list)."""
    _throttle().clear(account_key(name))


def clear_address(address: str) -> None:
    """Forget the failed sign-ins from `address` (a room behind one address, a proctor's call)."""
    _throttle().clear(address_key(address))


def _counted(keys: dict[str, str]) -> dict[str, int]:
    try:
        records = _throttle().store.get_many(list(keys.values()))
    except STORE_ERRORS as exc:
        log.warning("throttle store unreachable, failures not shown: %s", exc)
        return {}
    return {name: r.failures for name, r in zip(keys, records) if r.failures}


def failures(names: list[str]) -> dict[str, int]:
    """{account: failed sign-ins still counted} for those with any (the candidate list)."""
    return _counted({n: account_key(n) for n in names})


def address_failures(addresses: list[str]) -> dict[str, int]:
    """{address: failed sign-ins still counted} for those with any."""
    return _counted({a: address_key(a) for a in addresses})


def wait_text(seconds: float) -> str:
    """"40 秒" / "3 min": whole seconds up to two minutes, then whole minutes, rounded up unless
    only a few seconds over (Retry-After carries the exact seconds)."""
    whole = max(1, math.ceil(seconds))
    return t("wait.seconds", n=whole) if whole <= 120 else t("wait.minutes", n=math.ceil(whole / 60 - 0.05))


def _audit_delays(action: str, delayed: list[tuple[Subject, int, float]], **details) -> None:
    name = account()
    for s, count, wait in delayed:
        which = {"account": name} if s.scope == "address" and name else {}    # the one typed when it bit
        audit(action, s.name, actor_name=name if s.scope == "account" else "", scope=s.scope,
              failures=count, wait_s=math.ceil(wait), **which, **details)


def _refused(page: Callable[[str], object], wait: float):
    response = current_app.make_response(page(wait_text(wait)))
    response.status_code = 429
    response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return response


def _guard_login(view, staff: bool):
    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if request.method != "POST":
            return view(*args, **kwargs)
        subjects, throttle = _login_subjects(), _throttle()
        if (waiting := throttle.wait(subjects)) is not None:
            key = "login.throttled_account" if waiting[0].scope == "account" else "login.throttled_address"
            return _refused(lambda wait: render_template("login.html", error=t(key, wait=wait), staff=staff),
                            waiting[1])
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code == 401:
            _audit_delays("login_throttled", throttle.failed(subjects), form="staff" if staff else "candidate")
        elif response.status_code in (302, 303) and subjects[-1].scope == "account":
            throttle.clear(subjects[-1].key)
        return response
    return guarded


def _lookup_page(error: str):
    if request.path.endswith(".json"):
        return {"found": False, "error": "rate_limited", "message": error}
    return render_template("verify/form.html", number="", name="", answer=None, asked=False, error=error)


def _guard_lookup(view):
    @functools.wraps(view)
    def guarded(*args, **kwargs):
        subjects, throttle = [Subject("address", _address(), f"verify-address:{_address()}",
                                      _rule("VERIFY_PER_ADDRESS"))], _throttle()
        if (waiting := throttle.wait(subjects)) is not None:
            return _refused(lambda wait: _lookup_page(t("verify.throttled", wait=wait)), waiting[1])
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code == 404:
            _audit_delays("verify_throttled", throttle.failed(subjects), path=request.path[:200])
        return response
    return guarded


def _too_many_lookups(limit: RequestLimit):
    """Flask-Limiter's ceiling on every look-up: the same page, its window's wait stated."""
    wait = max(1.0, limit.reset_at - time.time())
    if _throttle().store.once(f"verify-ceiling:{_address()}", wait):
        audit("verify_throttled", _address(), scope="ceiling", limit=str(limit.limit), wait_s=math.ceil(wait))
    return _refused(lambda text: _lookup_page(t("verify.throttled", wait=text)), wait)


def storage_uri(broker_url: str) -> str:
    """The broker's Redis in the distributed mode, this process's memory embedded."""
    return broker_url if broker_url.startswith(("redis://", "rediss://")) else "memory://"


def init_app(app: Flask) -> None:
    """After the blueprints are registered: guard both sign-in views and the public look-ups."""
    uri = storage_uri(app.config["BROKER_URL"])
    app.extensions["practicum.throttle"] = Throttle(store_for(uri))
    for endpoint, staff in LOGIN_VIEWS.items():
        app.view_functions[endpoint] = _guard_login(app.view_functions[endpoint], staff)
    limiter = Limiter(key_func=_address, app=app, storage_uri=uri, strategy="moving-window",
                      key_prefix="practicum-lookup", default_limits=[], headers_enabled=False,
                      swallow_errors=True)     # its storage down: look-ups go through (logged)
    ceiling = limiter.shared_limit(lambda: current_app.config["VERIFY_RATE_LIMIT"], scope="verify",
                                   on_breach=_too_many_lookups)
    for endpoint in LOOKUP_VIEWS:
        app.view_functions[endpoint] = ceiling(_guard_lookup(app.view_functions[endpoint]))
    app.extensions["practicum.limiter"] = limiter
