"""cloudwatch_metric_data through ansible-playbook: published, previewed, refused."""

from __future__ import annotations

import time

from tests.integration.ansible import run_module

SECRET = "Secret-Access-Key-Of-This-Test-7f3a"
METRICS = [
    {"name": "RecoveryTimeSeconds", "value": 412.5, "unit": "Seconds", "dimensions": {"Environment": "staging"}},
    {"name": "RecoveryPointSeconds", "value": 0.8, "unit": "Seconds", "dimensions": {"Environment": "staging"}},
]


def _values(client, name: str) -> list[float]:
    stats = client("cloudwatch", "us-east-1").get_metric_statistics(
        Namespace="AIModelRegistry/DR",
        MetricName=name,
        Dimensions=[{"Name": "Environment", "Value": "staging"}],
        StartTime=time.time() - 600,
        EndTime=time.time() + 60,
        Period=60,
        Statistics=["Maximum"],
    )
    return [p["Maximum"] for p in stats["Datapoints"]]


def test_published_in_the_alarms_namespace_previewed_in_check_mode_and_aws_namespaces_refused(aws, client, tmp_path):
    args = {"region": "us-east-1", "metrics": METRICS}
    preview, _process = run_module(aws, tmp_path, "cloudwatch_metric_data", args, "--check")
    assert preview["changed"] and preview["published"] == 0 and aws.requests()["total"] == 0

    # amazon.aws's credential options (by their aliases) reach the call, and at -vvv the secret stays out of sight
    keys = {
        "aws_access_key_id": "AKIAEMULATORTEST0001",
        "aws_secret_access_key": SECRET,
        "aws_endpoint_url": aws.aws_url,
    }
    result, process = run_module(aws, tmp_path, "cloudwatch_metric_data", {**args, **keys}, "-vvv")
    assert result["published"] == 2 and result["api_calls"] == ["cloudwatch.PutMetricData"]
    assert SECRET not in process.stdout + process.stderr
    assert "secret_key: VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in process.stdout  # the task's invocation, masked
    assert _values(client, "RecoveryTimeSeconds") == [412.5] and _values(client, "RecoveryPointSeconds") == [0.8]

    aws.post("aws", "/_emulator/requests", method="DELETE")
    refused, _process = run_module(aws, tmp_path, "cloudwatch_metric_data", {**args, "namespace": "AWS/RDS"})
    assert refused["failed"] and "reserved for AWS services" in refused["msg"]
    assert aws.requests()["total"] == 0
