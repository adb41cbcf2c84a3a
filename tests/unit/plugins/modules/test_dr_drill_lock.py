"""dr_drill_lock on an in-memory SSM: take, keep, refuse, take over a stale lock, release only our own."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from ansible_collections.ai_model_registry.infra.plugins.action import dr_drill_lock
from tests.unit.plugins import helpers

NAME = "/ai-model-registry/development/dr-drill/lock"
NOW = 1_800_000_000.0


def _error(code):
    return ClientError({"Error": {"Code": code, "Message": code}}, "Op")


class FakeSSM:
    """Parameters in a dict; PutParameter without Overwrite refuses an existing name, as SSM does."""

    def __init__(self, value=None, steal_after_delete=None):
        self.parameters = {} if value is None else {NAME: json.dumps(value)}
        self.steal_after_delete = steal_after_delete  # another drill's lock, created right after our delete

    def get_parameter(self, aws_retry=False, Name=None):
        if Name not in self.parameters:
            raise _error("ParameterNotFound")
        return {"Parameter": {"Name": Name, "Value": self.parameters[Name]}}

    def put_parameter(self, aws_retry=False, Name=None, Value=None, Overwrite=False, **params):
        if Name in self.parameters and not Overwrite:
            raise _error("ParameterAlreadyExists")
        self.parameters[Name] = Value

    def delete_parameter(self, aws_retry=False, Name=None):
        if Name not in self.parameters:
            raise _error("ParameterNotFound")
        del self.parameters[Name]
        if self.steal_after_delete:
            self.parameters[Name] = json.dumps(self.steal_after_delete)

    def held(self):
        return json.loads(self.parameters[NAME]) if NAME in self.parameters else None


DEFAULTS = {
    "name": NAME,
    "drill_id": "ours",
    "drill_type": "switchover",
    "environment": "development",
    "ttl_seconds": 600,
    "state": "present",
}


class FakeModule(helpers.FakeModule):
    def client(self, service, region=None, retry_decorator=None):
        assert service == "ssm" and region == "us-east-1"
        return super().client(service, region, retry_decorator)


def _run(ssm, check_mode=False, **params):
    module = FakeModule(ssm, {**DEFAULTS, **params}, region="us-east-1", check_mode=check_mode)
    with pytest.raises(helpers.Done) as outcome:
        dr_drill_lock.Lock(module, clock=lambda: NOW).run()
    return outcome.value


def _lock(drill_id, expires_at):
    return {"drill_id": drill_id, "type": "restore", "started_at": expires_at - 600, "expires_at": expires_at}


def test_a_free_lock_is_taken_in_one_atomic_call():
    ssm = FakeSSM()
    done = _run(ssm)
    assert not done.failed and done.result["acquired"] and done.result["changed"]
    assert done.result["api_calls"] == ["ssm.PutParameter"] and done.result["taken_over"] is False
    assert ssm.held() == {"drill_id": "ours", "type": "switchover", "started_at": NOW, "expires_at": NOW + 600}
    assert done.result["holder"] == ssm.held()


def test_a_lock_we_hold_is_kept():
    ssm = FakeSSM(_lock("ours", NOW + 100))
    done = _run(ssm)
    assert not done.failed and done.result["acquired"] and not done.result["changed"]
    assert ssm.held()["expires_at"] == NOW + 100


def test_another_drills_lock_refuses_with_who_and_until_when():
    other = _lock("development-switchover-other", NOW + 3600)
    ssm = FakeSSM(other)
    done = _run(ssm)
    assert done.failed and done.result["reason"] == "held" and done.result["holder"] == other
    assert done.result["msg"].startswith(
        "Another DR drill runs in development: development-switchover-other (restore), started "
    )
    assert "UTC; its lock expires" in done.result["msg"] and done.result["msg"].endswith("Nothing was changed.")
    assert ssm.held() == other and done.result["api_calls"] == ["ssm.PutParameter", "ssm.GetParameter"]


def test_a_stale_lock_is_taken_over():
    stale = _lock("dead", NOW - 1)
    ssm = FakeSSM(stale)
    done = _run(ssm)
    assert not done.failed and done.result["taken_over"] and done.result["previous_holder"] == stale
    assert ssm.held()["drill_id"] == "ours" and done.result["holder"] == ssm.held()
    assert done.result["api_calls"] == [
        "ssm.PutParameter",
        "ssm.GetParameter",
        "ssm.DeleteParameter",
        "ssm.PutParameter",
    ]


def test_losing_the_takeover_race_refuses():
    winner = _lock("faster", NOW + 600)
    ssm = FakeSSM(_lock("dead", NOW - 1), steal_after_delete=winner)
    done = _run(ssm)
    assert done.failed and done.result["reason"] == "held" and ssm.held() == winner
    assert "faster" in done.result["msg"]


def test_check_mode_reads_and_writes_nothing():
    ssm = FakeSSM(_lock("dead", NOW - 1))
    done = _run(ssm, check_mode=True)
    assert not done.failed and done.result["changed"] and done.result["taken_over"]
    assert done.result["api_calls"] == ["ssm.GetParameter"] and ssm.held()["drill_id"] == "dead"


def test_release_removes_only_our_lock():
    ssm = FakeSSM(_lock("ours", NOW + 100))
    done = _run(ssm, state="absent")
    assert done.result["released"] and done.result["changed"] and ssm.held() is None
    other = _lock("other", NOW + 100)
    ssm = FakeSSM(other)
    done = _run(ssm, state="absent")
    assert not done.result["released"] and not done.result["changed"] and ssm.held() == other
    assert done.result["holder"] == other
    done = _run(FakeSSM(), state="absent")
    assert not done.failed and not done.result["released"] and done.result["holder"] is None


def test_a_parameter_that_is_no_lock_fails():
    ssm = FakeSSM()
    ssm.parameters[NAME] = "not json"
    done = _run(ssm)
    assert done.failed and done.result["reason"] == "unreadable"


@pytest.mark.parametrize(
    ("holder", "action"),
    [(None, "take"), (_lock("ours", NOW - 5), "keep"), (_lock("x", NOW - 5), "take_over"), (_lock("x", NOW), "refuse")],
)
def test_decide(holder, action):
    assert dr_drill_lock.decide(holder, "ours", NOW) == action
