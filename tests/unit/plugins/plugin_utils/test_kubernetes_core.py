"""plugin_utils/kubernetes_core.py: kubernetes.core's modules in the controller's worker - the options refused before
any call, the module object its code is given, and its failures."""

from __future__ import annotations

from unittest import mock

import pytest

from ansible_collections.ai_model_registry.infra.plugins.action import kubernetes_objects, kubernetes_objects_info
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils import kubernetes_core
from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.controller_module import ModuleExit
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException
from tests.unit.plugins.helpers import action_of


def _action(plugin, args, check_mode=False):
    return action_of(plugin, args, check_mode, environment=None)


@pytest.mark.parametrize(
    ("plugin", "args", "message"),
    [
        (kubernetes_objects, {"template": "a.j2"}, "does not take template: use kubernetes.core.k8s for them"),
        (kubernetes_objects, {"kind": "Secret", "password": "x"}, "does not take password: use kubernetes.core.k8s"),
        (kubernetes_objects_info, {"kind": "Pod", "wait": True}, "does not take wait: use kubernetes.core.k8s_info"),
    ],
)
def test_an_option_it_does_not_take_is_refused_before_the_module_exists(plugin, args, message):
    with pytest.raises(ModuleExit) as refused:
        _action(plugin, args).module(plugin.__name__.rsplit(".", 1)[-1])
    assert refused.value.result["failed"] is True and message in refused.value.result["msg"]


def test_the_module_is_kubernetes_cores_over_the_tasks_arguments_with_its_spec():
    module = _action(kubernetes_objects, {"kind": "Secret", "name": "s", "namespace": "n"}, check_mode=True).module(
        "kubernetes_objects"
    )
    assert isinstance(module, kubernetes_core.AnsibleK8SModule) and module.check_mode is True
    # k8s's own defaults fill what the task did not give
    assert module.params["state"] == "present" and module.params["wait_timeout"] == 120
    assert module.params["kind"] == "Secret" and module.params["force"] is False


def test_a_kubernetes_core_failure_is_reported_as_its_modules_report_it():
    module = mock.MagicMock()

    def fails(_module):
        raise CoreException("Failed to find exact match for v1.Sekret")

    kubernetes_core.failing_as_kubernetes_core(fails)(module)
    [call] = module.fail_from_exception.call_args_list
    assert str(call.args[0]) == "Failed to find exact match for v1.Sekret"


def test_without_kubernetes_core_the_task_says_what_is_missing(monkeypatch):
    monkeypatch.setattr(kubernetes_core, "AnsibleK8SModule", None)
    with pytest.raises(ModuleExit) as missing:
        _action(kubernetes_objects, {"kind": "Secret"}).module("kubernetes_objects")
    assert "needs the kubernetes.core collection and the kubernetes Python library" in missing.value.result["msg"]
