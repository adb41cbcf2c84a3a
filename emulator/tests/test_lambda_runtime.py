"""Lambda Invoke runs a Python function's own code, whose SDK calls reach the emulator."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

CODE = """
import os, time
import boto3

def handler(event, context):
    if event.get("fail"):
        raise ValueError("asked to fail")
    if event.get("sleep"):
        time.sleep(event["sleep"])
    boto3.client("s3").create_bucket(Bucket=os.environ["BUCKET"])
    return {"region": os.environ["AWS_REGION"], "echo": event.get("echo")}
"""


@pytest.fixture
def function(client):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("index.py", CODE)
    client("iam").create_role(RoleName="fn", AssumeRolePolicyDocument="{}")
    client("lambda", "us-east-1").create_function(
        FunctionName="fn",
        Runtime="python3.12",
        Role="arn:aws:iam::123456789012:role/fn",
        Handler="index.handler",
        Code={"ZipFile": archive.getvalue()},
        Timeout=15,  # importing boto3 and one call: seconds on a busy test machine
        Environment={"Variables": {"BUCKET": "made-by-lambda"}},
    )
    return client("lambda", "us-east-1")


def _invoke(function, event: dict) -> tuple[dict, str | None]:
    answer = function.invoke(FunctionName="fn", Payload=json.dumps(event).encode())
    return json.loads(answer["Payload"].read()), answer.get("FunctionError")


def test_the_handler_runs_with_its_environment_and_reaches_the_emulator(client, function):
    payload, error = _invoke(function, {"echo": "hi"})
    assert error is None and payload == {"region": "us-east-1", "echo": "hi"}, payload
    assert "made-by-lambda" in [b["Name"] for b in client("s3").list_buckets()["Buckets"]]


def test_an_exception_is_a_function_error(function):
    payload, error = _invoke(function, {"fail": True})
    assert error and payload == {"errorMessage": "asked to fail", "errorType": "ValueError"}


def test_the_timeout_is_enforced(function):
    function.update_function_configuration(FunctionName="fn", Timeout=1)
    payload, error = _invoke(function, {"sleep": 3})
    assert error and payload["errorType"] == "Sandbox.Timedout"
    assert payload["errorMessage"] == "Task timed out after 1.00 seconds"


def test_the_output_goes_to_the_log_group_lambda_creates_at_the_first_invocation(client, function):
    """Lambda writes a function's output to /aws/lambda/<name>, created when missing
    (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html)."""
    logs = client("logs", "us-east-1")
    assert logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/fn")["logGroups"] == []
    _invoke(function, {"fail": True})
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["/aws/lambda/fn"]
    events = logs.filter_log_events(logGroupName="/aws/lambda/fn")["events"]
    assert any("ValueError: asked to fail" in e["message"] for e in events)
