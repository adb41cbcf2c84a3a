"""cloudwatch_metric_data through ansible-playbook: published, previewed, refused."""

from __future__ import annotations

import time

from tests.integration.ansible import run_module

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

    result, _process = run_module(aws, tmp_path, "cloudwatch_metric_data", args)
    assert result["published"] == 2 and result["api_calls"] == ["cloudwatch.PutMetricData"]
    assert _values(client, "RecoveryTimeSeconds") == [412.5] and _values(client, "RecoveryPointSeconds") == [0.8]

    aws.post("aws", "/_emulator/requests", method="DELETE")
    refused, _process = run_module(aws, tmp_path, "cloudwatch_metric_data", {**args, "namespace": "AWS/RDS"})
    assert refused["failed"] and "reserved for AWS services" in refused["msg"]
    assert aws.requests()["total"] == 0
