"""The canaries' SQL, the background writer's loop and its acknowledgements (no server), and the Redis sentinel
keys on a real redis-server (Debian's, as the emulator runs them)."""

from __future__ import annotations

import functools

import pytest
import redis

from ansible_collections.ai_model_registry.infra.plugins.module_utils import canaries, redis_connection
from tests.unit.plugins.helpers import Clock


def test_sql_takes_only_an_identifier():
    statements = canaries.sql("public.dr_drill_canary")
    assert statements["write_one"] == "INSERT INTO public.dr_drill_canary (drill_id, seq) VALUES (%(drill)s, %(seq)s)"
    assert "{table}" not in " ".join(statements.values())
    with pytest.raises(ValueError, match="not a table name"):
        canaries.sql("canary; DROP TABLE models")


def test_acknowledgements_are_parsed_and_a_torn_line_is_left_out():
    assert canaries.parse_acknowledgements("1000 12.5\n1001 13.0\n1002 1") == [[1000, 12.5], [1001, 13.0], [1002, 1.0]]
    assert canaries.parse_acknowledgements("1000 12.5\n1001\n1002 x\n") == [[1000, 12.5]]


class Server:
    """Accepts writes while ``up``; each write is one acknowledged commit."""

    def __init__(self, up):
        self.up, self.rows, self.connects = up, [], 0

    def connect(self):
        self.connects += 1
        if not self.up():
            raise OSError("connection refused")
        return self

    def write_one(self, seq):
        if not self.up():
            raise OSError("read-only")
        self.rows.append(seq)


def test_the_writer_records_only_acknowledged_commits_and_keeps_trying(tmp_path):
    clock = Clock()
    server = Server(up=lambda: not 1.0 <= clock.now < 2.0)  # down for a second, as during a switch
    path = str(tmp_path / "ack")
    canaries.write_loop(server.connect, path, 0.25, 3.0, clock=clock, sleep=clock.sleep, error=OSError)
    acknowledged = canaries.parse_acknowledgements((tmp_path / "ack").read_text())
    assert [seq for seq, at in acknowledged] == server.rows == list(range(1000, 1000 + len(server.rows)))
    assert len(server.rows) == 8  # 12 tries in 3 s, 4 of them while the server was down
    assert all(not 1.0 <= at < 2.0 for seq, at in acknowledged)
    assert (tmp_path / "ack.done").exists()


def test_the_stop_file_stops_the_writer(tmp_path):
    clock = Clock()
    path = str(tmp_path / "ack")
    (tmp_path / "ack.stop").touch()
    server = Server(up=lambda: True)
    canaries.write_loop(server.connect, path, 0.25, 3.0, clock=clock, sleep=clock.sleep, error=OSError)
    assert server.rows == [] and canaries.wait_done(path, 1, clock=clock, sleep=clock.sleep)


def test_wait_done_gives_up(tmp_path):
    clock = Clock()
    assert not canaries.wait_done(str(tmp_path / "ack"), 1, clock=clock, sleep=clock.sleep)


# --- the Redis sentinel keys, on a real server --------------------------------------------------------------


def keys(client, drill="staging-full-1"):
    return canaries.KeyCanaries(client, "dr-drill-canary", drill, 3600)


def test_sentinel_keys_are_written_read_counted_and_expire(redis_server):
    store = keys(redis_server)
    written = store.write_many(3)
    assert [seq for seq, at in written] == [1, 2, 3] and all(at > 0 for seq, at in written)
    store.write_one(canaries.VERIFY_SEQ)
    keys(redis_server, "staging-full-other").write_many(2)  # another drill's: not this drill's canaries
    assert store.read() == written and store.count() == 4  # seq 0 counted, not read
    assert 3500 < redis_server.ttl("dr-drill-canary:staging-full-1:2") <= 3600
    assert store.server().startswith("run_id ") and len(store.server()) == len("run_id ") + 40


def test_delete_all_removes_every_drills_keys_and_nothing_else(redis_server):
    redis_server.set("model:1", "resnet")
    keys(redis_server).write_many(2)
    keys(redis_server, "staging-full-[interrupted]").write_many(1)  # glob characters in a name stay literal
    assert keys(redis_server, "staging-full-[interrupted]").count() == 1
    assert keys(redis_server).delete_all() == 3
    assert redis_server.keys("*") == ["model:1"]
    assert keys(redis_server).delete_all() == 0


def test_the_writer_records_only_what_the_primary_acknowledged_and_survives_its_demotion(redis_server, tmp_path):
    """A primary that becomes a replica answers READONLY (one of redis_connection.ERRORS): not acknowledged."""
    path = str(tmp_path / "ack")
    clock = Clock()

    def sleep(seconds):
        clock.sleep(seconds)
        if clock.now >= 1.0 and not demoted:
            demoted.append(redis_server.replicaof("127.0.0.1", 1))  # a master that never answers

    demoted = []
    canaries.write_loop(
        functools.partial(keys, redis_server), path, 0.25, 2.0, clock=clock, sleep=sleep, error=redis_connection.ERRORS
    )
    acknowledged = canaries.parse_acknowledgements((tmp_path / "ack").read_text())
    assert [seq for seq, at in acknowledged] == [1000, 1001, 1002, 1003]  # the writes before the demotion
    redis_server.replicaof("NO", "ONE")
    assert sorted(seq for seq, at in keys(redis_server).read()) == [1000, 1001, 1002, 1003]


def test_a_connection_to_elasticache_is_tls_verified_against_the_trusted_cas():
    params = {"login_host": "cache.example", "login_port": 6379, "login_password": "t", "tls": True}
    pool = redis_connection.connect(dict(params, connect_timeout=3)).connection_pool
    assert pool.connection_class is redis.SSLConnection
    assert (
        pool.connection_kwargs["ssl_cert_reqs"] == "required" and pool.connection_kwargs["ssl_check_hostname"] is False
    )
    assert pool.connection_kwargs["socket_connect_timeout"] == 3 and pool.connection_kwargs["password"] == "t"
    plain = redis_connection.connect(dict(params, tls=False, connect_timeout=3)).connection_pool
    assert plain.connection_class is redis.Connection
