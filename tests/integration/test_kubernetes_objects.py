"""kubernetes_objects: kubernetes.core.k8s's code run on the controller, against the Kubernetes emulator."""

from __future__ import annotations

import base64

import pytest
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from tests.integration.ansible import run_module, run_modules

NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "registry"}}


def _secret(host: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "postgresql-credentials", "namespace": "registry", "labels": {"app": "registry"}},
        "stringData": {"host": host, "password": "pw"},
    }


def _run(aws, tmp_path, module: str, args: dict, *extra: str) -> dict:
    return run_module(aws, tmp_path, module, args, *extra)[0]


def _stored_host(api) -> str:
    return base64.b64decode(api.read_namespaced_secret("postgresql-credentials", "registry").data["host"]).decode()


def test_creates_leaves_alone_previews_updates_and_deletes_as_kubernetes_core_k8s_does(aws, tmp_path):
    api = client.CoreV1Api(config.new_client_from_config(config_file=str(aws.kubeconfig)))
    # created, left alone, then previewed (one playbook run: the last two write nothing)
    calls = [
        {"definition": [NAMESPACE, _secret("a.example")]},
        {"definition": [NAMESPACE, _secret("a.example")]},
        ({"definition": _secret("b.example")}, {"check_mode": True}),
    ]
    created, again, preview = run_modules(aws, tmp_path, "kubernetes_objects", calls)[0]
    assert created["changed"] is True and not created.get("failed"), created
    assert [r["method"] for r in created["result"]["results"]] == ["create", "create"]
    assert again["changed"] is False
    assert preview["changed"] is True and _stored_host(api) == "a.example"  # check mode wrote nothing

    updated = _run(aws, tmp_path, "kubernetes_objects", {"definition": _secret("b.example")})
    assert updated["changed"] is True and updated["method"] == "update" and _stored_host(api) == "b.example"

    absent = {"state": "absent", "kind": "Secret", "namespace": "registry", "name": "postgresql-credentials"}
    gone = _run(aws, tmp_path, "kubernetes_objects", absent)
    assert gone["changed"] is True
    with pytest.raises(ApiException) as missing:
        api.read_namespaced_secret("postgresql-credentials", "registry")
    assert missing.value.status == 404


def test_info_reads_what_kubernetes_core_k8s_info_reads(aws, tmp_path):
    _run(aws, tmp_path, "kubernetes_objects", {"definition": [NAMESPACE, _secret("a.example")]})
    selected = {"kind": "Secret", "namespace": "registry", "label_selectors": ["app=registry"]}
    calls = [selected, {**selected, "label_selectors": ["app=other"]}, {**selected, "wait": True}]
    found, other, refused = run_modules(aws, tmp_path, "kubernetes_objects_info", calls)[0]
    assert found["changed"] is False and found["api_found"] is True
    [secret] = found["resources"]
    assert base64.b64decode(secret["data"]["host"]).decode() == "a.example"
    assert other["resources"] == []
    assert refused["msg"] == "kubernetes_objects_info does not take wait: use kubernetes.core.k8s_info for them"


def test_an_option_it_does_not_take_is_refused_before_any_call(aws, tmp_path):
    definition = [NAMESPACE, _secret("a.example")]
    refused = _run(aws, tmp_path, "kubernetes_objects", {"definition": definition, "template": "s.j2"})
    assert refused["failed"] is True
    assert refused["msg"] == "kubernetes_objects does not take template: use kubernetes.core.k8s for them"
    api = client.CoreV1Api(config.new_client_from_config(config_file=str(aws.kubeconfig)))
    assert "registry" not in [n.metadata.name for n in api.list_namespace().items]
