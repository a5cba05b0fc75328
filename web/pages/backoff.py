"""Growing delays after failures, per subject (an account, an address), kept where every board
process sees them: the broker's Redis in the distributed mode, this process's memory embedded.

A subject's record is its failures and the time of the last one. The first `free` failures
cost nothing; after that the next attempt must wait `first_s`, then twice as long after each
further failure, never more than `max_s`, counted from the last failure. Attempts refused
while waiting are not failures (nothing was checked), so waiting out a delay is all it takes:
nothing ever locks for good. A record is forgotten `forget_s` after its last failure.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Protocol

import redis
from redis.exceptions import RedisError

STORE_ERRORS = (RedisError, OSError)     # the store unreachable: callers decide what that means


@dataclass(frozen=True)
class Rule:
    free: int          # failures before any delay
    first_s: float     # the first delay
    max_s: float       # the longest delay
    forget_s: float    # a record this long without a failure is dropped

    @classmethod
    def from_config(cls, cfg: dict) -> Rule:
        return cls(int(cfg["free"]), float(cfg["first_s"]), float(cfg["max_s"]), float(cfg["forget_s"]))

    def delay(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return min(self.max_s, self.first_s * 2 ** min(failures - self.free, 32))


@dataclass(frozen=True)
class Record:
    failures: int = 0
    last: float = 0.0          # epoch seconds of the last failure

    def wait(self, rule: Rule, now: float) -> float:
        """Seconds until the next attempt may be checked (0: now)."""
        return max(0.0, self.last + rule.delay(self.failures) - now) if self.failures else 0.0


class Store(Protocol):
    def get(self, key: str) -> Record: ...
    def get_many(self, keys: list[str]) -> list[Record]: ...
    def fail(self, key: str, now: float, forget_s: float) -> Record: ...
    def clear(self, key: str) -> None: ...
    def once(self, key: str, ttl_s: float) -> bool: ...


class MemoryStore:
    """One board process (embedded mode): a dict under a lock; a restart forgets the records."""

    def __init__(self) -> None:
        self._records: dict[str, tuple[Record, float]] = {}    # key -> (record, when it is forgotten: monotonic)
        self._marks: dict[str, float] = {}
        self._lock = threading.Lock()

    def _live(self, key: str) -> Record:
        entry = self._records.get(key)
        if entry is None or entry[1] <= time.monotonic():
            self._records.pop(key, None)
            return Record()
        return entry[0]

    def get(self, key: str) -> Record:
        with self._lock:
            return self._live(key)

    def get_many(self, keys: list[str]) -> list[Record]:
        with self._lock:
            return [self._live(k) for k in keys]

    def fail(self, key: str, now: float, forget_s: float) -> Record:
        with self._lock:
            if len(self._records) > 100_000:      # guessers inventing names: drop what has expired
                self._records = {k: v for k, v in self._records.items() if v[1] > time.monotonic()}
            record = Record(self._live(key).failures + 1, now)
            self._records[key] = (record, time.monotonic() + forget_s)
            return record

    def clear(self, key: str) -> None:
        with self._lock:
            self._records.pop(key, None)

    def once(self, key: str, ttl_s: float) -> bool:
        """True the first time `key` is marked within `ttl_s` (an audit row per episode, not per request)."""
        with self._lock:
            if self._marks.get(key, 0.0) > time.monotonic():
                return False
            if len(self._marks) > 100_000:
                self._marks = {k: v for k, v in self._marks.items() if v > time.monotonic()}
            self._marks[key] = time.monotonic() + ttl_s
            return True


class RedisStore:
    """Every board process (distributed mode): one hash per subject in the broker's Redis."""

    PREFIX = "practicum-throttle:"

    def __init__(self, url: str) -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=5)

    @staticmethod
    def _record(raw: dict) -> Record:
        if not raw:
            return Record()
        return Record(int(raw.get(b"n", 0)), float(raw.get(b"last", 0.0)))

    def get(self, key: str) -> Record:
        return self._record(self._redis.hgetall(self.PREFIX + key))

    def get_many(self, keys: list[str]) -> list[Record]:
        pipe = self._redis.pipeline(transaction=False)
        for k in keys:
            pipe.hgetall(self.PREFIX + k)
        return [self._record(raw) for raw in pipe.execute()]

    def fail(self, key: str, now: float, forget_s: float) -> Record:
        pipe = self._redis.pipeline(transaction=True)     # MULTI: two processes never lose a failure
        pipe.hincrby(self.PREFIX + key, "n", 1)
        pipe.hset(self.PREFIX + key, "last", repr(now))
        pipe.expire(self.PREFIX + key, max(1, int(forget_s)))
        failures, _, _ = pipe.execute()
        return Record(int(failures), now)

    def clear(self, key: str) -> None:
        self._redis.delete(self.PREFIX + key)

    def once(self, key: str, ttl_s: float) -> bool:
        return bool(self._redis.set(self.PREFIX + "mark:" + key, b"1", nx=True, ex=max(1, int(ttl_s))))


def store_for(uri: str) -> Store:
    """The storage `uri` names (`throttle.storage_uri`): Redis, or this process's memory."""
    return RedisStore(uri) if uri.startswith(("redis://", "rediss://")) else MemoryStore()
