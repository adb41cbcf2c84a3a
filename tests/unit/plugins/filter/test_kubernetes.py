"""The manifests k8s_secrets applies in one call."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ai_model_registry.infra.plugins.filter.kubernetes import k8s_secret_manifests


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
