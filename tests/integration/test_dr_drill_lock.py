"""dr_drill_lock through ansible-playbook against the emulator's SSM: the lock the drills take."""

from __future__ import annotations

import json
import time

import pytest
import yaml

from tests.integration.ansible import REPO, run_module, run_modules
from tests.integration.drills import LOCK, read_lock

MODULE = "dr_drill_lock"


def _documented(section: str) -> dict:
    source = (REPO / "plugins/modules" / f"{MODULE}.py").read_text()
    return yaml.safe_load(source.split(f'{section} = r"""')[1].split('"""')[0])


BASE = {"name": LOCK, "region": "us-east-1", "drill_id": "development-switchover-1", "environment": "development"}


def _run(aws, tmp_path, *extra: str, **args) -> dict:
    return run_module(aws, tmp_path, MODULE, {**BASE, **args}, *extra)[0]


@pytest.mark.slow(seconds=28)
def test_take_refuse_take_over_and_release(aws, client, tmp_path):
    check = _run(aws, tmp_path, "--check", drill_type="switchover")
    assert check["changed"] and check["acquired"] and read_lock(client) is None

    taken = _run(aws, tmp_path, drill_type="switchover", ttl_seconds=600)
    assert taken["changed"] and taken["acquired"] and taken["api_calls"] == ["ssm.PutParameter"]
    held = read_lock(client)
    assert held == taken["holder"] and held["drill_id"] == "development-switchover-1"
    assert held["type"] == "switchover" and held["expires_at"] - held["started_at"] == 600
    # every documented return key is returned (reason only on failure)
    assert set(_documented("RETURN")) - {"reason"} <= set(taken)
    assert set(taken["holder"]) == set(_documented("RETURN")["holder"]["contains"])

    # taken again by its holder, refused to another drill, not released by another: none of them writes (one run)
    others = [{}, {"drill_id": "development-restore-2"}, {"drill_id": "development-restore-2", "state": "absent"}]
    again, refused, not_ours = run_modules(aws, tmp_path, MODULE, [{**BASE, **call} for call in others])[0]
    assert again["acquired"] and not again["changed"]
    assert refused["failed"] and refused["reason"] == "held"
    assert "Another DR drill runs in development: development-switchover-1 (switchover)" in refused["msg"]
    assert not not_ours["changed"] and not not_ours["released"] and read_lock(client) == held

    released = _run(aws, tmp_path, state="absent")
    assert released["changed"] and released["released"] and read_lock(client) is None


def test_a_stale_lock_is_taken_over(aws, client, tmp_path):
    stale = {"drill_id": "dead", "type": "full", "started_at": time.time() - 90000, "expires_at": time.time() - 60}
    client("ssm", "us-east-1").put_parameter(Name=LOCK, Value=json.dumps(stale), Type="String")
    taken = _run(aws, tmp_path)
    assert taken["changed"] and taken["taken_over"] and taken["previous_holder"] == stale
    assert read_lock(client)["drill_id"] == "development-switchover-1"
