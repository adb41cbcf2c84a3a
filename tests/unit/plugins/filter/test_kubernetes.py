"""The manifests k8s_secrets applies in one call."""

from __future__ import annotations

import base64

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ai_model_registry.infra.plugins.filter.kubernetes import (
    k8s_changed_secrets,
    k8s_deployments_to_restart,
    k8s_restart_manifests,
    k8s_secret_manifests,
    k8s_secret_values,
    postgresql_secret_endpoints,
)


def test_namespaces_first_then_one_secret_per_namespace_and_name_with_string_values():
    manifests = k8s_secret_manifests(
        ["default", "api"], {"redis-credentials": {"port": 6379, "host": "h"}, "pg": {"x": None}}, {"app": "a"}
    )
    assert [(m["kind"], m["metadata"]["name"]) for m in manifests[:2]] == [
        ("Namespace", "default"),
        ("Namespace", "api"),
    ]
    secrets = [(m["metadata"]["namespace"], m["metadata"]["name"]) for m in manifests[2:]]
    assert secrets == [("default", "pg"), ("default", "redis-credentials"), ("api", "pg"), ("api", "redis-credentials")]
    assert manifests[3]["stringData"] == {"port": "6379", "host": "h"} and manifests[2]["stringData"] == {"x": ""}
    assert manifests[3]["metadata"]["labels"] == {"app": "a"} and manifests[3]["type"] == "Opaque"


def test_no_namespace_manifests_when_not_asked_and_no_namespace_refused():
    assert [m["kind"] for m in k8s_secret_manifests(["default"], {"s": {}}, create_namespaces=False)] == ["Secret"]
    with pytest.raises(AnsibleFilterError):
        k8s_secret_manifests([], {"s": {}})


OUTPUTS = {
    "ClusterEndpoint": "registry.cluster-abc.us-west-2.rds.amazonaws.com",
    "ReaderEndpoint": "registry.cluster-ro-abc.us-west-2.rds.amazonaws.com",
    "Port": "5432",
    "ClusterArn": "arn:aws:rds:us-west-2:123456789012:cluster:registry",
}
DR_ARN = "arn:aws:rds:us-east-1:123456789012:cluster:registry-dr"
DR_CLUSTER = {
    "db_cluster_arn": DR_ARN,
    "endpoint": "registry-dr.cluster-def.us-east-1.rds.amazonaws.com",
    "reader_endpoint": "registry-dr.cluster-ro-def.us-east-1.rds.amazonaws.com",
    "port": 5433,
}


def _global(writer_arn, endpoint="registry-global.global-xyz.global.rds.amazonaws.com"):
    members = [{"db_cluster_arn": arn, "is_writer": arn == writer_arn} for arn in (OUTPUTS["ClusterArn"], DR_ARN)]
    return {"endpoint": endpoint, "global_cluster_members": members}


@pytest.mark.parametrize("writer", [OUTPUTS["ClusterArn"], DR_ARN])
def test_the_global_writer_endpoint_names_the_writer_wherever_it_is(writer):
    endpoints = postgresql_secret_endpoints(OUTPUTS, _global(writer), DR_CLUSTER if writer == DR_ARN else None)
    # the same host, reader and port before and after a switch: only where the credentials are read follows
    assert endpoints == {
        "host": "registry-global.global-xyz.global.rds.amazonaws.com",
        "reader_host": OUTPUTS["ReaderEndpoint"],
        "port": "5432",
        "region": writer.split(":")[3],
    }


def test_the_cluster_endpoint_follows_the_writer_to_the_dr_region():
    assert postgresql_secret_endpoints(OUTPUTS, _global(DR_ARN), DR_CLUSTER, "cluster") == {
        "host": DR_CLUSTER["endpoint"],
        "reader_host": DR_CLUSTER["reader_endpoint"],
        "port": "5433",
        "region": "us-east-1",
    }
    own = postgresql_secret_endpoints(OUTPUTS, _global(OUTPUTS["ClusterArn"]), None, "cluster")
    assert own == {
        "host": OUTPUTS["ClusterEndpoint"],
        "reader_host": OUTPUTS["ReaderEndpoint"],
        "port": "5432",
        "region": "us-west-2",
    }


@pytest.mark.parametrize("global_cluster", [None, _global("arn:aws:rds:us-west-2:123456789012:cluster:registry", "")])
def test_without_a_global_writer_endpoint_the_stacks_cluster(global_cluster):
    assert postgresql_secret_endpoints(OUTPUTS, global_cluster)["host"] == OUTPUTS["ClusterEndpoint"]


def test_an_unknown_choice_is_refused():
    with pytest.raises(AnsibleFilterError, match="writer_endpoint must be one of"):
        postgresql_secret_endpoints(OUTPUTS, None, None, "instance")


def test_k8s_secret_values_reads_one_value_of_a_named_secret_in_each_namespace():
    def secret(name, host):
        return {"metadata": {"name": name}, "data": {"host": base64.b64encode(host.encode()).decode()}}

    results = [
        {
            "item": "default",
            "resources": [secret("redis-credentials", "r.east"), secret("postgresql-credentials", "p")],
        },
        {"item": "jobs", "resources": [secret("postgresql-credentials", "p")]},
    ]
    assert k8s_secret_values(results, "redis-credentials", "host") == ["r.east", None]
    assert k8s_secret_values(results, "postgresql-credentials", "host") == ["p", "p"]
    assert k8s_secret_values(results, "postgresql-credentials", "port") == [None, None]


def _written(*changed, unchanged=()):
    """A kubernetes.core.k8s result of several definitions: the Namespace, then Secrets (``namespace/name``)."""

    def item(key, is_changed, kind="Secret"):
        namespace, name = key.split("/")
        return {"changed": is_changed, "result": {"kind": kind, "metadata": {"namespace": namespace, "name": name}}}

    results = [item("model-registry/model-registry", True, kind="Namespace")]
    results += [item(k, True) for k in changed] + [item(k, False) for k in unchanged]
    return {"changed": bool(changed), "result": {"results": results}}


def test_the_secrets_a_k8s_run_changed_one_definition_or_several():
    several = _written("model-registry/redis-credentials", unchanged=["model-registry/postgresql-credentials"])
    assert k8s_changed_secrets(several) == ["model-registry/redis-credentials"]  # a changed Namespace is not one
    one = {"changed": True, "result": {"kind": "Secret", "metadata": {"namespace": "a", "name": "redis-credentials"}}}
    assert k8s_changed_secrets(one) == ["a/redis-credentials"]
    assert k8s_changed_secrets({"skipped": True}) == [] == k8s_changed_secrets(None)


API = {"namespace": "model-registry", "name": "api"}
WORKER = {"namespace": "model-registry", "name": "cache-warmer", "secrets": ["redis-credentials"]}
ELSEWHERE = {"namespace": "batch", "name": "api"}


def test_only_deployments_reading_a_changed_secret_are_restarted():
    database_only = _written("model-registry/postgresql-credentials", unchanged=["model-registry/redis-credentials"])
    assert k8s_deployments_to_restart([API, WORKER, ELSEWHERE], database_only) == [API]
    redis_only = _written("model-registry/redis-credentials")
    assert k8s_deployments_to_restart([API, WORKER, ELSEWHERE], redis_only) == [API, WORKER]
    assert k8s_deployments_to_restart([API, WORKER], _written(unchanged=["model-registry/redis-credentials"])) == []
    assert k8s_deployments_to_restart([], redis_only) == []


def test_restart_manifests_patch_each_deployments_pod_template_as_kubectl_rollout_restart_does():
    deployments = [
        {"namespace": "ml", "name": "registry", "secrets": ["redis-credentials"]},
        {"namespace": "a", "name": "b"},
    ]
    patches = k8s_restart_manifests(deployments, "2026-11-30T12:00:00+00:00")
    assert [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in patches] == [("ml", "registry"), ("a", "b")]
    assert all((p["apiVersion"], p["kind"]) == ("apps/v1", "Deployment") for p in patches)
    annotations = patches[0]["spec"]["template"]["metadata"]["annotations"]
    assert annotations == {"kubectl.kubernetes.io/restartedAt": "2026-11-30T12:00:00+00:00"}
    assert k8s_restart_manifests([], "now") == []
