"""The Kubernetes emulator behaves as a real API server for the objects we manage.

Driven with the official Python client (what kubernetes.core uses) against the running emulator.
"""

from __future__ import annotations

import base64

import pytest
from kubernetes import client as k8s
from kubernetes import config
from kubernetes.client.rest import ApiException


@pytest.fixture
def core(aws):
    api_client = config.new_client_from_config(config_file=str(aws.kubeconfig))
    yield k8s.CoreV1Api(api_client)
    api_client.close()


@pytest.fixture
def apps(aws):
    api_client = config.new_client_from_config(config_file=str(aws.kubeconfig))
    yield k8s.AppsV1Api(api_client)
    api_client.close()


def _secret(name: str, **string_data: str) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "stringData": string_data}


def test_namespaces_are_created_listed_and_deleted_with_their_objects(core):
    core.create_namespace({"metadata": {"name": "registry"}})
    names = [n.metadata.name for n in core.list_namespace().items]
    assert {"default", "kube-system", "registry"} <= set(names)
    core.create_namespaced_secret("registry", _secret("s", a="1"))
    core.delete_namespace("registry")
    with pytest.raises(ApiException) as error:
        core.read_namespaced_secret("s", "registry")
    assert error.value.status == 404


def test_string_data_becomes_base64_data(core):
    created = core.create_namespaced_secret("default", _secret("pg", host="db.example", password="p@ss"))
    assert created.string_data is None
    assert base64.b64decode(created.data["password"]).decode() == "p@ss"
    assert created.type == "Opaque"
    assert created.metadata.uid and created.metadata.resource_version and created.metadata.creation_timestamp


def test_create_in_a_missing_namespace_and_twice(core):
    with pytest.raises(ApiException) as missing:
        core.create_namespaced_secret("nope", _secret("x", a="1"))
    assert missing.value.status == 404 and 'namespaces \\"nope\\" not found' in missing.value.body
    core.create_namespaced_secret("default", _secret("x", a="1"))
    with pytest.raises(ApiException) as twice:
        core.create_namespaced_secret("default", _secret("x", a="1"))
    assert twice.value.status == 409 and "AlreadyExists" in twice.value.body


def test_patch_changes_resource_version_only_when_something_changes(core):
    created = core.create_namespaced_secret("default", _secret("x", a="1"))
    same = core.patch_namespaced_secret("x", "default", {"stringData": {"a": "1"}})
    assert same.metadata.resource_version == created.metadata.resource_version
    changed = core.patch_namespaced_secret("x", "default", {"stringData": {"a": "2", "b": "3"}})
    assert changed.metadata.resource_version != created.metadata.resource_version
    assert {k: base64.b64decode(v).decode() for k, v in changed.data.items()} == {"a": "2", "b": "3"}
    removed = core.patch_namespaced_secret("x", "default", {"data": {"b": None}})  # merge patch: null deletes
    assert set(removed.data) == {"a"}


def test_replace_detects_a_stale_resource_version(core):
    created = core.create_namespaced_secret("default", _secret("x", a="1"))
    core.patch_namespaced_secret("x", "default", {"stringData": {"a": "2"}})
    stale = _secret("x", a="3")
    stale["metadata"]["resourceVersion"] = created.metadata.resource_version
    with pytest.raises(ApiException) as conflict:
        core.replace_namespaced_secret("x", "default", stale)
    assert conflict.value.status == 409


def test_lists_carry_kind_and_filter_by_label(core):
    labelled = _secret("a", x="1")
    labelled["metadata"]["labels"] = {"app": "registry"}
    core.create_namespaced_secret("default", labelled)
    core.create_namespaced_secret("default", _secret("b", x="1"))
    response = core.list_namespaced_secret("default", label_selector="app=registry", _preload_content=False)
    import json

    body = json.loads(response.data)
    assert body["kind"] == "SecretList" and body["apiVersion"] == "v1"
    assert [item["metadata"]["name"] for item in body["items"]] == ["a"]


def test_a_deployment_restart_rolls_out_at_once(apps):
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "api"}},
            "template": {"metadata": {"labels": {"app": "api"}}, "spec": {"containers": [{"name": "a", "image": "x"}]}},
        },
    }
    created = apps.create_namespaced_deployment("default", deployment)
    restarted = apps.patch_namespaced_deployment(
        "api",
        "default",
        {"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "now"}}}}},
    )
    assert restarted.metadata.generation == created.metadata.generation + 1
    assert restarted.status.observed_generation == restarted.metadata.generation
    assert restarted.status.updated_replicas == restarted.status.ready_replicas == 2
