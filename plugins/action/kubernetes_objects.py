# -*- coding: utf-8 -*-
# Copyright (c) 2026 AI Model Registry platform team
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ai_model_registry.infra.kubernetes_objects: kubernetes.core.k8s's argument spec and runner, run
in the controller's worker (plugin_utils/kubernetes_core.py); its documentation is
plugins/modules/kubernetes_objects.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ai_model_registry.infra.plugins.plugin_utils.kubernetes_core import (
    KubernetesCoreAction,
    failing_as_kubernetes_core,
)

try:
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.runner import run_module
    from ansible_collections.kubernetes.core.plugins.modules import k8s
except ImportError:  # said when a task runs (KubernetesCoreAction.module)
    k8s = run_module = None


class ActionModule(KubernetesCoreAction):
    KUBERNETES_CORE = "kubernetes.core.k8s"
    # ``template`` is k8s's action plugin's work; the others are left out of the documented surface.
    NOT_TAKEN = (
        "template",
        "validate",
        "append_hash",
        "generate_name",
        "server_side_apply",
        "delete_all",
        "all",
        "hidden_fields",
        "label_selectors",
    )
    # As kubernetes.core.k8s declares them (its main()).
    MUTUALLY_EXCLUSIVE = [
        ("resource_definition", "src"),
        ("merge_type", "apply"),
        ("template", "resource_definition"),
        ("template", "src"),
        ("name", "generate_name"),
    ]
    main = staticmethod(failing_as_kubernetes_core(run_module))

    @staticmethod
    def argspec():
        return k8s.argspec()
