"""dr_drill_canaries' states on a scripted connection (the background writer's loop: test_canaries.py)."""

from __future__ import annotations

import pytest

from ansible_collections.ai_model_registry.infra.plugins.action import dr_drill_canaries as module
from ansible_collections.ai_model_registry.infra.plugins.module_utils import canaries
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.controller_module import (
    ControllerModule,
    ModuleExit,
)


class Cursor:
    def __init__(self, rows, rowcount=0):
        self.rows, self.rowcount = rows, rowcount

    def fetchall(self):
        return self.rows

    def fetchone(self):
        return self.rows[0]


class Connection:
    """The drill's canaries as (seq, at) rows of one table."""

    def __init__(self, rows=None, table_exists=True, server=("10.0.1.5", 5432)):
        self.rows, self.table_exists, self.log, self.server = list(rows or []), table_exists, [], server

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def close(self):
        self.log.append("close")

    def execute(self, sql, args=None):
        self.log.append(sql.split()[0])
        if sql.startswith("INSERT") and "generate_series" in sql:
            self.rows += [(n, 100.0 + n) for n in range(1, args["count"] + 1)]
            return Cursor([(n, 100.0 + n) for n in range(1, args["count"] + 1)])
        if sql.startswith("INSERT"):
            self.rows.append((args["seq"], 500.0))
            return Cursor([])
        if sql.startswith("SELECT seq"):
            return Cursor(sorted(r for r in self.rows if r[0] > 0))
        if sql.startswith("SELECT count"):
            return Cursor([(len(self.rows),)])
        if sql.startswith("SELECT host(inet_server_addr())"):
            return Cursor([self.server])
        if sql.startswith("SELECT to_regclass"):
            return Cursor([(self.table_exists,)])
        if sql.startswith("DELETE"):
            deleted, self.rows = len(self.rows), []
            return Cursor([], rowcount=deleted)
        return Cursor([])


def table(connection):
    """run()'s ``open_store`` on one scripted connection."""
    return lambda timeout=None: canaries.TableCanaries(connection, "dr_drill_canary", "d")


class Failed(Exception):
    pass


class Module:
    def __init__(self, **params):
        self.params = {
            "table": "dr_drill_canary",
            "drill_id": "d",
            "state": "written",
            "count": 3,
            "acknowledgements": None,
            "write": False,
            "login_host": "db",
            "login_port": 5432,
            **params,
        }

    def fail_json(self, **result):
        raise Failed(result["msg"])


def test_written_returns_the_commits():
    connection = Connection()
    result = module.run(Module(), table(connection))
    assert result["changed"] and result["written"] == [[1, 101.0], [2, 102.0], [3, 103.0]]
    assert result["writer_pid"] is None and result["endpoint"] == "db:5432"
    assert result["server"] == "10.0.1.5:5432"  # who answered behind the endpoint
    assert connection.log == ["CREATE", "INSERT", "SELECT", "close"]


def test_read_stops_the_writer_writes_one_and_reads_the_acknowledged_commits(tmp_path):
    ack = tmp_path / "ack"
    ack.write_text("1000 200.5\n1001 201.0\n")
    (tmp_path / "ack.pid").write_text("1")
    (tmp_path / "ack.done").write_text("1002\n")  # the writer ended
    connection = Connection(rows=[(1, 101.0), (1000, 200.4)], server=("10.1.2.3", 5432))
    result = module.run(Module(state="read", write=True, acknowledgements=str(ack)), table(connection))
    assert result["server"] == "10.1.2.3:5432"  # after a switch: the new writer, through the same endpoint
    assert (tmp_path / "ack.stop").exists()
    assert result["acknowledged"] == [[1000, 200.5], [1001, 201.0]]
    assert result["found"] == [[1, 101.0], [1000, 200.4]] and result["count"] == 3  # with seq 0
    assert result["changed"] and result["read_at"] > 0


def test_read_without_a_write_changes_nothing():
    result = module.run(Module(state="read"), table(Connection(rows=[(1, 1.0)])))
    assert not result["changed"] and result["count"] == 1 and result["acknowledged"] == []


def test_a_writer_that_does_not_stop_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(module, "WRITER_STOP_TIMEOUT", 0.2)
    ack = tmp_path / "ack"
    ack.write_text("")
    (tmp_path / "ack.pid").write_text("1")
    with pytest.raises(Failed, match="did not stop"):
        module.run(Module(state="read", acknowledgements=str(ack)), table(Connection()))


def test_absent_deletes_every_canary_when_the_table_exists():
    connection = Connection(rows=[(1, 1.0), (2, 2.0)])
    result = module.run(Module(state="absent"), table(connection))
    assert result["changed"] and result["deleted"] == 2 and connection.rows == []
    missing = module.run(Module(state="absent"), table(Connection(table_exists=False)))
    assert not missing["changed"] and missing["deleted"] == 0


def test_stopped_only_stops_the_writer(tmp_path):
    ack = tmp_path / "ack"
    ack.write_text("1000 1.5\n")
    (tmp_path / "ack.pid").write_text("1")
    (tmp_path / "ack.done").write_text("")

    def no_connection(timeout=None):
        raise AssertionError("stopped connects to nothing")

    result = module.run(Module(state="stopped", acknowledgements=str(ack)), no_connection)
    assert result["acknowledged"] == [[1000, 1.5]] and (tmp_path / "ack.stop").exists() and not result["changed"]


def test_redis_keys_use_the_caches_connection_and_their_own_acknowledgements():
    params = Module(acknowledgements="/tmp/d/ack", connect_timeout=10).params
    params["redis"] = {"host": "cache", "port": 6380, "password": "token", "tls": True}
    cache = module.redis_params(params)
    assert (cache["login_host"], cache["login_port"], cache["login_password"], cache["tls"]) == (
        "cache",
        6380,
        "token",
        True,
    )
    assert cache["acknowledgements"] == "/tmp/d/ack.redis" and cache["drill_id"] == "d"
    assert module.redis_params(dict(params, acknowledgements=None))["acknowledgements"] is None


def _module(**args):
    """The module as ansible-playbook runs it: the argument spec's validation and defaults (ControllerModule)."""
    return ControllerModule("dr_drill_canaries", args, module.ARGUMENT_SPEC)


CONNECTION = {"login_host": "db", "login_user": "u", "login_password": "p", "login_db": "d", "drill_id": "d1"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"table": "canary; DROP TABLE models"}, "is no SQL identifier. Nothing was changed."),
        ({"count": 0}, "count must be between 1 and 999"),
        ({"redis": {"host": "cache", "ttl_seconds": 0}}, "redis.ttl_seconds must be at least 1, got 0"),
    ],
)
def test_bad_arguments_are_refused_before_any_connection(changes, message):
    with pytest.raises(ModuleExit) as refused:
        module.main(_module(**dict(CONNECTION, **changes)))
    assert refused.value.result["failed"] and message in refused.value.result["msg"]


def test_the_sentinel_keys_states_on_a_real_redis(redis_server):
    port = redis_server.connection_pool.connection_kwargs["port"]
    params = _module(**dict(CONNECTION, redis={"host": "127.0.0.1", "port": port, "tls": False}, count=3)).params
    cache = module.redis_params(params)
    open_keys = module.key_store(cache)
    fake = Module(**cache)
    written = module.run(fake, open_keys, params=cache)
    assert [seq for seq, at in written["written"]] == [1, 2, 3] and written["endpoint"] == f"127.0.0.1:{port}"
    read = module.run(
        Module(**dict(cache, state="read", write=True)), open_keys, params=dict(cache, state="read", write=True)
    )
    assert read["changed"] and read["count"] == 4 and [seq for seq, at in read["found"]] == [1, 2, 3]
    assert read["server"] == written["server"] and read["server"].startswith("run_id ")
    absent = dict(cache, state="absent")
    assert module.run(Module(**absent), open_keys, params=absent)["deleted"] == 4
    assert redis_server.keys("*") == []
