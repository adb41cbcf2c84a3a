"""redis_dr_copy: a copy of Redis of the moment, the copy function run until the copy is in the DR region."""

from __future__ import annotations

import datetime
import io
import json

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from ansible_collections.ai_model_registry.infra.plugins.action import redis_dr_copy as plugin
from tests.unit.plugins.helpers import Clock, Done, FakeModule

GROUP = "amr-staging-redis"
STARTED = 1795996800.0  # 2026-11-30T00:00:00Z
PARAMS = {
    "function_name": "amr-staging-redis-dr-copies",
    "replication_group_id": GROUP,
    "bucket": "copies",
    "bucket_region": "us-east-1",
    "timeout_seconds": 60,
    "poll_seconds": 5.0,
}


def key(seconds_after_start: int) -> str:
    when = datetime.datetime.fromtimestamp(STARTED + seconds_after_start, datetime.UTC)
    return f"{GROUP}-dr-copy-{when:%Y%m%d%H%M%S}-0001.rdb"


class Services(FakeModule):
    """A FakeModule whose client() is a real botocore client per service, answered by a Stubber."""

    def __init__(self, params, check_mode=False):
        super().__init__(None, params, region="us-west-2", check_mode=check_mode)
        self.clients = {
            service: boto3.client(service, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
            for service in ("lambda", "s3")
        }
        self.stubs = {service: Stubber(client) for service, client in self.clients.items()}
        for stub in self.stubs.values():
            stub.activate()

    def client(self, service, region=None, retry_decorator=None):
        return self.clients[service]

    def invoked(self, payload, answer, error=None):
        body = json.dumps(answer).encode()
        response = {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(body), len(body))}
        if error:
            response["FunctionError"] = error
        self.stubs["lambda"].add_response(
            "invoke",
            response,
            {"FunctionName": PARAMS["function_name"], "Payload": json.dumps(payload).encode()},
        )

    def listed(self, keys):
        self.stubs["s3"].add_response(
            "list_objects_v2",
            {"Contents": [{"Key": k} for k in keys], "IsTruncated": False},
            {"Bucket": "copies", "Prefix": f"{GROUP}-dr-copy-"},
        )


def _run(module):
    clock = Clock(STARTED)
    with pytest.raises(Done) as outcome:
        plugin.Copier(module, clock=clock, sleep=clock.sleep).run()
    return outcome.value, clock


def test_the_function_runs_until_a_copy_taken_since_the_start_is_in_the_dr_region():
    module = Services(PARAMS)
    module.invoked({"copy_now": True}, {"steps": [{"action": "snapshot"}]})
    module.listed([key(-3600)])  # an older copy does not count
    module.invoked({}, {"steps": [{"action": "export"}]})
    module.listed([key(-3600), key(0)])
    done, clock = _run(module)
    assert not done.failed and done.result["changed"]
    assert done.result["copy"] == {
        "bucket": "copies",
        "region": "us-east-1",
        "key": key(0),
        "recovery_point": "2026-11-30T00:00:00+00:00",
        "snapshot_arns": [f"arn:aws:s3:::copies/{key(0)}"],
    }
    assert [i["steps"][0]["action"] for i in done.result["invocations"]] == ["snapshot", "export"]
    assert done.result["api_calls"] == ["lambda.Invoke", "s3.ListObjectsV2", "lambda.Invoke", "s3.ListObjectsV2"]
    assert clock.now - STARTED == 5.0


def test_no_copy_within_the_timeout_is_a_failure_that_names_the_last_steps():
    module = Services(dict(PARAMS, timeout_seconds=12))
    module.invoked({"copy_now": True}, {"steps": [{"action": "snapshot"}]})
    for _run_index in range(3):
        module.listed([])
        module.invoked({}, {"steps": []})
    module.listed([])
    done, _clock = _run(module)
    assert done.failed and "No copy of amr-staging-redis taken since 2026-11-30T00:00:00+00:00" in done.result["msg"]
    assert "within 12 s; the copy function's last steps: []" in done.result["msg"]


def test_a_function_error_fails_at_once_and_check_mode_invokes_nothing():
    module = Services(PARAMS)
    module.invoked({"copy_now": True}, {"errorMessage": "AccessDenied"}, error="Unhandled")
    done, _clock = _run(module)
    assert done.failed and "The copy function amr-staging-redis-dr-copies failed" in done.result["msg"]
    assert "AccessDenied" in done.result["msg"]
    preview = Services(PARAMS, check_mode=True)
    done, _clock = _run(preview)
    assert not done.failed and done.result["copy"] is None and done.result["api_calls"] == []


def test_bad_bounds_are_refused_before_any_call():
    with pytest.raises(Done) as outcome:
        plugin.main(Services(dict(PARAMS, poll_seconds=0)))
    assert outcome.value.failed and outcome.value.result["api_calls"] == []
