"""The real test servers: data written before a restart or a crash (SIGKILL) is there after it,
on the same port, so the distributed mode's crash tests can rely on them."""
from __future__ import annotations

import psycopg
import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from support.infra import InfraError, PostgresServer, RedisServer


def test_redis_restart_keeps_a_key(redis_url, redis_server):
    with redis_server.client() as r:
        r.set("practicum:k", "before")
    port = redis_server.port
    redis_server.restart()
    assert redis_server.port == port and redis_server.url == redis_url
    with redis_server.client() as r:
        assert r.get("practicum:k") == b"before"


def test_redis_kill_then_start_keeps_what_was_acknowledged(redis_url, redis_server):
    with redis_server.client() as r:
        r.rpush("practicum:q", "a", "b")
    redis_server.kill()
    assert not redis_server.running
    with pytest.raises(redis.ConnectionError):
        with redis_server.client(socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)) as r:
            r.ping()
    redis_server.start()
    with redis_server.client() as r:
        assert r.lrange("practicum:q", 0, -1) == [b"a", b"b"]


def test_postgres_restart_keeps_a_row(postgres_server, pg_url):
    dbname = pg_url.rsplit("/", 1)[1]
    with postgres_server.connect(dbname) as conn:
        conn.execute("CREATE TABLE t (id serial PRIMARY KEY, v text)")
        conn.execute("INSERT INTO t (v) VALUES ('before')")
    port = postgres_server.port
    postgres_server.restart()
    assert postgres_server.port == port
    with postgres_server.connect(dbname) as conn:
        assert conn.execute("SELECT v FROM t").fetchall() == [("before",)]


def test_postgres_kill_then_start_recovers(postgres_server, pg_url):
    dbname = pg_url.rsplit("/", 1)[1]
    with postgres_server.connect(dbname) as conn:
        conn.execute("CREATE TABLE t (v text)")
        conn.execute("INSERT INTO t VALUES ('committed')")
    with postgres_server.connect(dbname) as idle:   # a client the crash cuts off
        postgres_server.kill()
        assert not postgres_server.running
        postgres_server.start()                      # crash recovery from the WAL
        with pytest.raises(psycopg.OperationalError):
            idle.execute("SELECT 1")
    with postgres_server.connect(dbname) as conn:
        assert conn.execute("SELECT v FROM t").fetchall() == [("committed",)]
        conn.execute("INSERT INTO t VALUES ('after')")


def test_postgres_url_works_with_sqlalchemy(postgres_server, pg_url):
    import sqlalchemy as sa
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_database()")).scalar() == pg_url.rsplit("/", 1)[1]
    finally:
        engine.dispose()
    engine = sa.create_engine(postgres_server.url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_database()")).scalar() == "practicum"
    finally:
        engine.dispose()


def test_servers_on_their_own_dir_and_cleaned_up(tmp_path):
    with RedisServer() as r:
        root = r.root
        assert r.client().ping()
    assert not root.exists() and not r.running


def test_missing_binary_names_the_setup_script(monkeypatch):
    from support import infra
    monkeypatch.setattr(infra, "REDIS_SERVER", "/nonexistent/redis-server")
    with pytest.raises(InfraError, match="scripts/setup.sh"):
        RedisServer()
    monkeypatch.setattr(infra, "PG_BIN_GLOB", "/nonexistent/*/bin")
    with pytest.raises(InfraError, match="scripts/setup.sh"):
        PostgresServer()
