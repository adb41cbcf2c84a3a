"""The canaries' SQL, the background writer's loop and its acknowledgements (no server)."""

from __future__ import annotations

import pytest

from ansible_collections.ai_model_registry.infra.plugins.module_utils import canaries
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
    """Accepts inserts while ``up``; each insert is one acknowledged commit."""

    def __init__(self, up):
        self.up, self.rows, self.connects = up, [], 0

    def connect(self):
        self.connects += 1
        if not self.up():
            raise OSError("connection refused")
        return self

    def execute(self, sql, args):
        if not self.up():
            raise OSError("read-only")
        self.rows.append(args["seq"])


def test_the_writer_records_only_acknowledged_commits_and_keeps_trying(tmp_path):
    clock = Clock()
    server = Server(up=lambda: not 1.0 <= clock.now < 2.0)  # down for a second, as during a switch
    path = str(tmp_path / "ack")
    canaries.write_loop(server.connect, "INSERT", "d", path, 0.25, 3.0, clock=clock, sleep=clock.sleep, error=OSError)
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
    canaries.write_loop(server.connect, "INSERT", "d", path, 0.25, 3.0, clock=clock, sleep=clock.sleep, error=OSError)
    assert server.rows == [] and canaries.wait_done(path, 1, clock=clock, sleep=clock.sleep)


def test_wait_done_gives_up(tmp_path):
    clock = Clock()
    assert not canaries.wait_done(str(tmp_path / "ack"), 1, clock=clock, sleep=clock.sleep)
